"""SQLite writers: the write queue (``core.db.WriteQueue``) against SQLite's busy handler.

Two and four processes (as ``make run``'s two gunicorn workers, and with the records worker
and a command beside them) each run write transactions shaped like a check-in: work
outside the transaction (reading the request, rendering the answer), then ``BEGIN
IMMEDIATE``, a few statements and a little work while holding the lock, then the commit.
Printed per mode: transactions per second, how long writers waited for the lock (p50, p95,
max), and how many waited over 1 ms. Rounds alternate the two modes, so the machine's
noise falls on both; the ratios compare them within the run.

    make bench     (or: .venv/bin/python benchmarks/sqlite_writers_bench.py)

Prints figures; asserts nothing. Target (issue 20): writers woken when the lock is free
rather than sleeping on; the queue's p95 wait below the busy handler's.
"""

import hashlib
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from meetingsec.core.db import configure_sqlite  # noqa: E402

TRANSACTIONS = 400  # per process
ROUNDS = 3
INSIDE_MS = 1.5  # work while holding the lock (the service, its audit event)
OUTSIDE_MS = 3.0  # work around it (the request's checks, the answer's rendering)


def _spin(ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    data = b"x"
    while time.perf_counter() < end:
        data = hashlib.sha256(data).digest()


def _writer(path: str, queue: bool, start, out) -> None:
    engine = create_engine(f"sqlite:///{path}")
    configure_sqlite(engine, 15.0, write_queue=queue)
    waits = []
    start.wait()
    began = time.perf_counter()
    with engine.connect() as conn:
        conn.rollback()
        for i in range(TRANSACTIONS):
            _spin(OUTSIDE_MS)
            asked = time.perf_counter()
            with conn.begin():
                waits.append(time.perf_counter() - asked)
                conn.execute(text("SELECT max(n) FROM t")).scalar()
                _spin(INSIDE_MS)
                conn.execute(text("INSERT INTO t (payload) VALUES (:p)"), {"p": f"row {i}"})
    out.put((waits, time.perf_counter() - began))
    engine.dispose()


def run(processes: int, queue: bool) -> dict:
    folder = tempfile.mkdtemp(prefix="meetingsec-writers-")
    path = f"{folder}/bench.db"
    engine = create_engine(f"sqlite:///{path}")
    configure_sqlite(engine, 15.0, write_queue=queue)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY, payload TEXT)"))
    engine.dispose()
    ctx = multiprocessing.get_context("fork")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(path, queue, start, out)) for _ in range(processes)]
    for p in procs:
        p.start()
    time.sleep(0.3)
    start.set()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    waits = sorted(w for ws, _t in results for w in ws)
    elapsed = max(t for _ws, t in results)
    return {
        "tps": len(waits) / elapsed,
        "p50": statistics.median(waits) * 1000,
        "p95": waits[int(len(waits) * 0.95)] * 1000,
        "max": waits[-1] * 1000,
        "over_1ms": sum(w > 0.001 for w in waits) / len(waits),
    }


def main() -> None:
    print(
        f"SQLite writers: {TRANSACTIONS} transactions per process, {INSIDE_MS} ms inside the "
        f"lock, {OUTSIDE_MS} ms outside; medians of {ROUNDS} alternating rounds"
    )
    head = ("processes", "mode", "tx/s", "wait p50", "p95", "max", ">1 ms")
    print("{:>9} {:<14} {:>7} {:>9} {:>8} {:>8} {:>6}".format(*head))
    for processes in (2, 4):
        figures = {True: [], False: []}
        for _ in range(ROUNDS):
            for queue in (False, True):
                figures[queue].append(run(processes, queue))
        med = {
            q: {k: statistics.median(r[k] for r in rs) for k in rs[0]} for q, rs in figures.items()
        }
        for queue, label in ((False, "busy handler"), (True, "write queue")):
            m = med[queue]
            print(
                f"{processes:>9} {label:<14} {m['tps']:>7.0f} {m['p50']:>7.2f}ms "
                f"{m['p95']:>6.1f}ms {m['max']:>6.1f}ms {m['over_1ms']:>6.0%}"
            )
        q, b = med[True], med[False]
        print(
            f"{'':>9} {'queue/handler':<14} {q['tps'] / b['tps']:>6.2f}x "
            f"{'':>9} {q['p95'] / b['p95']:>6.2f}x {q['max'] / b['max']:>6.2f}x"
        )


if __name__ == "__main__":
    main()

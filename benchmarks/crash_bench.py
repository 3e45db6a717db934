"""Crash safety: the app under gunicorn (2 workers) takes check-ins from 8 door tablets and
every app process is killed with SIGKILL at a random moment; the app is started again and
the database is checked:

- every check-in a tablet saw acknowledged (303) is there (lost must be 0);
- no check-in without its audit event, and no check-in event without its check-in;
- ``flask audit verify`` passes;
- the restarted app takes the next check-in.

20 runs of up to 500 check-ins each, on SQLite and on PostgreSQL (whose server is not
killed: the app's processes are). Prints acknowledged, found and lost per run and in total.

    make bench          (or: .venv/bin/python benchmarks/crash_bench.py [sqlite|postgresql])

RUNS=5 runs fewer. Exits 1 if anything was lost or did not verify.
"""

import http.client
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import door_bench  # noqa: E402

from meetingsec.extensions import db  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.dbserver import Databases  # noqa: E402
from tests.gunicorn import Tablet, free_port, serve  # noqa: E402

RUNS = int(os.environ.get("RUNS", "20"))
CHECK_INS = 500
CLIENTS = 8


def drive(port, meeting_id, people, sha, stop_at):
    """8 tablets check people in until the server dies; returns the acknowledged ids."""
    queue, lock, acknowledged = list(people), threading.Lock(), []
    tablets = [Tablet(port) for _ in range(CLIENTS)]
    for t in tablets:
        t.log_in("clerk", door_bench.PASSWORD)

    def work(t: Tablet):
        while True:
            with lock:
                if not queue:
                    return
                attendee_id, code = queue.pop()
            try:
                status, _ = t.check_in(meeting_id, code, f"crash-{attendee_id:08d}", sha)
            except (OSError, http.client.HTTPException):
                return  # the server is gone: this one was not acknowledged
            if status == 303:
                with lock:
                    acknowledged.append(attendee_id)

    threads = [threading.Thread(target=work, args=(t,)) for t in tablets]
    for th in threads:
        th.start()
    stop_at()
    for th in threads:
        th.join()
    return acknowledged


def check(url, instance, env) -> tuple[set[int], int, int, bool]:
    """(attendees checked in, check-ins without an event, events without a check-in,
    whether ``flask audit verify`` passed)."""
    from meetingsec.audit.models import AuditEvent
    from meetingsec.door.models import CheckIn

    app = make_app(url, instance)
    with app.app_context():
        rows = db.session.execute(db.select(CheckIn.id, CheckIn.attendee_id)).all()
        events = set(
            db.session.scalars(
                db.select(AuditEvent.object_id).where(AuditEvent.action == "door.checked_in")
            )
        )
        db.session.remove()
        db.engine.dispose()
    ids = {str(r.id) for r in rows}
    verify = subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "audit", "verify"],
        env={**env, "FLASK_APP": "meetingsec:create_app"},
        capture_output=True,
        text=True,
    )
    return (
        {r.attendee_id for r in rows},
        len(ids - events),
        len(events - ids),
        verify.returncode == 0,
    )


def bench(backend: str) -> bool:
    work = Path(tempfile.mkdtemp(prefix="crash-bench-"))
    dbs = Databases(backend, work)
    url = dbs.fresh()
    instance = work / "instance"
    meeting_id, people, _names, sha = door_bench.setup(url, instance, RUNS * CHECK_INS + RUNS)
    env = {
        **os.environ,
        "MEETINGSEC_SQLALCHEMY_DATABASE_URI": url,
        "MEETINGSEC_INSTANCE_PATH": str(instance),
    }
    rng = random.Random(2026)
    print(f"\n{backend}: {RUNS} runs, {CLIENTS} tablets, up to {CHECK_INS} check-ins each")
    totals = [0, 0, 0]
    clean = True
    try:
        for run in range(1, RUNS + 1):
            batch, people = people[:CHECK_INS], people[CHECK_INS:]
            port = free_port()
            server = serve(port, env, group=True)
            delay = rng.uniform(0.2, 2.5)

            def kill(server=server, delay=delay):
                time.sleep(delay)
                os.killpg(server.pid, signal.SIGKILL)  # the master and every worker at once
                server.wait()

            acknowledged = drive(port, meeting_id, batch, sha, kill)
            # started again: the app recovers what it finds (SQLite's WAL, open transactions)
            server = serve(port, env, group=True)
            checked_in, no_event, no_check_in, verified = check(url, instance, env)
            lost = len(set(acknowledged) - checked_in)
            spare, people = people[0], people[1:]
            after = Tablet(port).log_in("clerk", door_bench.PASSWORD)
            status, _ = after.check_in(meeting_id, spare[1], f"after-{spare[0]:08d}", sha)
            server.terminate()
            server.wait(timeout=30)
            found = len(set(acknowledged) & checked_in)
            ok = lost == 0 and no_event == 0 and no_check_in == 0 and verified and status == 303
            clean &= ok
            totals = [totals[0] + len(acknowledged), totals[1] + found, totals[2] + lost]
            print(
                f"  run {run:2d}: killed after {delay:.2f} s | acknowledged {len(acknowledged):3d} "
                f"found {found:3d} lost {lost} | check-ins without event {no_event}, events "
                f"without check-in {no_check_in} | audit verify {'OK' if verified else 'FAILED'}"
                f" | next check-in {status}"
            )
        print(f"  total: acknowledged {totals[0]}, found {totals[1]}, lost {totals[2]}")
    finally:
        dbs.drop(url)
        dbs.close()
    return clean


if __name__ == "__main__":
    results = [bench(b) for b in sys.argv[1:] or ("sqlite", "postgresql")]
    sys.exit(0 if all(results) else 1)

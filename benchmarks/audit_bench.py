"""Audit chain figures: events appended per second with 1 and 8 concurrent writers (SQLite
and PostgreSQL), and the time of ``flask audit verify`` over 100,000 events.

    make bench          (or: .venv/bin/python benchmarks/audit_bench.py)

Prints figures; asserts nothing. Target: verify 100,000 events in under 2 s.
"""

import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from meetingsec.audit.chain import canonical_json, event_hash  # noqa: E402
from meetingsec.audit.models import GENESIS_HASH, AuditEvent  # noqa: E402
from meetingsec.audit.services import record, verify_chain  # noqa: E402
from meetingsec.core.db import utcnow  # noqa: E402
from meetingsec.extensions import db  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.dbserver import Databases  # noqa: E402

APPENDS_PER_WRITER = 300
VERIFY_EVENTS = 100_000


def appends_per_second(app, writers: int) -> float:
    barrier = threading.Barrier(writers + 1)

    def work(n):
        with app.app_context():
            barrier.wait()
            for i in range(APPENDS_PER_WRITER):
                record("bench.appended", object_type="writer", object_id=n, data={"i": i})
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return writers * APPENDS_PER_WRITER / (time.perf_counter() - start)


def fill_chain(n: int) -> None:
    """Write a valid chain of n events in bulk (the same hashing as record())."""
    prev, at, rows = GENESIS_HASH, utcnow(), []
    payload = canonical_json({"tên": "Nguyễn Văn A", "i": 0})
    for seq in range(1, n + 1):
        h = event_hash(seq, at, None, "bench.filled", "thing", str(seq), payload, prev)
        rows.append(
            {
                "seq": seq,
                "at": at,
                "actor_id": None,
                "action": "bench.filled",
                "object_type": "thing",
                "object_id": str(seq),
                "payload": payload,
                "prev_hash": prev,
                "hash": h,
            }
        )
        prev = h
        if len(rows) == 10_000:
            db.session.execute(insert(AuditEvent), rows)
            rows = []
    if rows:
        db.session.execute(insert(AuditEvent), rows)
    db.session.commit()


def main() -> None:
    print(f"{'backend':<11} {'measure':<34} {'figure':>12}")
    for backend in ("sqlite", "postgresql"):
        dbs = Databases(backend, Path(tempfile.mkdtemp()))
        try:
            for writers in (1, 8):
                url = dbs.fresh()
                app = make_app(url, tempfile.mkdtemp())
                rate = appends_per_second(app, writers)
                with app.app_context():
                    assert verify_chain().ok
                    db.engine.dispose()
                print(f"{backend:<11} {f'appends/s, {writers} writer(s)':<34} {rate:>12.0f}")
            url = dbs.fresh()
            app = make_app(url, tempfile.mkdtemp())
            with app.app_context():
                fill_chain(VERIFY_EVENTS)
                start = time.perf_counter()
                result = verify_chain()
                elapsed = time.perf_counter() - start
                assert result.ok and result.count == VERIFY_EVENTS
                db.engine.dispose()
            print(f"{backend:<11} {f'verify {VERIFY_EVENTS:,} events (s)':<34} {elapsed:>12.2f}")
        finally:
            dbs.close()


if __name__ == "__main__":
    main()

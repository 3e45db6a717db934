"""Races, 1,000 rounds each: two tablets send the same thing 10 ms apart against the app
under gunicorn (2 workers) — the same invitation scanned at two doors, the same claim
ticket handed back at two desks, the same document copy recovered twice, the same device
inspected by two technicians. Each round must give exactly one success and one "already
done". Prints, per backend and race, the rounds that did and the outcomes of any that
did not, and how many times the database holds the thing.

    make bench          (or: .venv/bin/python benchmarks/races_bench.py [sqlite|postgresql])

ROUNDS=100 runs fewer rounds.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import races  # noqa: E402
from tests.dbserver import Databases  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "1000"))


def bench(backend: str) -> bool:
    work = Path(tempfile.mkdtemp(prefix="races-bench-"))
    dbs = Databases(backend, work)
    t0 = time.perf_counter()
    server = races.Server(dbs, work, ROUNDS)
    print(f"\n{backend}: {ROUNDS} rounds per race (set-up {time.perf_counter() - t0:.0f} s)")
    clean = True
    try:
        for race in races.RACES:
            t0 = time.perf_counter()
            results = races.race(server.port, server.plan, race, ROUNDS)
            ok = results.pop("ok", 0)
            clean &= ok == ROUNDS
            others = ", ".join(f"{n}× {what}" for what, n in results.items()) or "none"
            print(
                f"  {race:9s} one success and one 'already': {ok}/{ROUNDS} "
                f"| other outcomes: {others} | {time.perf_counter() - t0:.1f} s"
            )
    finally:
        server.stop()
        dbs.close()
    return clean


if __name__ == "__main__":
    results = [bench(b) for b in sys.argv[1:] or ("sqlite", "postgresql")]
    sys.exit(0 if all(results) else 1)

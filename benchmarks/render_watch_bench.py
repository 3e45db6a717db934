"""Watching a render does not slow it: a 12-row attendance sheet asked by the organiser and
rendered by the real worker (``flask worker``) beside the app under gunicorn (2 workers),
from the request to the record stored:

- quiet: nobody else uses the app;
- watched: the organiser's records page polls the job 4 times a second (what a person
  watching the progress, or several of them, sends);
- at the door: a door tablet opens an attendee's card 4 times a second (people waiting:
  the render pauses, as it should, and runs a second after each 10 s of pause).

Rounds alternate quiet / watched / at the door, 5 of each; medians of the time the sheet
spends being laid out (what the pausing stretches) and of the whole, request to stored.
The worker runs at normal priority here (``--nice 0``) so that the figures show the
pausing alone, not how busy the rest of this machine is.

    make bench          (or: .venv/bin/python benchmarks/render_watch_bench.py [sqlite|postgresql])

Prints figures; asserts nothing. Target: laid out while watched ≤ 1.2 × quiet.
"""

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import door_bench  # noqa: E402
import records_bench  # noqa: E402

from meetingsec.extensions import db  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.dbserver import Databases  # noqa: E402
from tests.gunicorn import Tablet, free_port, serve  # noqa: E402

ROWS, ROUNDS, POLLS_PER_S = 12, 5, 4
TARGET = 1.2


def setup(url: str, instance: Path) -> dict:
    """The door bench's meeting (its clerk, organiser and chair, attendees at the door) and
    a 12-row sheet's meeting."""
    from meetingsec.users.models import User

    door, people, _names, _sha = door_bench.setup(url, instance, attendees=50)
    app = make_app(url, instance)
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(db.select(User))}
        sheet = records_bench.make_sheet_meeting(users, ROWS)
        db.session.remove()
        db.engine.dispose()
    return {"door": door, "people": [i for i, _code in people], "sheet": sheet}


def _latest_job(engine) -> tuple:
    """The newest render job's (id, state), read straight from the database: no app here
    to compete with the render for the CPU, no request that would mark the app in use."""
    with engine.connect() as conn:
        return tuple(
            conn.exec_driver_sql("SELECT id, state FROM record_jobs ORDER BY id DESC LIMIT 1").one()
        )


def one_render(engine, state, tablets: dict, load: str) -> tuple[float, float]:
    """Seconds from the organiser's request to the record stored, and of them the layout's
    (from the job's "laying out" to its next step), under ``load``. The polls come from
    another tab of the organiser (``tablets["watcher"]``), the cards from the clerk's
    tablet."""
    organiser, watcher, clerk = tablets["organiser"], tablets["watcher"], tablets["clerk"]
    sheet = state["sheet"]
    stop = threading.Event()
    job_id = []

    def watch():  # the records page polling the job, as htmx does
        while not stop.wait(1 / POLLS_PER_S):
            if job_id:
                watcher.request(
                    "GET",
                    f"/meetings/{sheet}/records/jobs/{job_id[0]}",
                    headers={"HX-Request": "true"},
                )

    def door():  # a door tablet opening cards
        people, i = state["people"], 0
        while not stop.wait(1 / POLLS_PER_S):
            i += 1
            clerk.request(
                "GET", f"/meetings/{state['door']}/door/attendees/{people[i % len(people)]}"
            )

    loader = {"watched": watch, "at the door": door}.get(load)
    thread = threading.Thread(target=loader) if loader else None
    if thread:
        thread.start()
    t0 = time.perf_counter()
    status, _ = organiser.post(f"/meetings/{sheet}/records/attendance", {})
    assert status == 303, status
    job, seen = _latest_job(engine), {}
    job_id.append(job[0])
    while job[1] not in ("done", "failed"):
        seen.setdefault(job[1], time.perf_counter())
        time.sleep(0.02)
        job = _latest_job(engine)
    done = time.perf_counter()
    stop.set()
    if thread:
        thread.join()
    assert job[1] == "done", job
    layout_end = seen.get("writing", done)
    return done - t0, layout_end - seen.get("layout", layout_end)


def bench(backend: str) -> None:
    work = Path(tempfile.mkdtemp(prefix="render-watch-bench-"))
    dbs = Databases(backend, work)
    url = dbs.fresh()
    instance = work / "instance"
    state = setup(url, instance)
    port = free_port()
    env = {
        **os.environ,
        "MEETINGSEC_SQLALCHEMY_DATABASE_URI": url,
        "MEETINGSEC_INSTANCE_PATH": str(instance),
        "FLASK_APP": "meetingsec:create_app",
    }
    server = serve(port, env)
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "worker", "--nice", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        tablets = {
            name: Tablet(port).log_in(user, door_bench.PASSWORD)
            for name, user in (("organiser", "org"), ("watcher", "org"), ("clerk", "clerk"))
        }
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        one_render(engine, state, tablets, "quiet")  # warm-up
        took = {"quiet": [], "watched": [], "at the door": []}
        for _ in range(ROUNDS):
            for load in took:
                took[load].append(one_render(engine, state, tablets, load))
        total = {load: statistics.median(t for t, _l in runs) for load, runs in took.items()}
        layout = {load: statistics.median(lay for _t, lay in runs) for load, runs in took.items()}
        quiet, watched = layout["quiet"], layout["watched"]
        verdict = "ok" if watched <= TARGET * quiet else "OVER"
        print(
            f"\n{backend}: {ROWS}-row attendance sheet (medians of {ROUNDS}), laying out | "
            f"request → stored:\n"
            f"  quiet                     {quiet:5.2f} s | {total['quiet']:5.2f} s\n"
            f"  job page polled {POLLS_PER_S}/s     {watched:5.2f} s | {total['watched']:5.2f} s"
            f"  layout {watched / quiet:.2f} × quiet (target ≤ {TARGET} ×: {verdict})\n"
            f"  door cards {POLLS_PER_S}/s beside it {layout['at the door']:5.2f} s | "
            f"{total['at the door']:5.2f} s  layout {layout['at the door'] / quiet:.2f} × quiet"
            f" (people waiting: the render pauses)"
        )
    finally:
        for proc in (server, worker):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
        dbs.drop(url)
        dbs.close()


if __name__ == "__main__":
    for backend in sys.argv[1:] or ("sqlite", "postgresql"):
        bench(backend)

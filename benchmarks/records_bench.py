"""Record figures: the attendance sheet with a distinct signature on every row.

1. The sheet at 50, 500, 2,000 and 3,000 rows (``BENCH_SIZES=50,500`` for fewer), each
   made in a fresh process as the worker makes it once the meeting has closed: the time
   from "close" (the sheet asked for) to the sheet stored and downloadable, without
   preparation (nothing laid out before: a cold render) and with it (the groups of rows
   laid out while the door worked, ``records.tasks.prepare_sheet``, which is timed apart),
   the parts laid out at closing, pages, size and peak memory.
2. Door check-ins while a 2,000-row sheet renders: the real app under gunicorn (2 workers)
   beside the real worker (``flask worker``), 16 clients paced at 100 check-ins per second,
   p95 idle and p95 during the render, and their ratio.

    make bench          (or: .venv/bin/python benchmarks/records_bench.py [sqlite|postgresql])

Prints figures; asserts nothing. Targets: the sheet ready ≤ 3 s after closing at any size
up to 3,000 rows when prepared, a cold 2,000-row sheet ≤ 12 s on 2 cores; check-in p95
during the render ≤ 1.5 × idle. The machine may be shared: compare figures of one run as
ratios.
"""

import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import door_bench  # noqa: E402

from meetingsec.core.db import utcnow  # noqa: E402
from meetingsec.extensions import db  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.dbserver import Databases  # noqa: E402
from tests.gunicorn import Tablet, free_port, serve  # noqa: E402

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "50,500,2000,3000").split(","))
#: Layout processes at once (the figures are "on 2 cores")
PROCESSES = 2
PASSWORD = door_bench.PASSWORD


def signature(i: int) -> str:
    """A distinct two-stroke signature for person ``i`` (signature_pad's toData shape)."""
    rng = random.Random(i)
    strokes = []
    for s in range(2):
        x, y, points = 40 + s * 250, 100, []
        for t in range(40):
            x += rng.uniform(2, 9)
            y = 100 + 50 * math.sin(t / rng.uniform(2, 5)) + rng.uniform(-8, 8)
            points.append({"x": x, "y": y, "time": t * 16, "pressure": 0.5})
        strokes.append({"penColor": "#000", "points": points})
    return json.dumps({"width": 600, "height": 200, "strokes": strokes})


def make_sheet_meeting(users, rows: int) -> int:
    """A meeting of ``rows`` approved people, every one checked in and signed, a phone
    deposited by one in three; its session ended."""
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
    from meetingsec.door import commitment
    from meetingsec.meetings.services import MeetingData
    from meetingsec.org.models import Unit, Venue
    from meetingsec.workflows import services as workflows
    from meetingsec.workflows.services import create_meeting

    start = utcnow() + timedelta(hours=1)
    meeting = create_meeting(
        MeetingData(
            title=f"Hội nghị {rows} đại biểu",
            kind="hoi_nghi",
            classification="toi_mat",
            format="in_person",
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            venue=db.session.scalars(db.select(Venue)).first(),
            host_unit=db.session.scalars(db.select(Unit)).first(),
            chair=users["chair"],
            clerks=[users["clerk"]],
        ),
        actor=users["org"],
    )
    people = add_attendees(
        meeting,
        [
            {
                "full_name": f"Đại biểu Nguyễn Thị Ngọc {i}",
                "unit_name": f"Sở Kế hoạch và Đầu tư {i % 40}",
                "position": "Phó Giám đốc",
            }
            for i in range(rows)
        ],
        actor=users["org"],
        source="bench",
    )
    approve_list(meeting, actor=users["chair"], seen=shown_changes(people, []))
    meeting.status = "cleared"
    db.session.commit()  # the status read back as the lifecycle's
    sha = commitment.commitment_for(meeting)[1]
    for i, p in enumerate(people):
        workflows.check_in(
            meeting,
            p.invitation_code,
            actor=users["clerk"],
            key=f"sheet-{rows}-{i}",
            items={"phone": 1} if i % 3 == 0 else {},
            carries_none=i % 3 != 0,
            signature=signature(i),
            commitment_sha256=sha,
        )
    meeting.status = "closing"
    meeting.ended_at = utcnow()
    db.session.commit()
    return meeting.id


def setup(url: str, instance: Path) -> dict:
    """The door bench's meeting (2,000 approved, door open) and one sheet per size."""
    from meetingsec.users.models import User

    door_meeting, people, _names, sha = door_bench.setup(url, instance)
    app = make_app(url, instance)
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(db.select(User))}
        sheets = {n: make_sheet_meeting(users, n) for n in SIZES}
        db.session.remove()
        db.engine.dispose()
    return {"door": door_meeting, "people": people, "sha": sha, "sheets": sheets}


def _peak_mb(pid) -> float:
    """A process's peak resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def close_once(url: str, instance: str, meeting_id: int, prepared: bool) -> dict:
    """In this (fresh) process, what the worker does: with ``prepared``, first what it did
    while the door worked (``prepare_sheet``); then, timed, the sheet asked for at
    closing: its job run to the stored record."""
    from meetingsec.meetings.models import Meeting
    from meetingsec.records import render, services, tasks
    from meetingsec.records.sheet_cache import SheetCache
    from meetingsec.users.models import User

    app = make_app(url, Path(instance), RECORD_PROCESSES=PROCESSES)
    with app.app_context():
        render.start_layout_server()  # as the worker does when it starts
        SheetCache(app.instance_path, meeting_id).drop()  # nothing from an earlier run
        t0 = time.perf_counter()
        if prepared:
            tasks.prepare_sheet(meeting_id)
        t1 = time.perf_counter()
        meeting = db.session.get(Meeting, meeting_id)
        organiser = db.session.get(User, meeting.organiser_id)
        job = services.request_record(meeting, "attendance", actor=organiser)
        db.session.commit()
        record_id = tasks.run_job(job.id)  # read, lay out what is missing, join, store
        t2 = time.perf_counter()
        from meetingsec.records.models import Record

        rec = db.session.get(Record, record_id)
        if os.environ.get("BENCH_KEEP_PDF"):  # a folder to keep the sheets in, to look at
            name = f"sheet-{rec.pages}-pages-{'prepared' if prepared else 'cold'}.pdf"
            (Path(os.environ["BENCH_KEEP_PDF"]) / name).write_bytes(rec.data)
        out = {
            "prepare": t1 - t0,
            "close": t2 - t1,
            "laid_out": render.last_laid_out,
            "pages": rec.pages,
            "size": rec.size,
            "rss_mb": _peak_mb("self"),
            "part_mb": render.last_peak_mb,
        }
        SheetCache(app.instance_path, meeting_id).drop()
        db.session.remove()
        db.engine.dispose()
    return out


def sheet_figures(url, instance, sheets) -> None:
    print(
        f"  the attendance sheet from 'close' to downloadable ({PROCESSES} layout processes;"
        " target ≤ 3 s prepared, cold 2,000 rows ≤ 12 s):"
    )
    for rows, meeting_id in sheets.items():
        figures = {}
        for prepared in (False, True):
            out = subprocess.run(
                [
                    sys.executable,
                    "-c",
                    # as ``flask worker`` runs it: the layout processes the worker starts do
                    # not import a big main module first (a script's would be, in each)
                    f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                    f"import records_bench, json; print(json.dumps(records_bench.close_once("
                    f"{url!r}, {str(instance)!r}, {meeting_id}, {prepared})))",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            figures[prepared] = json.loads(out.stdout.strip().splitlines()[-1])
        cold, warm = figures[False], figures[True]
        print(
            f"  {rows:5d} rows: cold {cold['close']:6.2f} s ({cold['laid_out']} parts laid out) |"
            f" prepared {warm['close']:5.2f} s ({warm['laid_out']} laid out at closing; the"
            f" preparation {warm['prepare']:5.1f} s before) | prepared = "
            f"{warm['close'] / cold['close']:.2f} × cold | {warm['pages']:3d} pages"
            f" (cold {cold['pages']}) | {warm['size'] / 1024:6.0f} KiB | peak memory: worker"
            f" {max(cold['rss_mb'], warm['rss_mb']):.0f} MB, layout processes"
            f" {max(cold['part_mb'], warm['part_mb']):.0f} MB each at most"
        )


def latency_figures(url, instance, state) -> None:
    port = free_port()
    env = {
        **os.environ,
        "MEETINGSEC_SQLALCHEMY_DATABASE_URI": url,
        "MEETINGSEC_INSTANCE_PATH": str(instance),
        "FLASK_APP": "meetingsec:create_app",
    }
    server = serve(port, env)
    worker = subprocess.Popen(
        [str(ROOT / ".venv/bin/flask"), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        people = list(state["people"])
        # warm-up (the workers' first requests load templates and catalogs), not measured
        door_bench.run(port, state["door"], people, state["sha"], 16, 200, 100)
        idle, errors, *_ = door_bench.run(port, state["door"], people, state["sha"], 16, 400, 100)
        organiser = Tablet(port)
        token = organiser.token("/login")
        organiser.request(
            "POST",
            "/login",
            urlencode({"csrf_token": token, "username": "org", "password": PASSWORD}),
        )
        sheet = state["sheets"][2000]
        token = organiser.token(f"/meetings/{sheet}/records/")
        t0 = time.perf_counter()
        status, _ = organiser.request(
            "POST", f"/meetings/{sheet}/records/attendance", urlencode({"csrf_token": token})
        )
        assert status == 303, status
        busy, errors2, *_ = door_bench.run(port, state["door"], people, state["sha"], 16, 400, 100)
        app = make_app(url, instance)
        with app.app_context():
            from meetingsec.records.models import RecordJob

            while True:
                job = db.session.scalars(db.select(RecordJob)).one()
                if job.state in ("done", "failed"):
                    break
                db.session.commit()
                time.sleep(0.2)
            took = (job.finished_at - job.started_at).total_seconds()
            state_ = job.state
            db.session.remove()
            db.engine.dispose()
        done_after = time.perf_counter() - t0
        # the same run again once the sheet is done: this VM's speed drifts between runs,
        # so the render is judged against idle runs on both sides of it
        after, errors3, *_ = door_bench.run(port, state["door"], people, state["sha"], 16, 400, 100)
        p_idle, p_busy = door_bench.pct(idle, 95), door_bench.pct(busy, 95)
        p_after = door_bench.pct(after, 95)
        print(
            f"  check-ins, 16 clients paced at 100/s, p95: idle before {p_idle:.1f} ms | while "
            f"the 2,000-row sheet renders {p_busy:.1f} ms | idle after {p_after:.1f} ms | "
            f"during = {p_busy / p_idle:.2f} × idle before, {p_busy / p_after:.2f} × idle after"
            f" | the job: {state_}, rendered in {took:.1f} s (request to done {done_after:.1f} s)"
            + (f" | errors {errors + errors2 + errors3}" if errors or errors2 or errors3 else "")
        )
    finally:
        for proc in (server, worker):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def bench(backend: str) -> None:
    work = Path(tempfile.mkdtemp(prefix="records-bench-"))
    dbs = Databases(backend, work)
    url = dbs.fresh()
    try:
        state = setup(url, work / "instance")
        print(f"\n{backend}:")
        only = os.environ.get("BENCH_ONLY")
        if only != "latency":
            sheet_figures(url, work / "instance", state["sheets"])
        if only != "sheets":
            latency_figures(url, work / "instance", state)
    finally:
        dbs.drop(url)
        dbs.close()


if __name__ == "__main__":
    for backend in sys.argv[1:] or ("sqlite", "postgresql"):
        bench(backend)

"""Weak servers: the pages people open most, on a database of 50 meetings of 500 approved
attendees each, served as ``make run`` serves them on an old two-core desktop
(gunicorn, ``WORKERS=2``).

Of the 50 meetings, 8 have had their door (everyone checked in with a phone deposited and
a signature) and their session ended; one is at its door with half of its people in; the
others are cleared to start. Each page is asked ``REQUESTS`` times in turn by one client,
after a few unmeasured requests:

- the meetings list (``/meetings/``, the organiser's, first page of 20: ended meetings among
  them, each with its checklist evaluated);
- a meeting's page (an ended meeting);
- the door card (the meeting at its door, a different attendee each time, half of them in);
- the records page (an ended meeting).

    make bench          (or: .venv/bin/python benchmarks/weak_server_bench.py [sqlite|postgresql])

Prints p50/p95 per page next to the target (p95 ≤ 50 ms), and the server's CPU time per
request (from /proc, gunicorn's processes: on a machine busy with other work, latency
measures the machine, CPU time the page). Asserts nothing.
"""

import os
import signal
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.door_bench import pct  # noqa: E402
from meetingsec.core.db import utcnow  # noqa: E402
from meetingsec.extensions import db  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.dbserver import Databases  # noqa: E402
from tests.gunicorn import Tablet, cpu_seconds, free_port, serve  # noqa: E402
from tests.helpers import signature_json  # noqa: E402

MEETINGS, ATTENDEES = 50, 500
#: Meetings whose door has worked and whose session has ended (every sixth)
ENDED_EVERY = 6
REQUESTS, WARM_UP = 100, 5
WORKERS = int(os.environ.get("WORKERS", "2"))
TARGET_P95_MS = 50
PASSWORD = "benchmark password 2026"


def setup(url: str, instance: Path) -> dict:
    """The 50 meetings, built through the services as the app would."""
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
    from meetingsec.door import commitment as commitments
    from meetingsec.meetings import services as meetings
    from meetingsec.meetings.services import MeetingData
    from meetingsec.org.services import save_unit, save_venue
    from meetingsec.users.roles import Role
    from meetingsec.users.services import create_user
    from meetingsec.workflows import services as workflows
    from meetingsec.workflows.services import create_meeting

    app = make_app(url, instance)
    signature = signature_json()
    with app.app_context():
        users = {
            name: create_user(
                actor=None, username=name, full_name=name, roles={role}, password=PASSWORD
            )
            for name, role in (
                ("clerk", Role.CLERK),
                ("org", Role.ORGANISER),
                ("chair", Role.CHAIR),
            )
        }
        venue = save_venue(
            None, actor=None, name="Hội trường", address="", at_hq=True, closed_room=True
        )
        unit = save_unit(None, actor=None, name="Văn phòng", parent=None)
        plan = {"ended": None, "door": None, "door_people": []}
        start = utcnow() + timedelta(days=1)
        for n in range(MEETINGS):
            at = start + timedelta(days=n)
            meeting = create_meeting(
                MeetingData(
                    title=f"Hội nghị số {n + 1}",
                    kind="hoi_nghi",
                    classification="toi_mat",
                    format="in_person",
                    starts_at=at,
                    ends_at=at + timedelta(hours=3),
                    venue=venue,
                    host_unit=unit,
                    chair=users["chair"],
                    clerks=[users["clerk"]],
                ),
                actor=users["org"],
            )
            people = add_attendees(
                meeting,
                [
                    {"full_name": f"Nguyễn Văn Khách {i}", "unit_name": f"Sở {i % 40}"}
                    for i in range(ATTENDEES)
                ],
                actor=users["org"],
                source="bench",
            )
            approve_list(meeting, actor=users["chair"], seen=shown_changes(people, []))
            meeting.status = "cleared"
            db.session.commit()
            ended = n % ENDED_EVERY == 0
            at_door = n == MEETINGS - 1
            entering = people if ended else people[: ATTENDEES // 2] if at_door else []
            for i, person in enumerate(entering):
                workflows.check_in(
                    meeting,
                    person.invitation_code,
                    actor=users["clerk"],
                    key=f"bench-{meeting.id}-{i}",
                    items={"phone": 1},
                    carries_none=False,
                    signature=signature,
                    commitment_sha256=commitments.commitment_for(meeting)[1],
                )
            if ended:
                meetings.start_session(meeting, actor=users["chair"])
                meetings.end_session(meeting, actor=users["chair"])
                plan["ended"] = plan["ended"] or meeting.id
            if at_door:
                plan["door"], plan["door_people"] = meeting.id, [p.id for p in people]
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return plan


def timed(server, tablet: Tablet, paths) -> tuple[list[float], float]:
    """The latency of each request after the warm-up, and the server's CPU time per
    request (from /proc: what the page costs, however busy the machine is)."""
    for path in paths[:WARM_UP]:
        assert tablet.request("GET", path)[0] == 200, path
    times = []
    cpu = cpu_seconds(server.pid)
    for path in paths[WARM_UP:]:
        t0 = time.perf_counter()
        status, _ = tablet.request("GET", path)
        times.append(time.perf_counter() - t0)
        assert status == 200, (path, status)
    return times, (cpu_seconds(server.pid) - cpu) / len(times) * 1000


def bench(backend: str) -> None:
    work = Path(tempfile.mkdtemp(prefix="weak-bench-"))
    dbs = Databases(backend, work)
    url = dbs.fresh()
    t0 = time.perf_counter()
    plan = setup(url, work / "instance")
    seeded = time.perf_counter() - t0
    port = free_port()
    env = {**os.environ, "MEETINGSEC_SQLALCHEMY_DATABASE_URI": url}
    server = serve(port, env, workers=WORKERS)
    try:
        print(
            f"\n{backend}: {MEETINGS} meetings × {ATTENDEES} attendees (seeded in {seeded:.0f} s), "
            f"gunicorn WORKERS={WORKERS}, 1 client, {REQUESTS} requests per page"
        )
        org = Tablet(port).log_in("org", PASSWORD)
        clerk = Tablet(port).log_in("clerk", PASSWORD)
        n = REQUESTS + WARM_UP
        people = plan["door_people"]
        pages = (
            ("meetings list", org, ["/meetings/"] * n),
            ("a meeting's page", org, [f"/meetings/{plan['ended']}"] * n),
            (
                "door card",
                clerk,
                [
                    f"/meetings/{plan['door']}/door/attendees/{people[i * 7 % len(people)]}"
                    for i in range(n)
                ],
            ),
            ("records page", org, [f"/meetings/{plan['ended']}/records/"] * n),
        )
        for name, tablet, paths in pages:
            times, cpu = timed(server, tablet, paths)
            p95 = pct(times, 95)
            verdict = "ok" if p95 <= TARGET_P95_MS else "OVER"
            print(
                f"  {name:17s} p50 {pct(times, 50):5.1f} ms  p95 {p95:5.1f} ms "
                f"(target p95 ≤ {TARGET_P95_MS} ms: {verdict})  server CPU {cpu:4.1f} ms/request"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        dbs.drop(url)
        dbs.close()


if __name__ == "__main__":
    for backend in sys.argv[1:] or ("sqlite", "postgresql"):
        bench(backend)

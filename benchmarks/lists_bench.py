"""Long lists: the attendee list page with 3,000 people, for the chair (3,000 changes to
approve) and for the organiser, and a name searched in it (SQLite, in-process through
Flask's test client).

    make bench          (or: .venv/bin/python benchmarks/lists_bench.py)

Prints figures; asserts nothing. Target: each page under 300 ms on this machine.
"""

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meetingsec.core.db import utcnow  # noqa: E402
from meetingsec.extensions import db  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.dbserver import Databases  # noqa: E402

ATTENDEES = 3000
RUNS = 20
PASSWORD = "benchmark password 2026"


def setup(url: str, instance: Path):
    from meetingsec.attendees.services import add_attendees
    from meetingsec.meetings.services import MeetingData, create_meeting
    from meetingsec.org.services import save_unit, save_venue
    from meetingsec.users.roles import Role
    from meetingsec.users.services import create_user

    app = make_app(url, instance)
    with app.app_context():
        org, chair = (
            create_user(actor=None, username=n, full_name=n, roles={r}, password=PASSWORD)
            for n, r in (("org", Role.ORGANISER), ("chair", Role.CHAIR))
        )
        start = utcnow() + timedelta(days=2)
        meeting = create_meeting(
            MeetingData(
                title="Hội nghị đo danh sách dài",
                kind="hoi_nghi",
                classification="toi_mat",
                format="in_person",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                venue=save_venue(
                    None, actor=None, name="Hội trường", address="", at_hq=True, closed_room=True
                ),
                host_unit=save_unit(None, actor=None, name="Văn phòng", parent=None),
                chair=chair,
            ),
            actor=org,
        )
        rows = [
            {"full_name": f"Nguyễn Văn Khách {i}", "unit_name": f"Sở {i % 40}"}
            for i in range(ATTENDEES)
        ]
        add_attendees(meeting, rows, actor=org, source="bench")
        db.session.commit()
        return app, meeting.id


def timed(client, url: str) -> str:
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append((time.perf_counter() - started) * 1000)
    return f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms"


def main():
    with tempfile.TemporaryDirectory() as tmp:
        instance = Path(tmp)
        dbs = Databases("sqlite", instance)
        app, meeting_id = setup(dbs.fresh(), instance / "instance")
        base = f"/meetings/{meeting_id}/attendees/"
        for username in ("chair", "org"):
            client = app.test_client()
            client.post("/login", data={"username": username, "password": PASSWORD})
            print(
                f"{username}, {ATTENDEES} people awaiting approval, page 1: {timed(client, base)}"
            )
            print(f"{username}, page 30: {timed(client, base + '?page=30')}")
            print(f"{username}, search 'khach 2999': {timed(client, base + '?q=khach+2999')}")


if __name__ == "__main__":
    main()

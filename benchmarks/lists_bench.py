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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meetingsec.extensions import db  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.dbserver import Databases  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402

ATTENDEES = 3000
RUNS = 20


def setup(url: str, instance: Path):
    from meetingsec.attendees.services import add_attendees
    from tests.factories import chair_of, meeting_factory, organiser_of, user_factory

    app = make_app(url, instance)
    with app.app_context():
        meeting = meeting_factory(user_factory())(title="Hội nghị đo danh sách dài")
        rows = [
            {"full_name": f"Nguyễn Văn Khách {i}", "unit_name": f"Sở {i % 40}"}
            for i in range(ATTENDEES)
        ]
        add_attendees(meeting, rows, actor=organiser_of(meeting), source="bench")
        db.session.commit()
        logins = {
            "chair": chair_of(meeting).username,
            "organiser": organiser_of(meeting).username,
        }
        return app, meeting.id, logins


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
        app, meeting_id, logins = setup(dbs.fresh(), instance / "instance")
        base = f"/meetings/{meeting_id}/attendees/"
        for who, username in logins.items():
            client = app.test_client()
            client.post("/login", data={"username": username, "password": PASSWORD})
            print(f"{who}, {ATTENDEES} people awaiting approval, page 1: {timed(client, base)}")
            print(f"{who}, page 30: {timed(client, base + '?page=30')}")
            print(f"{who}, search 'khach 2999': {timed(client, base + '?q=khach+2999')}")


if __name__ == "__main__":
    main()

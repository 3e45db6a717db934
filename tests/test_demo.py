"""The demo agency that `make run` loads, and loads only once."""

from datetime import timedelta

from sqlalchemy import func, select

from meetingsec.attendees.services import active_attendees
from meetingsec.audit.services import verify_chain
from meetingsec.core.db import utcnow
from meetingsec.core.i18n import local_date
from meetingsec.demo import DEMO_ATTENDEES, DEMO_PASSWORD, DEMO_USERS
from meetingsec.documents.queries import copy_counts
from meetingsec.door.queries import counters
from meetingsec.extensions import db
from meetingsec.models import Meeting, Unit, User, Venue


def _counts():
    return [
        db.session.scalar(select(func.count()).select_from(m)) for m in (User, Unit, Venue, Meeting)
    ]


def _door_open_today() -> int:
    """The demo's cleared meeting starts in 20 minutes: left out when that is tomorrow."""
    now = utcnow()
    return int(local_date(now + timedelta(minutes=20)) == local_date(now))


def _ended_today() -> int:
    """The demo's ended meeting was held this morning: left out when that was yesterday."""
    now = utcnow()
    return int(local_date(now - timedelta(hours=3)) == local_date(now))


def test_the_demo_door_is_open(runner):
    runner.invoke(args=["seed-demo"])
    meetings = db.session.scalars(select(Meeting).order_by(Meeting.id)).all()
    assert meetings[0].status == "draft"
    assert len(active_attendees(meetings[0].id)) == 5
    if _door_open_today():
        cleared = meetings[1]
        assert cleared.status == "cleared"  # through the real gate, every item satisfied
        people = active_attendees(cleared.id)
        assert len(people) == len(DEMO_ATTENDEES) and all(p.admitted for p in people)
    if _ended_today():
        ended = meetings[-1]
        assert ended.status == "closing"
        counts = copy_counts(ended.id)
        assert (counts.handed_out, counts.recovered, counts.outstanding) == (4, 2, 2)
        assert counters(ended.id).held == 3
    assert verify_chain().ok


def test_the_demo_loads_just_after_midnight(runner, monkeypatch):
    """At 00:10 on the agency's clock the cleared meeting's work cannot start half an hour
    earlier (yesterday): its seal would not have been re-checked on the meeting's day."""
    from datetime import datetime, time

    import meetingsec.demo as demo
    from meetingsec.core.i18n import to_utc

    ten_past = to_utc(datetime.combine(local_date(utcnow()), time(0, 10)))
    monkeypatch.setattr(demo, "utcnow", lambda: ten_past)
    result = runner.invoke(args=["seed-demo"])
    assert result.exception is None, result.output
    titles = {m.title: m.status for m in db.session.scalars(select(Meeting))}
    assert titles["Họp triển khai kế hoạch bảo vệ bí mật nhà nước năm 2027"] == "cleared"


def test_seed_twice_creates_nothing_more(runner):
    out = runner.invoke(args=["seed-demo"])
    assert out.exit_code == 0 and "Demo data loaded." in out.output
    first = _counts()
    assert first == [len(DEMO_USERS), 5, 3, 1 + _door_open_today() + _ended_today()]
    out = runner.invoke(args=["seed-demo"])
    assert out.exit_code == 0 and "already present" in out.output
    assert _counts() == first
    result = verify_chain()
    assert result.ok and result.uncovered == 0  # the demo's chain is signed to its head


def test_demo_accounts_are_printed_and_work(runner, client):
    runner.invoke(args=["seed-demo"])
    out = runner.invoke(args=["demo-accounts", "--url", "http://10.0.0.5:8000/"])
    assert "http://10.0.0.5:8000/" in out.output and DEMO_PASSWORD in out.output
    for username, *_ in DEMO_USERS:
        assert username in out.output
        resp = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert resp.status_code == 303
        client.post("/logout")

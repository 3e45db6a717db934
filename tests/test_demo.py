"""The demo agency that `make run` loads, and loads only once."""

from sqlalchemy import func, select

from meetingsec.audit.services import verify_chain
from meetingsec.demo import DEMO_PASSWORD, DEMO_USERS
from meetingsec.extensions import db
from meetingsec.models import Meeting, Unit, User, Venue


def _counts():
    return [
        db.session.scalar(select(func.count()).select_from(m)) for m in (User, Unit, Venue, Meeting)
    ]


def test_seed_twice_creates_nothing_more(runner):
    out = runner.invoke(args=["seed-demo"])
    assert out.exit_code == 0 and "Demo data loaded." in out.output
    first = _counts()
    assert first == [len(DEMO_USERS), 5, 3, 1]
    out = runner.invoke(args=["seed-demo"])
    assert out.exit_code == 0 and "already present" in out.output
    assert _counts() == first
    assert verify_chain().ok


def test_demo_accounts_are_printed_and_work(runner, client):
    runner.invoke(args=["seed-demo"])
    out = runner.invoke(args=["demo-accounts", "--url", "http://10.0.0.5:8000/"])
    assert "http://10.0.0.5:8000/" in out.output and DEMO_PASSWORD in out.output
    for username, *_ in DEMO_USERS:
        assert username in out.output
        resp = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert resp.status_code == 303
        client.post("/logout")

"""The attendee list over HTTP: the chair approves exactly the changes the page showed."""

import re

from meetingsec.attendees import services
from meetingsec.extensions import db
from tests.factories import chair_of, organiser_of
from tests.helpers import actions, snapshot


def _seen(page: str) -> str:
    """What the approval form carries about the changes it shows."""
    tag = re.search(r'<input[^>]*name="seen"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def _row(name):
    return {"full_name": name, "unit_name": "Sở Nội vụ"}


def test_the_chair_approves_exactly_the_changes_shown(client, login, make_meeting):
    """The pen-test: with the list page open at the chair's, the organiser takes the one
    pending person off and puts another on; the chair's approval (same number of changes)
    is refused and approves nobody. Read again, the list is approved as shown."""
    meeting = make_meeting()
    first = services.add_attendee(meeting, _row("Nguyễn Văn An"), actor=organiser_of(meeting))
    db.session.commit()
    login(chair_of(meeting))
    url = f"/meetings/{meeting.id}/attendees/"
    seen = _seen(client.get(url).get_data(as_text=True))

    services.remove_attendee(meeting, first, actor=organiser_of(meeting), reason="")
    second = services.add_attendee(meeting, _row("Trần Văn Bình"), actor=organiser_of(meeting))
    db.session.commit()
    before = snapshot()
    for stale in (seen, "1", "", "x" * 5000):
        resp = client.post(f"{url}approve", data={"seen": stale})
        assert resp.status_code == 303, stale
        assert snapshot() == before, stale

    seen = _seen(client.get(url).get_data(as_text=True))
    assert client.post(f"{url}approve", data={"seen": seen}).status_code == 303
    db.session.expire_all()
    assert second.admitted and not first.admitted
    assert actions()[-1] == "attendees.approved"

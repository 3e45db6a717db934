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


def test_the_organiser_adds_a_foreign_guest_with_a_passport(client, login, make_meeting):
    """The form takes a passport number (in capitals, spaces dropped) and a nationality;
    a number that is not 6 to 9 letters or digits, or a passport beside a CCCD number, is
    refused beside its field and adds no one."""
    from tests.helpers import error_codes

    meeting = make_meeting()
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/attendees/"
    guest = {"full_name": "Bounmy Sisavath", "unit_name": "Bộ Quốc phòng Lào", "nationality": "Lào"}
    before = snapshot()
    for bad in ({"passport_number": "P12-34567"}, {"passport_number": "P12"},
                {"passport_number": "P1234567", "id_number": "001085012345"}):  # fmt: skip
        resp = client.post(url, data={**guest, **bad})
        assert resp.status_code == 422, bad
        assert "bad_document" in error_codes(resp)
        page = resp.get_data(as_text=True)
        field = re.search(r'<input[^>]*id="passport_number"[^>]*>', page).group(0)
        assert 'aria-invalid="true"' in field, bad
    assert snapshot() == before
    resp = client.post(url, data={**guest, "passport_number": "p 1234567"})
    assert resp.status_code == 303
    [person] = services.active_attendees(meeting.id)
    assert (person.passport_number, person.nationality, person.id_document) == (
        "P1234567",
        "Lào",
        "passport",
    )
    assert actions()[-1] == "attendees.added"
    # the same passport again is someone already on the list
    resp = client.post(
        url, data={**guest, "full_name": "Người Khác", "passport_number": "P1234567"}
    )
    assert resp.status_code == 422 and "duplicate" in error_codes(resp)

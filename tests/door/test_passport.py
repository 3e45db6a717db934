"""Identity at the door for a foreign guest: no CCCD, the passport whose number the list
gives (issue 19: without it a Tuyệt mật meeting with foreign parties never met
tm-attendee-screening)."""

import re

import pytest

from meetingsec.core.errors import DomainError
from meetingsec.door import identity
from meetingsec.door.models import IdentityCheck
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident
from meetingsec.records.queries import evaluate_checklist
from tests.door.test_identity import cccd
from tests.helpers import actions, check_in, error_codes, snapshot

#: ICAO Doc 9303's specimen passport (Anna Maria Eriksson, Utopia): its MRZ's second line
SPECIMEN_NUMBER = "L898902C3"
SPECIMEN_MRZ = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
#: A number shorter than 9, padded with "<" (check digit 0 by ICAO's 7-3-1 weights)
SHORT_MRZ = "C1234567<0LAO8001019M3001017<<<<<<<<<<<<<<04"


@pytest.fixture
def tm_guests(open_door):
    """A Tuyệt mật meeting's open door: a citizen with a CCCD number, a foreign guest with
    a passport number, another foreign guest."""
    meeting, clerk, (citizen, guest, other) = open_door(classification="tuyet_mat")
    citizen.id_number = "001085012340"
    guest.passport_number, guest.nationality = SPECIMEN_NUMBER, "Lào"
    other.passport_number = "C1234567"
    db.session.commit()
    return meeting, clerk, (citizen, guest, other)


def _check(meeting, clerk, person, scanned, key="pp-key-1"):
    row = identity.check_identity(meeting, person, scanned, actor=clerk, key=key)
    db.session.commit()
    return row


@pytest.mark.parametrize(
    "text,number",
    [
        (SPECIMEN_NUMBER, SPECIMEN_NUMBER),  # typed
        ("l898 902 c3", SPECIMEN_NUMBER),  # as people type it
        ("B123456", "B123456"),
        (SPECIMEN_MRZ, SPECIMEN_NUMBER),  # the MRZ's second line from a wedge reader
        (SHORT_MRZ, "C1234567"),  # "<" padding stripped
        ("P<UTOERIKSSON<<ANNA<MARIA" + "<" * 19 + SPECIMEN_MRZ, SPECIMEN_NUMBER),  # both lines
        ("L898902C35UTO7408122F1204159ZE184226B<<<<<10", None),  # check digit misread
        ("B1234", None),  # too short
        ("B12345678X", None),  # too long
        ("B12-3456", None),
        ("001085012345", None),  # a CCCD's number
        (cccd("001085012345", "Nguyễn Văn A"), None),  # a CCCD's QR
        ("", None),
    ],
)
def test_the_passport_number_is_recognised(text, number):
    assert identity.parse_passport(text) == number


def test_a_matching_passport_verifies_and_keeps_only_the_minimum(tm_guests):
    meeting, clerk, (_citizen, guest, _other) = tm_guests
    row = _check(meeting, clerk, guest, SPECIMEN_MRZ)
    assert (row.matched, row.document, row.id_number) == (True, "passport", SPECIMEN_NUMBER)
    assert actions()[-1] == "door.passport_checked"
    # nothing else of the MRZ (birth date, expiry, nationality code) is kept anywhere
    everything = repr(snapshot())
    assert "740812" not in everything and "120415" not in everything
    # a retry of the same request finds the same row
    assert _check(meeting, clerk, guest, SPECIMEN_NUMBER).id == row.id
    assert db.session.query(IdentityCheck).count() == 1


@pytest.mark.parametrize("shown", ["C1234567", "N9999999", SHORT_MRZ])
def test_a_passport_that_does_not_match_is_refused_in_one_tap(tm_guests, shown):
    meeting, clerk, (_citizen, guest, _other) = tm_guests
    row = _check(meeting, clerk, guest, shown)
    assert not row.matched and row.mismatch == "number" and row.document == "passport"
    incident = identity.refuse_mismatch(meeting, guest, actor=clerk, key="refuse-1")
    db.session.commit()
    assert incident.kind == "entry_refused" and incident.attendee_id == guest.id
    assert row.id_number in incident.description
    assert actions()[-1] == "door.identity_refused"


def test_a_wrong_format_is_a_clear_error_and_changes_nothing(tm_guests):
    meeting, clerk, (_citizen, guest, _other) = tm_guests
    before = snapshot()
    for text in ("B12-3456", "001085012345", cccd("001085012345", guest.full_name), ""):
        with pytest.raises(DomainError) as e:
            _check(meeting, clerk, guest, text)
        assert e.value.code == "not_passport" and e.value.field == "code"
        db.session.rollback()
    with pytest.raises(DomainError) as e:
        identity.refuse_mismatch(meeting, guest, actor=clerk, key="r")
    assert e.value.code == "no_mismatch"
    db.session.rollback()
    assert snapshot() == before


def test_tm_attendee_screening_met_by_a_cccd_and_a_passport(tm_guests):
    """A Tuyệt mật meeting with foreign parties: one citizen verified by the CCCD, one
    foreign guest by the passport, both in: the rule is met."""
    meeting, clerk, (citizen, guest, _other) = tm_guests

    def item():
        return next(v for v in evaluate_checklist(meeting) if v.rule.id == "tm-attendee-screening")

    _check(meeting, clerk, citizen, cccd(citizen.id_number, citizen.full_name), key="k-c")
    check_in(meeting, clerk, citizen)
    check_in(meeting, clerk, guest)  # went on without the passport first
    db.session.commit()
    assert item().status == "unmet" and "1" in str(item().reason)
    _check(meeting, clerk, guest, SPECIMEN_NUMBER, key="k-g")
    assert item().status == "met"


def test_the_attendance_sheet_marks_the_passport_verified(tm_guests):
    from meetingsec.records import builders

    meeting, clerk, (citizen, guest, other) = tm_guests
    _check(meeting, clerk, citizen, cccd(citizen.id_number, citizen.full_name), key="k-c")
    _check(meeting, clerk, guest, SPECIMEN_MRZ, key="k-g")
    for person in (citizen, guest, other):
        check_in(meeting, clerk, person)
    db.session.commit()
    sheet = builders.attendance(meeting)
    rows = {r["name"]: r["identity_document"] for r in sheet["rows"]}
    assert rows == {citizen.full_name: "cccd", guest.full_name: "passport", other.full_name: None}
    assert (sheet["identity_verified"], sheet["passports_verified"]) == (2, 1)


# -- the card page --------------------------------------------------------------------------


def _card_url(meeting, person):
    return f"/meetings/{meeting.id}/door/attendees/{person.id}"


def _key(page: str) -> str:
    return re.search(r'name="key" value="([^"]+)"', page).group(1)


def test_the_door_asks_a_foreign_guest_for_the_passport(client, login, tm_guests):
    meeting, clerk, (citizen, guest, other) = tm_guests
    login(clerk)
    page = client.get(_card_url(meeting, guest)).get_data(as_text=True)
    assert 'data-document="passport"' in page and "Lào" in page
    assert "/check-in" not in page and "data-scan-start" not in page  # no QR on a passport
    # the citizen's card still asks for the CCCD, with the camera
    citizen_page = client.get(_card_url(meeting, citizen)).get_data(as_text=True)
    assert 'data-document="passport"' not in citizen_page and "data-scan-start" in citizen_page
    resp = client.post(
        _card_url(meeting, guest) + "/identity", data={"code": SPECIMEN_MRZ, "key": _key(page)}
    )
    assert resp.status_code == 303 and resp.location.endswith(_card_url(meeting, guest))
    page = client.get(resp.location).get_data(as_text=True)
    assert 'data-identity="verified"' in page and SPECIMEN_NUMBER in page
    assert "/check-in" in page
    # another guest's passport for this invitation: red, and one tap refuses
    page = client.get(_card_url(meeting, other)).get_data(as_text=True)
    resp = client.post(
        _card_url(meeting, other) + "/identity",
        data={"code": SPECIMEN_NUMBER, "key": _key(page)},
    )
    page = client.get(resp.location).get_data(as_text=True)
    assert 'data-identity="mismatch"' in page and "/check-in" not in page
    refusal = page.split("identity-refusal", 1)[1]
    resp = client.post(_card_url(meeting, other) + "/identity-refusal", data={"key": _key(refusal)})
    assert resp.status_code == 303
    assert db.session.query(Incident).filter_by(attendee_id=other.id).count() == 1


def test_a_wrong_passport_number_at_the_door_is_a_clear_error(client, login, tm_guests):
    meeting, clerk, (_citizen, guest, _other) = tm_guests
    login(clerk)
    page = client.get(_card_url(meeting, guest)).get_data(as_text=True)
    before = snapshot()
    resp = client.post(
        _card_url(meeting, guest) + "/identity", data={"code": "L89-8902", "key": _key(page)}
    )
    assert resp.status_code == 422 and "not_passport" in error_codes(resp)
    assert "L89-8902" not in resp.get_data(as_text=True)  # what was typed is not sent back
    assert snapshot() == before

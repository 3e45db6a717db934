"""Identity at the door: the citizen identity card (CCCD) after the invitation."""

import pytest

from meetingsec.core.errors import DomainError
from meetingsec.door import identity
from meetingsec.door.models import IdentityCheck
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident
from meetingsec.records.queries import evaluate_checklist
from tests.factories import organiser_of
from tests.helpers import actions, check_in, error_codes, snapshot

ADDRESS = "Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội"
BIRTH = "15031985"


def cccd(number, name, *, address=ADDRESS, birth=BIRTH):
    """What the QR on the front of a chip-based CCCD reads."""
    return f"{number}|012345678|{name}|{birth}|Nam|{address}|20042021"


@pytest.fixture
def tm_door(open_door):
    meeting, clerk, people = open_door(classification="tuyet_mat")
    for i, p in enumerate(people):
        p.id_number = f"00108501234{i}"
    db.session.commit()
    return meeting, clerk, people


def _check(meeting, clerk, person, scanned, key="id-key-1"):
    row = identity.check_identity(meeting, person, scanned, actor=clerk, key=key)
    db.session.commit()
    return row


@pytest.mark.parametrize(
    "text,number,name",
    [
        (cccd("001085012345", "Nguyễn Văn A"), "001085012345", "Nguyễn Văn A"),
        ("001085012345", "001085012345", ""),  # the number typed
        ("0010 8501 2345", "001085012345", ""),
        ("001085012345|||" + BIRTH + "|Nam|x|20042021", None, None),  # no name
        ("7K3M9QXD2F*", None, None),  # an invitation or a tag
        ("00108501234|0|A|15031985|Nam|x|1", None, None),  # 11 digits
        ("", None, None),
    ],
)
def test_the_card_is_recognised(text, number, name):
    card = identity.parse_card(text)
    if number is None:
        assert card is None
    else:
        assert (card.id_number, card.full_name) == (number, name)


def test_a_matching_card_verifies_and_keeps_only_the_minimum(tm_door):
    meeting, clerk, (a, *_rest) = tm_door
    row = _check(meeting, clerk, a, cccd(a.id_number, a.full_name.upper()))  # name folded
    assert row.matched and row.mismatch is None and row.id_number == a.id_number
    assert actions()[-1] == "door.identity_checked"
    # neither the address nor the date of birth nor the name is kept anywhere
    everything = repr(snapshot())
    assert ADDRESS not in everything and BIRTH not in everything
    # a retry of the same request finds the same row
    assert _check(meeting, clerk, a, cccd(a.id_number, a.full_name)).id == row.id
    assert db.session.query(IdentityCheck).count() == 1


@pytest.mark.parametrize(
    "scanned,mismatch",
    [
        (lambda a, b: cccd(b.id_number, b.full_name), "number"),  # another attendee's card
        (lambda a, b: cccd("079190000001", a.full_name), "number"),  # not the listed number
        (lambda a, b: cccd(a.id_number, "Phạm Văn Giả"), "name"),
        (lambda a, b: b.id_number, "number"),  # typed: another attendee's number
    ],
)
def test_a_card_that_does_not_match_the_invitation(tm_door, scanned, mismatch):
    meeting, clerk, (a, b, _c) = tm_door
    row = _check(meeting, clerk, a, scanned(a, b))
    assert not row.matched and row.mismatch == mismatch
    incident = identity.refuse_mismatch(meeting, a, actor=clerk, key="refuse-1")
    db.session.commit()
    assert incident.kind == "entry_refused" and incident.attendee_id == a.id
    assert actions()[-1] == "door.identity_refused"


def test_a_list_without_numbers_compares_the_name(tm_door):
    meeting, clerk, (a, *_rest) = tm_door
    a.id_number = ""
    db.session.commit()
    assert _check(meeting, clerk, a, cccd("079190000001", a.full_name)).matched
    assert not _check(meeting, clerk, a, cccd("079190000001", "Lê Văn X"), key="k2").matched


def test_refusals_and_bad_input(tm_door):
    meeting, clerk, (a, b, _c) = tm_door
    before = snapshot()
    for text, code in (("7K3M-9QXD-2F*", "not_cccd"), ("", "not_cccd")):
        with pytest.raises(DomainError) as e:
            _check(meeting, clerk, a, text)
        assert e.value.code == code
        db.session.rollback()
    with pytest.raises(DomainError) as e:
        identity.refuse_mismatch(meeting, a, actor=clerk, key="r")
    assert e.value.code == "no_mismatch"
    db.session.rollback()
    with pytest.raises(DomainError) as e:
        _check(meeting, organiser_of(meeting), a, cccd(a.id_number, a.full_name))
    assert e.value.code == "not_clerk"
    db.session.rollback()
    assert snapshot() == before


def test_tm_attendee_screening_follows_the_identity_checks(tm_door):
    meeting, clerk, (a, b, _c) = tm_door

    def item():
        return next(v for v in evaluate_checklist(meeting) if v.rule.id == "tm-attendee-screening")

    assert item().status == "unmet"
    _check(meeting, clerk, a, cccd(a.id_number, a.full_name))
    check_in(meeting, clerk, a)
    check_in(meeting, clerk, b)  # went on without a card
    db.session.commit()
    assert item().status == "unmet" and "1" in str(item().reason)
    _check(meeting, clerk, b, cccd(b.id_number, b.full_name), key="k-b")
    assert item().status == "met"
    # a later card that does not match undoes the verification
    _check(meeting, clerk, b, cccd(a.id_number, a.full_name), key="k-b2")
    assert item().status == "unmet"


def test_the_attendance_sheet_marks_each_verified_person(tm_door):
    from meetingsec.records import builders

    meeting, clerk, (a, b, _c) = tm_door
    _check(meeting, clerk, a, cccd(a.id_number, a.full_name))
    check_in(meeting, clerk, a)
    check_in(meeting, clerk, b)
    db.session.commit()
    rows = {r["name"]: r["identity_verified"] for r in builders.attendance(meeting)["rows"]}
    assert rows[a.full_name] is True and rows[b.full_name] is False


def test_the_first_screen_finds_the_holder_of_a_card_and_verifies_it(tm_door):
    meeting, clerk, (a, b, _c) = tm_door
    # the QR on the card's front: its holder found by number, the card checked at once
    assert identity.identify(meeting, cccd(b.id_number, b.full_name), actor=clerk, key="f-1") == b
    db.session.commit()
    row = db.session.query(IdentityCheck).one()
    assert (row.attendee_id, row.matched, row.id_number) == (b.id, True, b.id_number)
    assert actions()[-1] == "door.identity_checked"
    # the 12 digits typed find the holder too; a retry of the same request changes nothing
    assert identity.identify(meeting, a.id_number, actor=clerk, key="f-2") == a
    assert identity.identify(meeting, a.id_number, actor=clerk, key="f-2") == a
    db.session.commit()
    assert db.session.query(IdentityCheck).count() == 2
    # the number on the list, another name on the card: found, and marked as not matching
    identity.identify(meeting, cccd(a.id_number, "Phạm Văn Giả"), actor=clerk, key="f-3")
    assert db.session.query(IdentityCheck).filter_by(key="f-3").one().mismatch == "name"


def test_the_first_screen_refuses_a_card_not_on_the_list(tm_door):
    meeting, clerk, (a, *_rest) = tm_door
    before = snapshot()
    for text, code in (
        (cccd("079190000001", a.full_name), "unknown_cccd"),
        ("079190000001", "unknown_cccd"),
        ("hello|world", "not_cccd"),
    ):
        with pytest.raises(DomainError) as e:
            identity.identify(meeting, text, actor=clerk, key="f-1")
        assert e.value.code == code and e.value.field == "code"
        db.session.rollback()
    assert snapshot() == before


def test_the_first_screen_finds_someone_not_admitted_without_a_check(tm_door):
    meeting, clerk, (a, *_rest) = tm_door
    a.approved_at = None
    db.session.commit()
    assert identity.identify(meeting, a.id_number, actor=clerk, key="f-1") == a
    assert db.session.query(IdentityCheck).count() == 0  # their card shows the refusal


# -- the card page --------------------------------------------------------------------------


def _card_url(meeting, person):
    return f"/meetings/{meeting.id}/door/attendees/{person.id}"


def _key(page: str) -> str:
    import re

    return re.search(r'name="key" value="([^"]+)"', page).group(1)


def test_the_door_asks_for_the_card_after_the_invitation(client, login, tm_door):
    meeting, clerk, (a, b, _c) = tm_door
    login(clerk)
    page = client.get(_card_url(meeting, a)).get_data(as_text=True)
    assert 'data-identity="verified"' not in page and "/identity" in page
    assert "/check-in" not in page  # the check-in form comes after the card
    resp = client.post(
        _card_url(meeting, a) + "/identity",
        data={"code": cccd(a.id_number, a.full_name), "key": _key(page)},
    )
    assert resp.status_code == 303 and resp.location.endswith(_card_url(meeting, a))
    page = client.get(resp.location).get_data(as_text=True)
    assert 'data-identity="verified"' in page
    assert "/check-in" in page and ADDRESS not in page
    # another person's card for b's invitation: red, and one tap refuses
    page = client.get(_card_url(meeting, b)).get_data(as_text=True)
    resp = client.post(
        _card_url(meeting, b) + "/identity",
        data={"code": cccd(a.id_number, a.full_name), "key": _key(page)},
    )
    page = client.get(resp.location).get_data(as_text=True)
    assert 'data-identity="mismatch"' in page and "/check-in" not in page
    refusal_key = page.split("identity-refusal", 1)[1]
    resp = client.post(_card_url(meeting, b) + "/identity-refusal", data={"key": _key(refusal_key)})
    assert resp.status_code == 303
    assert db.session.query(Incident).filter_by(attendee_id=b.id).count() == 1


def test_bad_card_input_is_a_clear_error(client, login, tm_door):
    meeting, clerk, (a, *_rest) = tm_door
    login(clerk)
    page = client.get(_card_url(meeting, a)).get_data(as_text=True)
    before = snapshot()
    resp = client.post(
        _card_url(meeting, a) + "/identity", data={"code": "hello|world", "key": _key(page)}
    )
    assert resp.status_code == 422 and "not_cccd" in error_codes(resp)
    resp = client.post(_card_url(meeting, a) + "/identity", data={"code": "x" * 301, "key": "k"})
    assert resp.status_code == 422
    assert snapshot() == before


def test_other_levels_ask_only_when_the_organiser_chose_it(client, login, open_door):
    meeting, clerk, (a, *_rest) = open_door(classification="toi_mat")
    login(clerk)
    page = client.get(_card_url(meeting, a)).get_data(as_text=True)
    assert "/identity" not in page and "/check-in" in page
    meeting.identity_check = True
    db.session.commit()
    page = client.get(_card_url(meeting, a)).get_data(as_text=True)
    assert "/identity" in page and "/check-in" not in page
    page = client.get(_card_url(meeting, a), query_string={"without_cccd": 1})
    assert "/check-in" in page.get_data(as_text=True)  # no card: the clerk may go on


def test_the_first_screen_takes_an_invitation_or_a_card(client, login, tm_door):
    meeting, clerk, (a, b, _c) = tm_door
    login(clerk)
    door = f"/meetings/{meeting.id}/door/"
    page = client.get(door).get_data(as_text=True)
    assert 'method="post"' in page and 'maxlength="300"' in page
    # the card's QR: straight to its holder's card, verified, nothing of it in the answer
    resp = client.post(door, data={"code": cccd(b.id_number, b.full_name), "key": _key(page)})
    assert resp.status_code == 303 and resp.location.endswith(_card_url(meeting, b))
    assert ADDRESS not in resp.location and b.id_number not in resp.location
    card = client.get(resp.location).get_data(as_text=True)
    assert 'data-identity="verified"' in card and "/check-in" in card
    # the invitation's code, posted from the same field, opens its card (not yet verified)
    resp = client.post(door, data={"code": a.invitation_code, "key": _key(page)})
    assert resp.status_code == 303 and resp.location.endswith(_card_url(meeting, a))
    # an address's ?code= still opens it
    assert client.get(door, query_string={"code": a.invitation_code}).status_code == 303


def test_the_first_screen_refuses_clearly_and_never_echoes_a_card(client, login, tm_door):
    meeting, clerk, (a, *_rest) = tm_door
    login(clerk)
    door = f"/meetings/{meeting.id}/door/"
    key = _key(client.get(door).get_data(as_text=True))
    before = snapshot()
    resp = client.post(door, data={"code": cccd("079190000001", "Lê Văn X"), "key": key})
    assert resp.status_code == 422 and "unknown_cccd" in error_codes(resp)
    page = resp.get_data(as_text=True)
    assert ADDRESS not in page and "079190000001" not in page
    resp = client.post(door, data={"code": "ZZZZZZZZZZZ", "key": key})
    assert resp.status_code == 422 and error_codes(resp)
    for data in ({"code": "x" * 301, "key": key}, {"code": a.id_number, "key": "!"}, {}):
        assert client.post(door, data=data).status_code == 422
    assert snapshot() == before

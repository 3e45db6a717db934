"""A foreign guest at the door of a Tuyệt mật meeting, on a tablet and a phone: no CCCD,
so the card asks for the passport whose number the list gives; a keyboard-wedge MRZ
reader types the passport's second machine-readable line (a typo first: a clear error,
nothing kept), the guest is verified and checked in beside a citizen verified by the
CCCD, and another guest's passport shown for the next invitation is refused in one tap.
tm-attendee-screening is then met (issue 19)."""

import pytest
from playwright.sync_api import expect

from meetingsec.core.codes import display
from meetingsec.extensions import db
from tests.door.test_passport import SPECIMEN_MRZ, SPECIMEN_NUMBER
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT
from tests.e2e.test_door import FIRST_SCREEN, NAMES, _cleared_meeting, _door, _sign

CITIZEN_NUMBER = "001085012340"
#: The second and third people of the list, made foreign guests
GUESTS = ["Bounmy Sisavath", "Khamphone Vongsa"]
PASSPORT_FIELD = "Hộ chiếu: nhập số hoặc quét vùng đọc máy (MRZ)"
CCCD_FIELD = "Căn cước công dân (CCCD): quét mã QR hoặc nhập số"


def _with_guests(live_server, meeting_id):
    """The second and third people on the list are foreign guests with passports."""
    from meetingsec.attendees.models import Attendee
    from meetingsec.core.text import fold

    with live_server.app.app_context():
        people = db.session.query(Attendee).filter_by(meeting_id=meeting_id).order_by(Attendee.id)
        _citizen, guest, other, *_rest = people
        for person, name in zip((guest, other), GUESTS, strict=True):
            person.full_name, person.name_folded = name, fold(name)
            person.unit_name, person.nationality = "Bộ Quốc phòng Lào", "Lào"
        guest.passport_number, other.passport_number = SPECIMEN_NUMBER, "C1234567"
        db.session.commit()
        db.session.remove()


def _screening(live_server, meeting_id) -> str:
    from meetingsec.meetings.models import Meeting
    from meetingsec.records.queries import evaluate_checklist

    with live_server.app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        item = next(v for v in evaluate_checklist(meeting) if v.rule.id == "tm-attendee-screening")
        status = item.status
        db.session.remove()
    return status


def _open(page, code):
    field = page.get_by_label(FIRST_SCREEN)
    field.fill(display(code))
    field.press("Enter")


def _enter(page, name):
    page.get_by_role("button", name="Thêm một Điện thoại").click()
    _sign(page)
    page.get_by_role("button", name="Xác nhận vào").click()
    expect(page.get_by_role("heading", name=f"{name} đã vào.")).to_be_visible()


@pytest.mark.parametrize("viewport", [TABLET_PORTRAIT, PHONE], ids=["tablet", "phone"])
def test_a_foreign_guest_shows_the_passport_at_the_door(page, live_server, check_page, viewport):
    page.set_viewport_size(viewport)
    meeting_id, by_name = _cleared_meeting(
        live_server, classification="tuyet_mat", id_numbers=[CITIZEN_NUMBER], camera=False
    )
    codes = [by_name[n] for n in NAMES]  # invitations in the list's order
    _with_guests(live_server, meeting_id)
    _door(page, live_server, meeting_id)

    # the citizen: the invitation, then the CCCD's number typed
    _open(page, codes[0])
    field = page.get_by_label(CCCD_FIELD)
    field.fill(CITIZEN_NUMBER)
    field.press("Enter")
    expect(page.locator('[data-identity="verified"]')).to_contain_text("bằng CCCD")
    _enter(page, NAMES[0])
    assert _screening(live_server, meeting_id) == "met"  # the one inside is verified

    # the foreign guest: the card asks for the passport, not a CCCD, with no camera
    _open(page, codes[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(GUESTS[0])
    identity = page.locator("section.identity")
    expect(identity).to_contain_text("Khách nước ngoài: danh sách ghi số hộ chiếu · Lào")
    expect(identity.get_by_role("button", name="Quét bằng camera")).to_have_count(0)
    expect(page.get_by_role("button", name="Xác nhận vào")).to_have_count(0)
    field = page.get_by_label(PASSPORT_FIELD)
    expect(field).to_be_focused()
    check_page(page, "door-passport-ask")

    # a typo: a clear error, nothing kept, still no entry
    field.fill("L89-8902")
    field.press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text("Đây không phải số hộ chiếu")
    expect(page.locator("[data-identity]")).to_have_count(0)
    expect(page.get_by_label(PASSPORT_FIELD)).to_have_value("")
    check_page(page, "door-passport-error")

    # the MRZ reader types the passport's second line, then Enter: verified
    field = page.get_by_label(PASSPORT_FIELD)
    field.press_sequentially(SPECIMEN_MRZ)
    field.press("Enter")
    verified = page.locator('[data-identity="verified"]')
    expect(verified).to_contain_text("Đã xác minh danh tính bằng hộ chiếu")
    expect(verified).to_contain_text(SPECIMEN_NUMBER)
    assert "740812" not in page.content()  # nothing else of the MRZ comes back
    check_page(page, "door-passport-verified")
    _enter(page, GUESTS[0])
    assert _screening(live_server, meeting_id) == "met"

    # the third invitation, with the second guest's passport: red, refused in one tap
    _open(page, codes[2])
    field = page.get_by_label(PASSPORT_FIELD)
    field.fill(SPECIMEN_NUMBER)
    field.press("Enter")
    mismatch = page.locator('[data-identity="mismatch"]')
    expect(mismatch).to_contain_text("Không cho người này vào")
    expect(page.get_by_role("button", name="Xác nhận vào")).to_have_count(0)
    check_page(page, "door-passport-mismatch")
    page.get_by_role("button", name="Từ chối cho vào").click()
    expect(page.locator("#flashes")).to_contain_text(f"Đã ghi nhận từ chối {GUESTS[1]}")
    assert _screening(live_server, meeting_id) == "met"

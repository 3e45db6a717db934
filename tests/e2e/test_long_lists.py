"""A long attendee list in the browser (issue 17, item 5), at 800×1280 and on a 390×844
phone: the main action stays on screen, the list is searched and paged on the server, and
a refused addition shows its error beside the field, focused."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from meetingsec.attendees.services import add_attendees
from meetingsec.demo import DEMO_PASSWORD
from meetingsec.extensions import db
from meetingsec.meetings.models import Meeting
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, log_in
from tests.factories import chair_of, organiser_of

SHOTS = Path("/tmp/shots-i17b")
VIEWPORTS = pytest.mark.parametrize(
    "viewport", [TABLET_PORTRAIT, PHONE], ids=lambda v: f"{v['width']}x{v['height']}"
)
DRAFT = "Hội nghị giao ban công tác bảo vệ bí mật nhà nước quý IV"


def _many_pending(server, n=200) -> int:
    """``n`` more people awaiting the chair on the demo's draft meeting; its id."""
    with server.app.app_context():
        meeting = db.session.query(Meeting).filter_by(title=DRAFT).one()
        add_attendees(
            meeting,
            [{"full_name": f"Nguyễn Văn Khách {i}", "unit_name": "Sở Tài chính"} for i in range(n)],
            actor=organiser_of(meeting),
            source="test",
        )
        db.session.commit()
        return meeting.id


def _open_list(page, server, username, viewport) -> None:
    meeting_id = _many_pending(server)
    page.set_viewport_size(viewport)
    log_in(page, server, username, DEMO_PASSWORD)
    page.goto(f"{server.url}/meetings/{meeting_id}/attendees/")


def _open_as_organiser(page, server, viewport, path) -> None:
    page.set_viewport_size(viewport)
    log_in(page, server, "tochuc", DEMO_PASSWORD)
    page.goto(f"{server.url}{path}")


def _shot(page, name) -> None:
    size = page.viewport_size
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))


def _on_screen(page, locator):
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= size["height"]


@VIEWPORTS
def test_the_chair_approves_a_long_list_from_anywhere(page, live_server, check_page, viewport):
    _open_list(page, live_server, "chutri", viewport)
    approve = page.get_by_role("button", name="Phê duyệt 205 thay đổi")
    assert _on_screen(page, approve)
    page.mouse.wheel(0, 4000)
    page.wait_for_timeout(200)
    assert _on_screen(page, approve)
    _shot(page, "attendees-chair")
    check_page(page, "attendees-long-chair")
    # the changes, a page at a time, found on the server
    page.get_by_role("link", name="Xem các thay đổi này").click()
    expect(page.locator("#attendee-results tbody tr")).to_have_count(100)
    expect(page.locator("#attendee-results")).to_contain_text("205 người")
    page.get_by_label("Tìm theo tên").fill("khach 150")
    expect(page.locator("#attendee-results tbody tr")).to_have_count(1)
    expect(page.locator("#attendee-results")).to_contain_text("Nguyễn Văn Khách 150")
    approve.click()
    expect(page.locator("#flashes")).to_contain_text("Đã phê duyệt danh sách: thêm 205")


@VIEWPORTS
def test_a_refused_duplicate_shows_its_error_at_the_field(page, live_server, check_page, viewport):
    _open_list(page, live_server, "tochuc", viewport)
    page.get_by_role("link", name="Thêm người tham dự").last.click()
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Đơn vị", exact=True).fill("Sở Nội vụ")
    page.get_by_role("button", name="Thêm vào danh sách").click()
    error = page.locator("#full_name-error")
    expect(error).to_have_attribute("data-error-code", "duplicate")
    expect(page.get_by_label("Họ và tên")).to_be_focused()
    assert _on_screen(page, error) and _on_screen(page, page.get_by_label("Họ và tên"))
    _shot(page, "attendees-duplicate")
    check_page(page, "attendees-duplicate")


@VIEWPORTS
def test_a_long_register_of_copies_is_filtered_with_its_action_at_hand(
    page, live_server, check_page, viewport
):
    from meetingsec.workflows.services import register_document

    with live_server.app.app_context():
        meeting = db.session.query(Meeting).filter_by(title=DRAFT).one()
        register_document(
            meeting,
            actor=organiser_of(meeting),
            number="30/BC-UBND",
            title="Báo cáo tổng hợp",
            classification="toi_mat",
            copy_count=120,
            copy_authorisation="Chủ tịch cho phép sao 120 bản",
        )
        db.session.commit()
        meeting_id = meeting.id
    _open_as_organiser(page, live_server, viewport, f"/meetings/{meeting_id}/documents/")
    register = page.locator(".action-bar").get_by_role("link", name="Đăng ký tài liệu")
    assert _on_screen(page, register)
    rows = page.locator("#copy-results tbody tr")
    expect(rows).to_have_count(50)
    expect(page.locator("#copy-results")).to_contain_text("120 bản")
    page.get_by_label("Tình trạng").select_option(label="Đã phát, chưa thu hồi")
    expect(page.locator("#copy-results")).to_contain_text("Không có bản nào khớp")
    page.get_by_label("Tình trạng").select_option(label="Mọi bản")
    page.get_by_role("link", name="Trang sau").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(rows).to_have_count(50)
    assert _on_screen(page, register)
    _shot(page, "copies")
    check_page(page, "copies-long")
    register.click()
    expect(page.get_by_label("Số, ký hiệu (ví dụ 12/BC-CAT)")).to_be_in_viewport()


@VIEWPORTS
def test_a_meeting_with_300_devices_keeps_its_controls_at_hand(
    page, live_server, check_page, viewport
):
    from meetingsec.devices.services import add_device
    from tests.factories import device_factory

    with live_server.app.app_context():
        meeting = db.session.query(Meeting).filter_by(title=DRAFT).one()
        make_device = device_factory()
        for i in range(300):
            add_device(meeting, make_device(model=f"Micro {i:03d}"), actor=organiser_of(meeting))
        db.session.commit()
        meeting_id = meeting.id
    _open_as_organiser(page, live_server, viewport, f"/meetings/{meeting_id}/devices/")
    add = page.locator(".action-bar").get_by_role("link", name="Thêm thiết bị")
    rows = page.locator("#device-results .device-list > li")
    expect(rows).to_have_count(50)
    expect(page.locator("#device-results")).to_contain_text("300 thiết bị")
    page.mouse.wheel(0, 6000)
    page.wait_for_timeout(200)
    assert _on_screen(page, add)
    _shot(page, "devices-long")
    check_page(page, "devices-long")
    # found on the server as one types, and a page at a time
    page.get_by_label("Tìm thiết bị", exact=True).fill("micro 150")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Micro 150")
    page.get_by_label("Tìm thiết bị", exact=True).fill("")
    expect(rows).to_have_count(50)
    page.get_by_role("link", name="Trang sau").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(rows.first).to_contain_text("Micro 050")
    # a refused addition: its error beside the field, focused, on screen
    add.click()
    page.get_by_label("Mã thẻ: quét, nhập, hoặc chọn trong sổ thiết bị").fill("KHONGCO")
    page.get_by_role("button", name="Thêm", exact=True).click()
    error = page.locator("#code-error")
    expect(error).to_be_visible()
    expect(page.locator("#code")).to_be_focused()
    assert _on_screen(page, error)


@VIEWPORTS
def test_closing_with_many_items_held_keeps_its_action_at_hand(
    page, live_server, check_page, viewport
):
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
    from meetingsec.users.services import get_user_by_username
    from tests.e2e.test_door import _cleared_meeting
    from tests.helpers import check_in

    meeting_id, _codes = _cleared_meeting(live_server, camera=False)
    with live_server.app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        people = add_attendees(
            meeting,
            [{"full_name": f"Trần Văn Khách {i}", "unit_name": "Sở Xây dựng"} for i in range(70)],
            actor=organiser_of(meeting),
            source="test",
        )
        approve_list(meeting, actor=chair_of(meeting), seen=shown_changes(people, []))
        clerk = get_user_by_username("letan")
        for person in people:
            check_in(meeting, clerk, person)
        meeting.status = "closing"
        db.session.commit()
    _open_as_organiser(page, live_server, viewport, f"/meetings/{meeting_id}/closing")
    close = page.locator(".action-bar").get_by_role("button", name="Kết thúc hồ sơ cuộc họp")
    assert _on_screen(page, close)
    expect(page.get_by_role("heading", name="Thiết bị gửi còn giữ (70)")).to_be_visible()
    boxes = page.locator("#held-results input[type=checkbox]")
    expect(boxes).to_have_count(50)
    page.mouse.wheel(0, 6000)
    page.wait_for_timeout(200)
    assert _on_screen(page, close)
    _shot(page, "closing-long")
    check_page(page, "closing-long")
    page.locator("#held-results").get_by_role("link", name="Trang sau").click()
    expect(page).to_have_url(re.compile(r"held=2"))
    expect(boxes).to_have_count(20)
    page.get_by_label("Tìm theo tên").fill("khach 7")
    expect(boxes).to_have_count(1)
    # nothing ticked: the error beside the list, focused
    boxes.first.uncheck()
    page.get_by_role("button", name="Ghi nhận không có người nhận").click()
    error = page.locator("#deposit_ids-error")
    expect(error).to_be_visible()
    assert _on_screen(page, error)
    expect(page.locator("#held-results input[type=checkbox]").first).to_be_focused()

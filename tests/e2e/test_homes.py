"""Each role's home in the browser, at 800×1280 and on a 390×844 phone: first the meetings
where the person has something to do, the step as a button (issue 17, item 4)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from meetingsec.demo import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, demo_ended_today, log_in

SHOTS = Path("/tmp/shots-i17b")

VIEWPORTS = pytest.mark.parametrize(
    "viewport", [TABLET_PORTRAIT, PHONE], ids=lambda v: f"{v['width']}x{v['height']}"
)

CLEARED = "Họp triển khai kế hoạch bảo vệ bí mật nhà nước năm 2027"
ENDED = "Họp đánh giá công tác bảo vệ bí mật nhà nước năm 2026"
DRAFT = "Hội nghị giao ban công tác bảo vệ bí mật nhà nước quý IV"


def _shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(SHOTS / f"{name}-{size['width']}x{size['height']}.png"))


def _card(page, title):
    return page.locator(".todo-card").filter(has_text=title)


@VIEWPORTS
def test_the_chair_does_each_step_from_the_home(page, live_server, check_page, viewport):
    page.set_viewport_size(viewport)
    log_in(page, live_server, "chutri", DEMO_PASSWORD)
    todo = page.locator("section.todo")
    expect(todo.get_by_role("heading", name="Việc cần làm ngay")).to_be_visible()
    expect(_card(page, DRAFT).get_by_role("link", name="Phê duyệt nội dung bí mật")).to_be_visible()
    if demo_ended_today():  # the demo holds it "this morning": not between 00:00 and 03:00
        expect(
            _card(page, ENDED).get_by_role("link", name="Kết thúc hồ sơ cuộc họp")
        ).to_be_visible()
    start = _card(page, CLEARED).get_by_role("button", name="Bắt đầu phiên họp")
    # the first step is on the first screen, the list of all meetings comes after it
    first = page.locator(".todo-card .btn").first
    assert first.bounding_box()["y"] + 48 <= viewport["height"]
    assert page.locator(".topbar").bounding_box()["height"] <= 130
    _shot(page, "home-chutri")
    check_page(page, "home-chair-todo")
    start.click()
    expect(page.locator("#flashes")).to_contain_text("Phiên họp đã bắt đầu")
    page.goto(f"{live_server.url}/home/chair")
    expect(_card(page, CLEARED).get_by_role("button", name="Kết thúc phiên họp")).to_be_visible()


@VIEWPORTS
def test_each_role_sees_its_steps_first(page, live_server, check_page, viewport):
    page.set_viewport_size(viewport)
    log_in(page, live_server, "letan", DEMO_PASSWORD)
    door = _card(page, CLEARED).get_by_role("link", name="Mở cửa kiểm soát")
    expect(door).to_be_visible()
    if demo_ended_today():
        expect(_card(page, ENDED).get_by_role("link", name="Thu hồi tài liệu")).to_be_visible()
        expect(
            _card(page, ENDED).get_by_role("link", name="Trả lại thiết bị đã gửi")
        ).to_be_visible()
    _shot(page, "home-letan")
    check_page(page, "home-clerk-todo")
    # the meeting's page puts the actions first: the door is on the first screen
    _card(page, CLEARED).get_by_role("link", name=CLEARED, exact=True).click()
    door_button = page.get_by_role("link", name="Cửa ra vào: kiểm soát")
    assert door_button.bounding_box()["y"] + 48 <= viewport["height"]
    page.go_back()
    door.click()
    expect(page).to_have_url(f"{live_server.url}/meetings/2/door/")
    page.get_by_role("button", name="Đăng xuất").click()

    log_in(page, live_server, "kythuat", DEMO_PASSWORD)
    expect(_card(page, DRAFT).get_by_role("link", name="Kiểm tra thiết bị")).to_be_visible()
    _shot(page, "home-kythuat")
    check_page(page, "home-technician-todo")
    page.get_by_role("button", name="Đăng xuất").click()

    log_in(page, live_server, "tochuc", DEMO_PASSWORD)
    expect(_card(page, DRAFT)).to_contain_text("Tiếp theo: người chủ trì phê duyệt nội dung bí mật")
    if demo_ended_today():
        expect(_card(page, ENDED)).to_contain_text("còn 2 bản tài liệu chưa thu hồi và 3 thiết bị")
        expect(_card(page, ENDED).get_by_role("link", name="Thu hồi và kết thúc")).to_be_visible()
    _shot(page, "home-tochuc")
    check_page(page, "home-organiser-todo")
    page.get_by_role("button", name="Đăng xuất").click()

    for user in ("admin", "kiemtra"):
        log_in(page, live_server, user, DEMO_PASSWORD)
        _shot(page, f"home-{user}")
        page.get_by_role("button", name="Đăng xuất").click()

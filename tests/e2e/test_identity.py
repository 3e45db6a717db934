"""Identity at the door on a tablet and a phone: at a Tuyệt mật meeting the card asks for
the citizen identity card (CCCD) after the invitation; Chromium's fake camera shows a
generated CCCD QR, and a keyboard-wedge scanner types another card's string."""

import pytest
from playwright.sync_api import expect

from meetingsec.core.codes import display
from tests.conftest import OUTPUT
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, write_y4m
from tests.e2e.test_door import FIRST_SCREEN, NAMES, _cleared_meeting, _door, _sign

NUMBERS = ["001085012340", "001085012341", "001085012342"]
SHOTS = OUTPUT / "screenshots" / "identity"


def cccd(i: int, name: str | None = None) -> str:
    """The QR on the front of person ``i``'s card (``name`` another name on it)."""
    return (
        f"{NUMBERS[i]}|012345678|{name or NAMES[i]}|15031985|Nam|"
        f"Số {i + 1} Tràng Tiền, Hoàn Kiếm, Hà Nội|20042021"
    )


@pytest.fixture(scope="module")
def cccd_camera(browser_type, browser_type_launch_args, tmp_path_factory):
    """A browser whose fake camera shows the first person's CCCD."""
    video = tmp_path_factory.mktemp("cccd") / "cccd.y4m"
    write_y4m(video, cccd(0), width=640, height=480)
    args = [
        a for a in browser_type_launch_args["args"] if "--use-file-for-fake-video-capture" not in a
    ]
    browser = browser_type.launch(
        **{
            **browser_type_launch_args,
            "args": [*args, f"--use-file-for-fake-video-capture={video}"],
        }
    )
    yield browser
    browser.close()


def _scan_invitation(page, code):
    field = page.get_by_label(FIRST_SCREEN)
    field.fill(display(code))
    field.press("Enter")


@pytest.mark.parametrize("viewport", [TABLET_PORTRAIT, PHONE], ids=["tablet", "phone"])
def test_identity_by_camera_and_by_a_scanner_string(cccd_camera, live_server, check_page, viewport):
    context = cccd_camera.new_context(
        viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", permissions=["camera"]
    )
    page = context.new_page()
    size = f"{viewport['width']}x{viewport['height']}"
    meeting_id, by_name = _cleared_meeting(
        live_server, classification="tuyet_mat", id_numbers=NUMBERS
    )
    codes = [by_name[n] for n in NAMES]
    _door(page, live_server, meeting_id)

    # the invitation, then the door asks for the card before anything else
    _scan_invitation(page, codes[0])
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[0])
    expect(page.get_by_role("button", name="Xác nhận vào")).to_have_count(0)
    check_page(page, "door-identity-ask")
    page.screenshot(path=f"{SHOTS}/identity-ask-{size}.png", full_page=True)

    # the camera reads the CCCD: verified, and the check-in form follows
    page.get_by_role("button", name="Quét bằng camera").click()
    verified = page.locator('[data-identity="verified"]')
    expect(verified).to_contain_text("Đã xác minh danh tính bằng CCCD", timeout=20_000)
    expect(verified).to_contain_text(NUMBERS[0])
    check_page(page, "door-identity-verified")
    page.screenshot(path=f"{SHOTS}/identity-verified-{size}.png", full_page=True)
    page.get_by_role("button", name="Thêm một Điện thoại").click()
    _sign(page)
    page.get_by_role("button", name="Xác nhận vào").click()
    expect(page.get_by_role("heading", name=f"{NAMES[0]} đã vào.")).to_be_visible()

    # a keyboard-wedge scanner types someone else's card for the second invitation:
    # red, and one tap refuses entry
    _scan_invitation(page, codes[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[1])
    field = page.get_by_label("Căn cước công dân (CCCD): quét mã QR hoặc nhập số")
    expect(field).to_be_focused()
    field.press_sequentially(cccd(2))
    field.press("Enter")
    expect(page.locator('[data-identity="mismatch"]')).to_be_visible()
    expect(page.get_by_role("button", name="Xác nhận vào")).to_have_count(0)
    check_page(page, "door-identity-mismatch")
    page.screenshot(path=f"{SHOTS}/identity-mismatch-{size}.png", full_page=True)
    page.get_by_role("button", name="Từ chối cho vào").click()
    expect(page.locator("#flashes")).to_contain_text(f"Đã ghi nhận từ chối {NAMES[1]}")

    # the right card typed by the scanner for the third invitation: verified
    _scan_invitation(page, codes[2])
    field = page.get_by_label("Căn cước công dân (CCCD): quét mã QR hoặc nhập số")
    field.press_sequentially(cccd(2, name=NAMES[2].upper()))
    field.press("Enter")
    expect(page.locator('[data-identity="verified"]')).to_be_visible()
    assert "Tràng Tiền" not in page.content()  # the card's address never comes back
    context.close()


@pytest.mark.parametrize("viewport", [TABLET_PORTRAIT, PHONE], ids=["tablet", "phone"])
def test_the_first_screen_finds_people_by_their_card(
    cccd_camera, live_server, check_page, viewport
):
    """No invitation needed: the card's QR (camera or scanner) or its 12 digits typed on
    the door's first screen open its holder's card, verified."""
    context = cccd_camera.new_context(
        viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", permissions=["camera"]
    )
    page = context.new_page()
    size = f"{viewport['width']}x{viewport['height']}"
    meeting_id, _codes = _cleared_meeting(
        live_server, classification="tuyet_mat", id_numbers=NUMBERS, camera=False
    )
    _door(page, live_server, meeting_id)
    check_page(page, "door-first-screen")
    page.screenshot(path=f"{SHOTS}/first-screen-{size}.png", full_page=True)

    # the camera reads the first person's card on the first screen
    page.get_by_role("button", name="Quét bằng camera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[0], timeout=20_000)
    verified = page.locator('[data-identity="verified"]')
    expect(verified).to_contain_text("Đã xác minh danh tính bằng CCCD")
    expect(page.get_by_role("button", name="Xác nhận vào")).to_be_visible()
    page.get_by_role("link", name="← Người tiếp theo").click()

    # a keyboard-wedge scanner types the second person's card string, then Enter
    field = page.get_by_label(FIRST_SCREEN)
    field.press_sequentially(cccd(1))
    field.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[1])
    expect(page.locator('[data-identity="verified"]')).to_contain_text(NUMBERS[1])
    assert "Tràng Tiền" not in page.content() and "|" not in page.url
    page.screenshot(path=f"{SHOTS}/first-screen-card-{size}.png", full_page=True)
    page.get_by_role("link", name="← Người tiếp theo").click()

    # the number typed by hand; then a number no one on the list has: a clear refusal
    page.get_by_label(FIRST_SCREEN).fill(NUMBERS[2])
    page.get_by_role("button", name="Mở").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[2])
    page.get_by_role("link", name="← Người tiếp theo").click()
    page.get_by_label(FIRST_SCREEN).fill("079190000001")
    page.get_by_label(FIRST_SCREEN).press("Enter")
    expect(page.get_by_role("alert").first).to_contain_text(
        "Không có người nào trong danh sách cuộc họp này mang số căn cước công dân này"
    )
    check_page(page, "door-first-screen-unknown-card")
    page.screenshot(path=f"{SHOTS}/first-screen-unknown-{size}.png", full_page=True)
    context.close()

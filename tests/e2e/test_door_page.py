"""The door's page at 800×1280 and on a 390×844 phone: it names its meeting, a person
already in is a warning (amber) with the time on the agency's clock, the confirm button
stays in sight, the refusal form never takes the search text as a name, and another
meeting's invitation can be refused."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import qrcode
from playwright.sync_api import expect

from meetingsec.core.codes import new_code
from meetingsec.demo import DEMO_PASSWORD
from meetingsec.devices.qr import MASK, qr_svg
from meetingsec.extensions import db
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT
from tests.e2e.test_door import FIRST_SCREEN, NAMES, _cleared_meeting, _door, _sign

AMBER = "rgb(255, 244, 214)"
GREEN = "rgb(230, 244, 234)"
VIEWPORTS = [pytest.param(TABLET_PORTRAIT, id="800x1280"), pytest.param(PHONE, id="390x844")]


def _local_times() -> set[str]:
    """Now on the agency's clock, give or take the minute the test takes."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    return {(now + timedelta(minutes=d)).strftime("%H:%M") for d in (-1, 0, 1, 2)}


def _said_at_local_time(text: str) -> None:
    assert any(f"Đã vào lúc {t}" in text for t in _local_times()), text


def _tablets(browser, live_server, meeting_id, viewport, n=2):
    tablets = []
    for _ in range(n):
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        _door(page, live_server, meeting_id)
        tablets.append(page)
    return tablets


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_second_tablet_is_told_when_on_the_agencys_clock(
    browser, live_server, check_page, viewport
):
    meeting_id, codes = _cleared_meeting(live_server)
    name = NAMES[1]
    a, b = _tablets(browser, live_server, meeting_id, viewport)
    for page in (a, b):  # both tablets open the same person
        page.goto(f"{live_server.url}/meetings/{meeting_id}/door/?code={codes[name]}")
        page.get_by_role("button", name="Thêm một Điện thoại").click()
        _sign(page)
    a.get_by_role("button", name="Xác nhận vào").click()
    expect(a.get_by_role("heading", name=f"{name} đã vào.")).to_be_visible()

    # the second tablet confirms too: told when, on the agency's clock (UTC+7), in amber
    b.get_by_role("button", name="Xác nhận vào").click()
    told = b.locator(".verdict").first
    expect(told).to_contain_text("Đã vào lúc")
    _said_at_local_time(told.inner_text())
    assert told.evaluate("e => getComputedStyle(e).backgroundColor") == AMBER
    check_page(b, "door-page-second-tablet")
    for page in (a, b):
        page.context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_door_names_its_meeting_and_keeps_confirm_in_sight(
    page, live_server, check_page, viewport
):
    meeting_id, codes = _cleared_meeting(live_server)
    name = NAMES[2]
    page.set_viewport_size(viewport)
    _door(page, live_server, meeting_id)
    header = page.locator(".door-meeting")
    expect(header).to_contain_text("Họp bàn phương án bảo vệ")
    expect(header).to_contain_text("Phòng họp số 1")
    expect(header).to_contain_text("Đủ điều kiện bắt đầu")
    check_page(page, "door-page-scan")

    # one phone: the confirm button is in sight without scrolling
    page.goto(f"{live_server.url}/meetings/{meeting_id}/door/?code={codes[name]}")
    expect(header).to_contain_text("Họp bàn phương án bảo vệ")
    # confirmed with the devices forgotten: the refusal is brought into sight
    page.get_by_role("button", name="Xác nhận vào").click()
    expect(page.locator(".form-errors")).to_contain_text("không mang thiết bị")
    expect(page.locator(".form-errors")).to_be_in_viewport(ratio=1)
    page.get_by_role("button", name="Thêm một Điện thoại").click()
    page.evaluate("window.scrollTo(0, 0)")
    box = page.get_by_role("button", name="Xác nhận vào").bounding_box()
    assert 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], box
    check_page(page, "door-page-card")
    _sign(page)
    page.get_by_role("button", name="Xác nhận vào").click()
    expect(page.get_by_role("heading", name=f"{name} đã vào.")).to_be_visible()
    # the name and the claim ticket to hand over in sight (on a phone the scan field's focus
    # had scrolled them off the top), the scan field ready for the next person
    expect(page.get_by_role("heading", name=f"{name} đã vào.")).to_be_in_viewport(ratio=1)
    expect(page.locator(".ticket-card").first).to_be_in_viewport(ratio=1)
    expect(page.get_by_label(FIRST_SCREEN)).to_be_focused()
    check_page(page, "door-page-done")

    # scanned again: a warning (amber) with the time, never green
    page.goto(f"{live_server.url}/meetings/{meeting_id}/door/?code={codes[name]}")
    again = page.locator(".verdict").first
    _said_at_local_time(again.inner_text())
    assert again.evaluate("e => getComputedStyle(e).backgroundColor") == AMBER
    assert page.locator(".verdict").evaluate_all(
        f"es => es.every(e => getComputedStyle(e).backgroundColor !== '{GREEN}')"
    )
    check_page(page, "door-page-already-in")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_refusals_from_a_search_and_from_another_meetings_invitation(
    page, live_server, check_page, viewport
):
    meeting_id, _codes = _cleared_meeting(live_server)
    _other_id, other_codes = _cleared_meeting(live_server, camera=False)
    page.set_viewport_size(viewport)
    _door(page, live_server, meeting_id)

    page.get_by_label("Hoặc tìm theo tên").fill("khach la")
    page.get_by_role("link", name="Không có trong danh sách: ghi nhận từ chối").click()
    expect(page.get_by_label("Họ và tên")).to_have_value("")
    expect(page.locator("#name-hint")).to_contain_text("khach la")
    check_page(page, "door-page-refusal")

    page.goto(f"{live_server.url}/meetings/{meeting_id}/door/?code={other_codes[NAMES[2]]}")
    expect(page.locator("[data-error-code=other_meeting]")).to_be_visible()
    page.get_by_role("link", name="Không có trong danh sách cuộc họp này: ghi nhận từ chối").click()
    page.get_by_label("Họ và tên").fill(NAMES[2])
    page.get_by_role("button", name="Ghi nhận từ chối").click()
    expect(page.locator("#flashes")).to_contain_text(f"Đã ghi nhận từ chối {NAMES[2]}")


def _scan(page, code):
    """A wedge scanner: the code, then Enter (htmx brings the card in the same answer)."""
    page.get_by_label(FIRST_SCREEN).fill(code)
    page.get_by_label(FIRST_SCREEN).press("Enter")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_refused_confirm_keeps_the_card_and_says_why(page, live_server, check_page, viewport):
    """The clerk's session ended (logged out in another tab, or expired) while a card was
    open: the confirm is refused, and the card, its devices and the signature stay as they
    were, the reason shown in sight above them (the step went blank, nothing said why);
    the message leads through the login back to the person's card."""
    meeting_id, codes = _cleared_meeting(live_server)
    name = NAMES[3]
    page.set_viewport_size(viewport)
    _door(page, live_server, meeting_id)
    _scan(page, codes[name])
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    page.get_by_role("button", name="Thêm một Điện thoại").click()
    _sign(page)
    page.context.clear_cookies()  # the session ends
    page.get_by_role("button", name="Xác nhận vào").click()
    reason = page.locator("#flashes [data-error-code=login_ended]")
    expect(reason).to_contain_text("Phiên đăng nhập đã kết thúc")
    expect(reason).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("#signature")).not_to_have_value("")
    expect(page.locator(".topbar")).to_have_count(1)
    check_page(page, "door-card-refused-confirm")
    card = page.url
    page.locator("#flashes").get_by_role("link", name="Đăng nhập lại").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Tên đăng nhập").fill("letan")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(card)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_after_a_scan_the_header_works_on_the_page_shown(page, live_server):
    """The card came by htmx, the header stayed: switching the language keeps the card,
    and the back and forward buttons raise no script error."""
    meeting_id, codes = _cleared_meeting(live_server)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _door(page, live_server, meeting_id)
    _scan(page, codes[NAMES[2]])
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[2])
    card = page.url
    assert "/door/attendees/" in card
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(card)
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[2])
    _scan_en = page.get_by_label(re.compile("Invitation"))
    page.go_back()
    page.go_back()
    expect(_scan_en).to_be_visible()
    page.go_forward()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[2])
    assert errors == []


#: The door's own camera reader (barcode-detector on zxing-wasm, as ``scan.js`` prepares it)
#: reading QR codes drawn as the app draws them: each SVG painted on a white canvas
_READ_QR = """async ([wasm, svgs]) => {
  const api = window.BarcodeDetectionAPI;
  api.prepareZXingModule({ overrides: {
    locateFile: (path, prefix) => path.endsWith(".wasm") ? wasm : prefix + path } });
  const detector = new api.BarcodeDetector({ formats: ["qr_code"] });
  const read = [];
  for (const svg of svgs) {
    const img = new Image();
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 240;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, 240, 240);
    ctx.drawImage(img, 0, 0, 240, 240);
    const found = await detector.detect(canvas);
    read.push(found.length ? found[0].rawValue : null);
  }
  return read;
}"""


def _best_mask(data: str) -> int:
    """The mask qrcode would have chosen by scoring all eight."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make()
    return qr.best_mask_pattern()


def test_the_claim_tickets_shown_after_a_check_in_scan(page, live_server):
    """Every code is drawn with one data mask (any of the eight is a valid QR code): the
    ticket on the door page after a check-in, and codes of every kind the app prints, read
    back by the same reader as the door's camera, most of them with a mask other than the
    one qrcode would have picked."""
    from meetingsec.door.models import Deposit

    meeting_id, codes = _cleared_meeting(live_server)
    name = NAMES[1]
    _door(page, live_server, meeting_id)
    _scan(page, codes[name])
    page.get_by_role("button", name="Thêm một Điện thoại").click()
    _sign(page)
    page.get_by_role("button", name="Xác nhận vào").click()
    expect(page.get_by_role("heading", name=f"{name} đã vào.")).to_be_visible()
    ticket = page.locator(".ticket-card svg").first.evaluate("e => e.outerHTML")
    with live_server.app.app_context():
        claim = db.session.query(Deposit.claim_code).filter_by(meeting_id=meeting_id).scalar()
        db.session.remove()
    others = [new_code() for _ in range(16)] + [
        f"meetingsec-audit:{n}:" + new_code().lower() * 6 for n in (1, 4321)
    ]
    assert any(_best_mask(data) != MASK for data in others)
    wasm = f"{live_server.url}/static/vendor/zxing_reader.wasm"
    svgs = [ticket, *(str(qr_svg(data)) for data in others)]
    assert page.evaluate(_READ_QR, [wasm, svgs]) == [claim, *others]

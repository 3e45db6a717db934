"""A technician with a tablet: scan a tag with the camera, inspect, install, re-check the
seal; and a keyboard-wedge scanner on the same screen."""

from datetime import timedelta

from playwright.sync_api import expect

from meetingsec.core.codes import display
from meetingsec.demo import DEMO_PASSWORD
from meetingsec.extensions import db
from tests.e2e.conftest import CAMERA_CODE, PHONE, log_in


def _meeting_with_devices(live_server):
    """The demo technician's meeting today, with the camera's device and one wireless mic."""
    from meetingsec.core.db import utcnow
    from meetingsec.devices.services import add_device, save_device
    from meetingsec.meetings.services import MeetingData
    from meetingsec.org.models import Unit, Venue
    from meetingsec.users.services import get_user_by_username
    from meetingsec.workflows.services import create_meeting

    with live_server.app.app_context():
        organiser = get_user_by_username("tochuc")
        start = utcnow() + timedelta(hours=2)
        meeting = create_meeting(
            MeetingData(
                title="Họp chuyên đề an ninh mạng",
                kind="cuoc_hop",
                classification="tuyet_mat",
                format="in_person",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                venue=db.session.query(Venue).first(),
                host_unit=db.session.query(Unit).first(),
                chair=get_user_by_username("chutri"),
                technicians=[get_user_by_username("kythuat")],
            ),
            actor=organiser,
        )
        mic = save_device(
            None,
            actor=organiser,
            kind="wired_mic",
            make="Bosch",
            model="CCS 1000 D",
            serial="SN-CAM",
            owner_unit=organiser.unit,
            ban_co_yeu=False,
            notes="",
        )
        mic.tag_code = CAMERA_CODE
        wireless = save_device(
            None,
            actor=organiser,
            kind="wireless_mic",
            make="Shure",
            model="BLX24",
            serial="",
            owner_unit=organiser.unit,
            ban_co_yeu=False,
            notes="",
        )
        add_device(meeting, mic, actor=organiser)
        add_device(meeting, wireless, actor=organiser)
        db.session.commit()
        ids = meeting.id, wireless.tag_code
        db.session.remove()
    return ids


def test_technician_scans_with_the_camera_and_inspects(page, live_server, check_page):
    meeting_id, wireless_code = _meeting_with_devices(live_server)
    page.set_viewport_size(PHONE)  # a phone in one hand
    log_in(page, live_server, "kythuat", DEMO_PASSWORD)
    # from the home page (listed first among what waits for the technician)
    page.get_by_role("link", name="Họp chuyên đề an ninh mạng", exact=True).first.click()
    page.get_by_role("link", name="Kiểm tra thiết bị", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/meetings/{meeting_id}/inspection")
    check_page(page, "inspection-scan")
    page.get_by_role("button", name="Quét bằng camera").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Micro có dây Bosch CCS 1000 D", timeout=15_000
    )
    expect(page.get_by_text(display(CAMERA_CODE))).to_be_visible()
    check_page(page, "device-card")
    page.get_by_role("radio", name="Đạt", exact=True).check()
    page.get_by_label("Số tem an ninh").fill("tem-2026-0042")
    page.get_by_role("button", name="Lưu kết quả kiểm tra").click()
    expect(page.locator("#flashes")).to_contain_text("Đã ghi kết quả kiểm tra")
    expect(page.locator(".history")).to_contain_text("TEM-2026-0042")
    page.get_by_role("button", name="Xác nhận đã lắp đặt").click()
    expect(page.locator(".device-card")).to_contain_text("Đã lắp đặt")
    page.get_by_label("Số tem thấy trên thiết bị").fill("TEM-2026-0042")
    page.get_by_role("radio", name="Còn nguyên vẹn").check()
    page.get_by_role("button", name="Lưu kết quả kiểm tra tem").click()
    expect(page.locator("#flashes")).to_contain_text("Đã kiểm tra tem: khớp.")
    check_page(page, "device-card-after")

    # A keyboard-wedge scanner types the code and Enter: the wireless microphone's card,
    # which says why it can never pass.
    page.get_by_role("link", name="Quét thiết bị khác").click()
    page.get_by_label("Mã thẻ: quét hoặc nhập").fill(wireless_code)
    page.get_by_label("Mã thẻ: quét hoặc nhập").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Micro không dây Shure BLX24")
    expect(page.get_by_role("alert").first).to_contain_text("Micro không dây không bao giờ đạt")
    page.get_by_role("radio", name="Đạt", exact=True).check()
    page.get_by_label("Số tem an ninh").fill("TEM-9")
    page.get_by_role("button", name="Lưu kết quả kiểm tra").click()
    expect(page.locator("#result-error")).to_contain_text("micro có dây")

    # A mistyped code: a clear message, nothing opened.
    page.get_by_role("link", name="Quét thiết bị khác").click()
    page.get_by_label("Mã thẻ: quét hoặc nhập").fill(CAMERA_CODE[:-1] + "0")
    page.get_by_role("button", name="Mở").click()
    expect(page.get_by_role("alert")).to_contain_text("Mã thẻ không hợp lệ")
    check_page(page, "inspection-bad-code")

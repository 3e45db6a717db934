"""The whole law in one walk: a Tuyệt mật meeting over two days, with foreign parties
(their written consent recorded), hosted by a unit of the Ministry of Defence — so its own
functional body, not the police, inspects the equipment — taken by clicks through every
item of its checklist to "cleared to start", through the door (each person's citizen
identity card verified) and both days (the room sealed after the first, found intact on
the second), and closed with its documents recovered. The app's clock is moved
(``app_clock``) so that the two days are two real days on the agency's calendar."""

import re
import subprocess
from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from meetingsec.core.db import utcnow
from meetingsec.core.i18n import local_date, to_utc
from meetingsec.demo import DEMO_PASSWORD
from meetingsec.extensions import db
from tests.conftest import OUTPUT
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, log_in
from tests.e2e.test_device_states import _spare
from tests.e2e.test_door import FIRST_SCREEN, _sign

TITLE = "Hội nghị hợp tác quốc phòng Việt Nam – Lào năm 2027"
DEFENCE = "Bộ Chỉ huy Quân sự tỉnh Bình Minh"
TECH = ("kythuatqp", "Vũ Quang Kỹ Thuật")
PEOPLE = [
    ("Nguyễn Văn Bình", "001085012340"),
    ("Trần Thị Cúc", "001085012341"),
]
FOREIGN = "Bounmy Sisavath"
MIC_SEAL, ROOM_SEAL = "QP-2027-0001", "QP-PH-0002"
SHOTS = OUTPUT / "screenshots" / "defence-walk"


def _cccd(i: int) -> str:
    name, number = PEOPLE[i]
    return f"{number}|012345678|{name}|15031985|Nam|Số {i + 1} Lê Lợi, Bình Minh|20042021"


def _days():
    """The meeting's two days on the agency's calendar, the first in two days' time."""
    first = local_date(utcnow()) + timedelta(days=2)
    return first, first + timedelta(days=1)


def _at(day, hour: int, minute: int = 0) -> datetime:
    return to_utc(datetime.combine(day, time(hour, minute)))


def _reference_data(server):
    """What an administrator has set up before: the defence unit (marked as the Ministry of
    Defence's), its technician, a wired microphone in the registry (its tag code)."""
    from meetingsec.org.services import save_unit
    from meetingsec.users import services as users
    from meetingsec.users.roles import Role

    with server.app.app_context():
        unit = save_unit(None, actor=None, name=DEFENCE, parent=None, functional_body="defence")
        users.create_user(
            actor=None,
            username=TECH[0],
            full_name=TECH[1],
            position="Thiếu tá, trợ lý kỹ thuật",
            unit=unit,
            roles={Role.TECHNICIAN},
            password=DEMO_PASSWORD,
        )
        db.session.commit()
        db.session.remove()
    return _spare(server)


def _list_and_document(server, meeting_id):
    """The list the organiser imported (two people with their CCCD numbers, the foreign
    guest) and the document to hand out: both have their own walks (test_import,
    test_records)."""
    from meetingsec.attendees.services import add_attendees
    from meetingsec.meetings.models import Meeting
    from meetingsec.users.services import get_user_by_username
    from meetingsec.workflows.services import register_document

    with server.app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        organiser = get_user_by_username("tochuc")
        rows = [
            {"full_name": n, "unit_name": DEFENCE, "position": "Trợ lý", "id_number": i}
            for n, i in PEOPLE
        ]
        rows.append({"full_name": FOREIGN, "unit_name": "Bộ Quốc phòng Lào", "position": "Đại tá"})
        people = add_attendees(meeting, rows, actor=organiser, source="test")
        doc = register_document(
            meeting,
            actor=organiser,
            number="07/KH-BCH",
            title="Kế hoạch hợp tác năm 2027",
            classification="tuyet_mat",
            copy_count=1,
            copy_authorisation="Chỉ huy trưởng cho phép sao 1 bản",
        )
        db.session.commit()
        out = [p.invitation_code for p in people], doc.copies[0].code
        db.session.remove()
    return out


def _item(page, text):
    return page.locator("li.item").filter(has_text=text)


def _mark(page, rule_id, note):
    item = page.locator(f"#item-{rule_id}")
    item.get_by_label("Ghi chú").fill(note)
    item.get_by_role("button", name="Đã thực hiện").click()
    expect(item).to_contain_text(note)


def _as(page, server, username, meeting_id):
    page.goto(f"{server.url}/login")
    if page.get_by_role("button", name="Đăng xuất").count():
        page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, server, username, DEMO_PASSWORD)
    page.goto(f"{server.url}/meetings/{meeting_id}")


def _shot(page, name):
    size = page.viewport_size
    page.screenshot(path=f"{SHOTS}/{name}-{size['width']}x{size['height']}.png", full_page=True)


@pytest.fixture
def live_server_config():
    """Records render in the server's own process, on its moved clock (a worker process
    would stamp them with the real time, before the meeting's days)."""
    return {"HUEY_IMMEDIATE": True}


@pytest.fixture
def agency_calendar(live_server):
    """The agency's time zone (the app's config) for the test's own dates."""
    with live_server.app.app_context():
        yield


def test_a_two_day_tuyet_mat_meeting_with_foreign_parties_hosted_by_defence(
    page, live_server, check_page, app_clock, agency_calendar
):
    mic_code = _reference_data(live_server)
    day1, day2 = _days()

    # -- the organiser creates it ------------------------------------------------------------
    log_in(page, live_server, "tochuc", DEMO_PASSWORD)
    page.get_by_role("link", name="Tạo cuộc họp").click()
    page.get_by_label("Tên cuộc họp").fill(TITLE)
    page.get_by_label("Độ mật").select_option(label="Tuyệt mật")
    page.get_by_label("Bắt đầu").fill(f"{day1.isoformat()}T08:00")
    page.get_by_label("Kết thúc", exact=True).fill(f"{day2.isoformat()}T16:00")
    page.get_by_label("Địa điểm").select_option(label="Phòng họp số 1 (tầng 3)")
    page.get_by_label("Đơn vị chủ trì").select_option(label=DEFENCE)
    page.get_by_label("Người chủ trì").select_option(index=0)
    page.get_by_label(TECH[1]).check()
    page.get_by_label("Hoàng Thị Lễ Tân").check()
    page.get_by_label("Có người nước ngoài tham dự").check()
    page.get_by_label("Người có văn bản đồng ý (họ tên, chức vụ)").fill(
        "Nguyễn Văn Tư lệnh, Tư lệnh Quân khu"
    )
    page.get_by_label("Số văn bản đồng ý").fill("112/QK-TM")
    page.get_by_label("Ngày văn bản đồng ý").fill(local_date(utcnow()).isoformat())
    page.get_by_role("button", name="Tạo cuộc họp").click()
    expect(page.locator("#flashes")).to_contain_text("Đã tạo cuộc họp")
    meeting_id = int(re.search(r"/meetings/(\d+)", page.url).group(1))
    expect(page.locator(".facts")).to_contain_text("112/QK-TM")
    # the rules of this meeting, and only these: Tuyệt mật, two days, foreign parties
    for text in (
        "lực lượng canh gác",
        "niêm phong phòng họp",
        "kiểm tra an ninh, an toàn đối với người tham dự",
        "nước ngoài",
        "cơ quan chức năng",
    ):
        expect(_item(page, text).first).to_be_visible()
    _shot(page, "walk-checklist")
    invitations, copy_code = _list_and_document(live_server, meeting_id)
    page.get_by_role("link", name="Thiết bị (0)").click()
    page.locator("input#code").fill(mic_code)
    page.locator("input#code").press("Enter")
    expect(page.locator("#flashes")).to_contain_text("Micro có dây Bosch Dự phòng")
    page.goto(f"{live_server.url}/meetings/{meeting_id}")
    _mark(page, "safe-venue", "Phòng họp số 1, đã kiểm tra khóa cửa")
    _mark(page, "protection-plan", "Phương án số 05/PA-BCH ngày 20/11/2026")
    page.get_by_role("button", name="Đăng xuất").click()

    # -- the chair approves the content and the list, marks what is theirs --------------------
    _as(page, live_server, "chutri", meeting_id)
    page.get_by_role("link", name="Phê duyệt nội dung bí mật").click()
    page.get_by_label("Người phê duyệt (họ và tên)").fill("Nguyễn Văn Chỉ Huy")
    page.get_by_label("Chức vụ người phê duyệt").fill("Chỉ huy trưởng")
    page.get_by_label("Số văn bản phê duyệt").fill("15/QĐ-BCH")
    page.get_by_label("Ngày của văn bản phê duyệt").fill(local_date(utcnow()).isoformat())
    page.get_by_role("button", name="Ghi nhận phê duyệt").click()
    expect(page.locator("#flashes")).to_contain_text("Đã ghi nhận phê duyệt")
    _mark(page, "head-accountable", "Quyết định số 20/QĐ-BCH")
    _mark(page, "outside-guards", "Bố trí 2 chiến sĩ gác ngoài hội trường")
    page.get_by_role("link", name=re.compile("^Người tham dự")).click()
    page.get_by_role("button", name=re.compile("^Phê duyệt 3 thay đổi")).click()
    expect(page.locator("#flashes")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()

    # -- the defence technician, on a phone: device added, inspected, sealed, installed ------
    page.set_viewport_size(PHONE)
    _as(page, live_server, TECH[0], meeting_id)
    page.get_by_role("link", name="Kiểm tra thiết bị", exact=True).click()
    page.get_by_label("Mã thẻ: quét hoặc nhập").fill(mic_code)
    page.get_by_label("Mã thẻ: quét hoặc nhập").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Micro có dây Bosch Dự phòng")
    page.get_by_role("radio", name="Đạt", exact=True).check()
    page.get_by_label("Số tem an ninh").fill(MIC_SEAL)
    page.get_by_role("button", name="Lưu kết quả kiểm tra").click()
    expect(page.locator("#flashes")).to_contain_text("Đã ghi kết quả kiểm tra")
    page.get_by_role("button", name="Xác nhận đã lắp đặt").click()
    expect(page.locator(".device-card")).to_contain_text("Đã lắp đặt")
    _shot(page, "walk-device")

    # -- day 1, 07:00: the seal re-checked on the day, then the gate --------------------------
    app_clock(_at(day1, 7))
    _as(page, live_server, TECH[0], meeting_id)
    page.get_by_role("link", name="Kiểm tra thiết bị", exact=True).click()
    page.get_by_label("Mã thẻ: quét hoặc nhập").fill(mic_code)
    page.get_by_label("Mã thẻ: quét hoặc nhập").press("Enter")
    page.get_by_label("Số tem thấy trên thiết bị").fill(MIC_SEAL)
    page.get_by_role("radio", name="Còn nguyên vẹn").check()
    page.get_by_role("button", name="Lưu kết quả kiểm tra tem").click()
    expect(page.locator("#flashes")).to_contain_text("Đã kiểm tra tem: khớp.")
    check_page(page, "walk-seal-recheck")

    page.set_viewport_size(TABLET_PORTRAIT)
    _as(page, live_server, "chutri", meeting_id)
    page.get_by_role("link", name="Kiểm tra điều kiện bắt đầu").click()
    for size in (TABLET_PORTRAIT, PHONE):
        page.set_viewport_size(size)
        check_page(page, "walk-gate")
        _shot(page, "walk-gate")
    page.set_viewport_size(TABLET_PORTRAIT)
    expect(page.locator(".blockers")).to_have_count(0)
    page.get_by_role("button", name="Xác nhận đủ điều kiện bắt đầu").click()
    expect(page.locator("#flashes")).to_contain_text("đủ điều kiện")

    # -- the door, on a phone: each card verified, the no-third-party clause shown ------------
    page.set_viewport_size(PHONE)
    _as(page, live_server, "letan", meeting_id)
    page.get_by_role("link", name="Cửa ra vào: kiểm soát").click()
    for i, (name, number) in enumerate(PEOPLE):
        field = page.get_by_label(FIRST_SCREEN)
        field.press_sequentially(_cccd(i)) if i == 0 else field.fill(number)
        field.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(name)
        expect(page.locator('[data-identity="verified"]')).to_contain_text(number)
        expect(page.locator(".commitment")).to_contain_text("bên thứ ba")
        if i == 0:
            check_page(page, "walk-door-card")
            _shot(page, "walk-door-card")
        page.get_by_role("button", name="Thêm một Điện thoại").click()
        _sign(page)
        page.get_by_role("button", name="Xác nhận vào").click()
        expect(page.get_by_role("heading", name=f"{name} đã vào.")).to_be_visible()
    _shot(page, "walk-door-done")

    # the chair starts; the document handed out
    page.set_viewport_size(TABLET_PORTRAIT)
    _as(page, live_server, "chutri", meeting_id)
    page.get_by_role("button", name="Bắt đầu phiên họp").click()
    _as(page, live_server, "letan", meeting_id)
    page.goto(f"{live_server.url}/meetings/{meeting_id}/documents/hand-out")
    page.get_by_label("Mã giấy mời của người tham dự: quét hoặc nhập").fill(invitations[0])
    page.get_by_label("Mã giấy mời của người tham dự: quét hoặc nhập").press("Enter")
    page.get_by_label("Mã nhãn bản tài liệu: quét hoặc nhập").fill(copy_code)
    page.get_by_role("button", name="Phát bản này").click()
    expect(page.get_by_text("Đã phát bản số 1")).to_be_visible()

    # -- day 1, 18:00: the room sealed for the night -------------------------------------------
    app_clock(_at(day1, 18))
    page.set_viewport_size(PHONE)
    _as(page, live_server, TECH[0], meeting_id)
    page.get_by_role("link", name="Niêm phong phòng họp (mỗi đêm)").click()
    page.get_by_label("Số tem niêm phong (quét hoặc nhập)").fill(ROOM_SEAL)
    page.get_by_role("button", name="Ghi nhận niêm phong").click()
    expect(page.locator(f"#night-{day1.isoformat()}")).to_contain_text(ROOM_SEAL)

    # -- day 2, 07:30: found intact -----------------------------------------------------------
    app_clock(_at(day2, 7, 30))
    _as(page, live_server, TECH[0], meeting_id)
    page.get_by_role("link", name="Niêm phong phòng họp (mỗi đêm)").click()
    page.get_by_label("Số tem niêm phong thấy trên cửa (quét hoặc nhập)").fill(ROOM_SEAL)
    page.get_by_label("Tem niêm phong", exact=True).select_option(label="Còn nguyên vẹn")
    page.get_by_role("button", name="Ghi nhận kết quả kiểm tra").click()
    expect(page.locator(f"#night-{day1.isoformat()}")).to_contain_text("Nguyên vẹn, đúng tem")
    check_page(page, "walk-room-seal")
    _shot(page, "walk-room-seal")

    # -- day 2, 16:30: the session ends; the copy and the phones come back; records; closed --
    app_clock(_at(day2, 16, 30))
    page.set_viewport_size(TABLET_PORTRAIT)
    _as(page, live_server, "chutri", meeting_id)
    page.get_by_role("button", name="Kết thúc phiên họp").click()
    _as(page, live_server, "letan", meeting_id)
    page.goto(f"{live_server.url}/meetings/{meeting_id}/documents/recover")
    page.get_by_label("Mã nhãn bản tài liệu: quét hoặc nhập").fill(copy_code)
    page.get_by_role("button", name="Đã thu hồi").click()
    expect(page.get_by_text("Đã thu hồi bản số 1")).to_be_visible()
    for name, _number in PEOPLE:
        page.goto(f"{live_server.url}/meetings/{meeting_id}/door/returns")
        page.get_by_role("link", name=name).first.click()
        page.get_by_role("button", name=f"Xác nhận đã trả cho {name}").click()
        expect(page.locator("#done-title")).to_contain_text(name)
    _as(page, live_server, "tochuc", meeting_id)
    page.get_by_role("link", name="Hồ sơ (PDF)").click()
    for card in page.locator("li.card").all():
        button = card.get_by_role("button", name=re.compile("^Lập hồ sơ"))
        if button.count():
            button.click()
            expect(card.get_by_text(re.compile(r"^Phiên bản 1, lập lúc"))).to_be_visible(
                timeout=60_000
            )
    page.goto(f"{live_server.url}/meetings/{meeting_id}/closing")
    _shot(page, "walk-closing")
    expect(page.get_by_text("Đã đủ điều kiện kết thúc.")).to_be_visible()
    page.get_by_role("button", name="Kết thúc hồ sơ cuộc họp").click()
    expect(page.get_by_text("Đã kết thúc hồ sơ cuộc họp. Hồ sơ đã được khóa.")).to_be_visible()

    # -- the records name the body that inspected ----------------------------------------------
    for kind in ("inspection", "security"):
        resp = page.request.get(f"{live_server.url}/meetings/{meeting_id}/records/{kind}.pdf")
        assert resp.ok, kind
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"walk-{kind}.pdf").write_bytes(resp.body())  # for people to look at
        # read from the answer itself: the other backend's run may be writing the same file
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=resp.body(), capture_output=True
        ).stdout.decode()
        text = " ".join(text.split())
        assert "Cơ quan kiểm tra: Cơ quan chức năng của Bộ Quốc phòng" in text, kind
        if kind == "inspection":  # (the security record quotes the rules, police and all)
            assert "Công an" not in text

"""The door on a tablet: import and approve the list, check people in by camera, typed
code and name search, deposit a phone and sign, refuse a walk-in, two tablets on the same
invitation, the Wi-Fi dropping mid-check-in, and a return by claim ticket."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from meetingsec.core.codes import display
from meetingsec.demo import DEMO_PASSWORD
from meetingsec.extensions import db
from tests.e2e.conftest import CAMERA_CODE, demo_meeting_id, log_in

#: The door's first screen: an invitation or a citizen identity card, scanned or typed
FIRST_SCREEN = "Giấy mời hoặc căn cước công dân (CCCD): quét hoặc nhập"

NAMES = ["Nguyễn Văn Bình", "Trần Thị Cúc", "Đỗ Minh Đạt", "Lê Thị Ê"]


def _cleared_meeting(
    live_server, *, pending=(), camera=True, classification="toi_mat", id_numbers=()
):
    """A Tối mật meeting cleared to start (its gate is tested with the meetings), the demo
    clerk at its door, four approved attendees (with ``id_numbers``, their CCCD numbers,
    if given), the first one's invitation shown to the fake camera (``camera``: one meeting
    a test)."""
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
    from meetingsec.core.db import utcnow
    from meetingsec.meetings.services import MeetingData
    from meetingsec.org.models import Unit, Venue
    from meetingsec.users.services import get_user_by_username
    from meetingsec.workflows.services import create_meeting

    with live_server.app.app_context():
        organiser, chair = get_user_by_username("tochuc"), get_user_by_username("chutri")
        start = utcnow() + timedelta(hours=1)
        meeting = create_meeting(
            MeetingData(
                title="Họp bàn phương án bảo vệ",
                kind="cuoc_hop",
                classification=classification,
                format="in_person",
                starts_at=start,
                ends_at=start + timedelta(hours=2),
                venue=db.session.query(Venue).first(),
                host_unit=db.session.query(Unit).first(),
                chair=chair,
                clerks=[get_user_by_username("letan")],
            ),
            actor=organiser,
        )
        rows = [
            {"full_name": n, "unit_name": "Sở Nội vụ", "position": "Chuyên viên"} for n in NAMES
        ]
        for row, number in zip(rows, id_numbers, strict=False):
            row["id_number"] = number
        people = add_attendees(meeting, rows, actor=organiser, source="test")
        approve_list(meeting, actor=chair, seen=shown_changes(people, []))
        if pending:
            add_attendees(
                meeting,
                [{"full_name": n, "unit_name": "Sở Tư pháp"} for n in pending],
                actor=organiser,
                source="test",
            )
        if camera:
            people[0].invitation_code = CAMERA_CODE
        meeting.status = "cleared"
        db.session.commit()
        out = meeting.id, {p.full_name: p.invitation_code for p in people}
        db.session.remove()
    return out


def _counts(live_server, meeting_id):
    from meetingsec.door.queries import counters

    with live_server.app.app_context():
        c = counters(meeting_id)
        db.session.remove()
    return c


def _sign(page):
    canvas = page.locator("canvas.signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 40, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for i in range(1, 30):
        page.mouse.move(x + i * 12, y + (20 if i % 4 < 2 else -20), steps=2)
    page.mouse.up()
    expect(page.locator("#signature")).not_to_have_value("")


def _door(page, live_server, meeting_id):
    log_in(page, live_server, "letan", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting_id}")
    page.get_by_role("link", name="Cửa ra vào: kiểm soát").click()
    expect(page).to_have_url(f"{live_server.url}/meetings/{meeting_id}/door/")
    page.wait_for_load_state()  # the scripts (search as you type, camera) have run


def test_check_in_by_camera_typed_code_and_name_search(page, live_server, check_page):
    meeting_id, codes = _cleared_meeting(live_server)
    _door(page, live_server, meeting_id)
    check_page(page, "door-scan")

    # 1. the camera reads the invitation; a phone deposited; signed; confirmed: 3 taps
    page.get_by_role("button", name="Quét bằng camera").click()  # tap 1
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[0], timeout=15_000)
    expect(page.locator(".verdict")).to_contain_text("Có trong danh sách được duyệt")
    check_page(page, "door-card")
    page.get_by_role("button", name="Thêm một Điện thoại").click()  # tap 2
    _sign(page)
    page.get_by_role("button", name="Xác nhận vào").click()  # tap 3
    expect(page.get_by_role("heading", name=f"{NAMES[0]} đã vào.")).to_be_visible()
    expect(page.locator(".ticket-card")).to_contain_text("Ô số 1")
    expect(page.locator(".ticket-card")).to_contain_text("Điện thoại")
    expect(page.get_by_label(FIRST_SCREEN)).to_be_focused()  # back at step 1
    check_page(page, "door-done")

    # 2. a keyboard-wedge scanner (or typing): the code and Enter; carries nothing
    page.get_by_label(FIRST_SCREEN).fill(display(codes[NAMES[1]]).lower())
    page.get_by_label(FIRST_SCREEN).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[1])
    page.get_by_role("button", name="Xác nhận vào").click()  # forgot devices and signature
    expect(page.locator(".form-errors")).to_contain_text("không mang thiết bị")
    check_page(page, "door-card-errors")
    page.get_by_label("Không mang thiết bị").check()
    _sign(page)
    page.get_by_role("button", name="Xác nhận vào").click()
    expect(page.get_by_role("heading", name=f"{NAMES[1]} đã vào.")).to_be_visible()
    expect(page.get_by_text("Không gửi thiết bị.")).to_be_visible()

    # 3. search by name, without diacritics, results as you type
    page.wait_for_load_state()  # the search listens once the page's scripts have run
    page.get_by_label("Hoặc tìm theo tên").fill("do minh")
    result = page.locator("#results").get_by_role("link", name=NAMES[2])
    expect(result).to_be_visible()
    check_page(page, "door-search")
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[2])

    # a known person scanned again: told, not recorded twice
    page.goto(f"{live_server.url}/meetings/{meeting_id}/door/?code={codes[NAMES[0]]}")
    expect(page.locator(".verdict")).to_contain_text("Đã vào lúc")
    c = _counts(live_server, meeting_id)
    assert (c.checked_in, c.deposited) == (2, 1)


def test_refused_walk_in_and_a_pending_person(page, live_server, check_page):
    meeting_id, _codes = _cleared_meeting(live_server, pending=["Phan Văn Chờ"])
    _door(page, live_server, meeting_id)
    page.get_by_label("Hoặc tìm theo tên").fill("khach la")
    refuse = page.get_by_role("link", name="Không có trong danh sách: ghi nhận từ chối")
    expect(refuse).to_be_visible()
    refuse.click()
    expect(page.get_by_label("Họ và tên")).to_have_value("")  # the search is not a name
    page.get_by_label("Họ và tên").fill("Khách Lạ")
    page.get_by_label("Đơn vị").fill("Công ty TNHH Ánh Dương")
    check_page(page, "door-refusal")
    page.get_by_role("button", name="Ghi nhận từ chối").click()
    expect(page.locator("#flashes")).to_contain_text("Đã ghi nhận từ chối Khách Lạ")

    # on the list but not approved by the chair: refused in one tap
    page.wait_for_load_state()  # the search listens once the page's scripts have run
    page.get_by_label("Hoặc tìm theo tên").fill("phan van cho")
    page.locator("#results").get_by_role("link", name="Phan Văn Chờ").click()
    expect(page.get_by_role("alert").first).to_contain_text("không cho vào")
    check_page(page, "door-card-refused")
    page.get_by_role("button", name="Ghi nhận từ chối").click()
    expect(page.locator("#flashes")).to_contain_text("Đã ghi nhận từ chối Phan Văn Chờ")
    assert _counts(live_server, meeting_id).refused == 2


def test_two_tablets_scan_the_same_invitation(browser, live_server):
    meeting_id, codes = _cleared_meeting(live_server)
    code = codes[NAMES[3]]
    pages = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="vi-VN")
        page = context.new_page()
        _door(page, live_server, meeting_id)
        page.goto(f"{live_server.url}/meetings/{meeting_id}/door/?code={code}")
        page.get_by_role("button", name="Thêm một Điện thoại").click()
        _sign(page)
        pages.append(page)
    for page in pages:  # both confirm at once
        page.get_by_role("button", name="Xác nhận vào").click(no_wait_after=True)
    texts = []
    for page in pages:  # each ends on the confirmation or on "already checked in"
        expect(page.locator("main")).to_contain_text(re.compile(r"đã vào\.|Đã vào lúc"))
        texts.append(page.locator("main").inner_text())
    done = [t for t in texts if f"{NAMES[3]} đã vào." in t]
    told = [t for t in texts if "Đã vào lúc" in t]
    assert len(done) == 1 and len(told) == 1, texts
    c = _counts(live_server, meeting_id)
    assert (c.checked_in, c.deposited) == (1, 1)
    for page in pages:
        page.context.close()


def test_wifi_drops_mid_check_in_and_the_retry_records_once(page, live_server, check_page):
    meeting_id, codes = _cleared_meeting(live_server)
    _door(page, live_server, meeting_id)
    page.goto(f"{live_server.url}/meetings/{meeting_id}/door/?code={codes[NAMES[2]]}")
    page.get_by_role("button", name="Thêm một Điện thoại").click()
    _sign(page)
    page.context.set_offline(True)
    page.get_by_role("button", name="Xác nhận vào").click()
    retry = page.get_by_role("button", name="Gửi lại")
    expect(retry).to_be_visible()
    expect(page.locator("[data-retry-box]")).to_contain_text("Mọi thông tin vẫn còn")
    expect(page.locator("#signature")).not_to_have_value("")
    expect(page.locator("#n_phone")).to_have_value("1")
    page.screenshot(path="test-output/screenshots/door-offline.png", full_page=True)
    assert _counts(live_server, meeting_id).checked_in == 0
    page.context.set_offline(False)
    retry.click()
    expect(page.get_by_role("heading", name=f"{NAMES[2]} đã vào.")).to_be_visible()
    page.go_back()  # and a second send of the same form changes nothing
    c = _counts(live_server, meeting_id)
    assert (c.checked_in, c.deposited) == (1, 1)


def test_return_by_claim_ticket(page, live_server, check_page):
    meeting_id, codes = _cleared_meeting(live_server)
    _door(page, live_server, meeting_id)
    page.goto(f"{live_server.url}/meetings/{meeting_id}/door/?code={codes[NAMES[1]]}")
    page.get_by_role("button", name="Thêm một Điện thoại").click()
    page.get_by_role("button", name="Thêm một Máy tính xách tay").click()
    _sign(page)
    page.get_by_role("button", name="Xác nhận vào").click()
    ticket = page.locator(".ticket-card code").first.inner_text()

    page.get_by_role("link", name="Ra về và trả thiết bị").click()
    expect(page.get_by_role("heading", name="Đang giữ (2)")).to_be_visible()
    check_page(page, "door-returns")
    page.get_by_label("Mã phiếu gửi: quét hoặc nhập").fill(ticket)
    page.get_by_label("Mã phiếu gửi: quét hoặc nhập").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(NAMES[1])
    check_page(page, "door-return-card")
    page.get_by_role("button", name=f"Xác nhận đã trả cho {NAMES[1]}").click()
    expect(page.get_by_role("heading", name=f"Đã trả cho {NAMES[1]}:")).to_be_visible()
    expect(page.get_by_text("Không còn thiết bị nào giữ tại cửa.")).to_be_visible()
    c = _counts(live_server, meeting_id)
    assert (c.held, c.inside) == (0, 0)


def test_organiser_imports_a_list_with_errors_fixes_it_and_the_chair_approves(
    page, live_server, check_page, tmp_path
):
    meeting_id = demo_meeting_id(live_server)
    log_in(page, live_server, "tochuc", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting_id}")
    page.get_by_role("link", name="Người tham dự").click()
    page.get_by_role("link", name="Nhập danh sách từ tệp").click()
    # A 250 KB workbook that unpacks to 100 MB: refused at once, with a clear message
    from tests.attendees.test_upload_bombs import bomb

    name, data = bomb("shared_strings")
    (tmp_path / name).write_bytes(data)
    page.get_by_label("Tệp danh sách (.xlsx, .xls hoặc .csv)").set_input_files(str(tmp_path / name))
    page.get_by_role("button", name="Đọc tệp").click()
    expect(page.locator("[data-error-code=import_too_large]")).to_be_visible()
    check_page(page, "import-too-large")
    bad = tmp_path / "danh-sach.csv"
    bad.write_text(
        "Họ và tên,Chức vụ,Đơn vị,Điện thoại\n"
        "Vũ Thị Hồng,Chuyên viên,Sở Y tế,0912 000 111\n"
        ",Phó Giám đốc,Sở Y tế,\n"
        "Mạc Văn Khoa,,Sở Công Thương,=1+1\n",
        encoding="utf-8-sig",
    )
    page.get_by_label("Tệp danh sách (.xlsx, .xls hoặc .csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Đọc tệp").click()
    expect(page.locator(".lead")).to_contain_text(
        "Đã đọc 3 dòng người dự: 1 dòng sẵn sàng, 2 dòng có lỗi."
    )
    expect(page.locator("table.preview")).to_contain_text("Thiếu Họ và tên.")
    expect(page.locator("table.preview")).to_contain_text("không nhận công thức")
    check_page(page, "import-preview-errors")

    page.get_by_role("link", name="Tải lên tệp đã sửa").click()
    bad.write_text(
        "Họ và tên,Chức vụ,Đơn vị,Điện thoại\n"
        "Vũ Thị Hồng,Chuyên viên,Sở Y tế,0912 000 111\n"
        "Tạ Quang Bửu,Phó Giám đốc,Sở Y tế,\n"
        "Mạc Văn Khoa,,Sở Công Thương,0913 222 333\n",
        encoding="utf-8-sig",
    )
    page.get_by_label("Tệp danh sách (.xlsx, .xls hoặc .csv)").set_input_files(str(bad))
    page.get_by_role("button", name="Đọc tệp").click()
    page.get_by_role("button", name="Nhập 3 dòng").click()
    expect(page.locator("#flashes")).to_contain_text("Đã nhập 3 người")
    expect(page.locator("table.attendees")).to_contain_text("Tạ Quang Bửu")
    check_page(page, "attendees-pending")
    page.get_by_role("button", name="Đăng xuất").click()

    log_in(page, live_server, "chutri", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting_id}/attendees/")
    expect(page.locator(".pending")).to_contain_text("Thêm: 8; bỏ: 0.")
    expect(page.locator("table.attendees")).to_contain_text("Tạ Quang Bửu")
    page.get_by_role("button", name="Phê duyệt 8 thay đổi này").click()
    expect(page.locator("#flashes")).to_contain_text("Đã phê duyệt danh sách: thêm 8, rút 0.")
    expect(page.locator(".pending")).to_have_count(0)
    check_page(page, "attendees-approved")

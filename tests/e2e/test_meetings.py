"""A meeting from draft to the gate, in the browser, at tablet size."""

from datetime import timedelta

from playwright.sync_api import expect

from meetingsec.core.db import utcnow
from meetingsec.demo import DEMO_PASSWORD
from tests.e2e.conftest import log_in


def _when(days: int, hour: int) -> str:
    day = (utcnow() + timedelta(days=days)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


def _item(page, text):
    return page.locator("li.item").filter(has_text=text)


def test_organiser_and_chair_take_a_meeting_to_the_gate(page, live_server, check_page):
    log_in(page, live_server, "tochuc", DEMO_PASSWORD)
    page.get_by_role("link", name="Tạo cuộc họp").click()
    check_page(page, "meeting-new")
    page.get_by_label("Tên cuộc họp").fill("Hội nghị triển khai công tác bảo vệ bí mật nhà nước")
    page.get_by_label("Độ mật").select_option(label="Tuyệt mật")
    page.get_by_label("Bắt đầu").fill(_when(5, 8))
    page.get_by_label("Kết thúc", exact=True).fill(_when(5, 11))
    page.get_by_label("Địa điểm").select_option(label="Hội trường Khách sạn Sông Hồng")
    page.get_by_label("Đơn vị chủ trì").select_option(label="Văn phòng Ủy ban nhân dân tỉnh")
    page.get_by_label("Người chủ trì").select_option(index=0)
    page.get_by_label("Phạm Đức Kỹ Thuật").check()
    page.get_by_label("Hoàng Thị Lễ Tân").check()
    page.get_by_role("button", name="Tạo cuộc họp").click()

    expect(page.locator("#flashes")).to_contain_text("Đã tạo cuộc họp")
    offsite = _item(page, "Tổ chức ngoài trụ sở: người đứng đầu hoặc cấp phó")
    expect(offsite).to_contain_text("Nghị định 63/2026/NĐ-CP")
    expect(offsite).to_contain_text("cần đối chiếu")
    expect(_item(page, "không mang thiết bị có tính năng thu, phát tin")).to_be_visible()
    expect(_item(page, "lực lượng canh gác")).to_be_visible()
    check_page(page, "meeting-tuyet-mat-outside")

    # Mật at headquarters: the items change.
    page.get_by_role("link", name="Sửa", exact=True).click()
    page.get_by_label("Độ mật").select_option(label="Mật")
    page.get_by_label("Địa điểm").select_option(label="Phòng họp số 1 (tầng 3)")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("#flashes")).to_contain_text("Đã lưu cuộc họp")
    expect(_item(page, "Tổ chức trong phòng họp kín tại trụ sở")).to_be_visible()
    expect(_item(page, "Độ Mật: việc sử dụng phương tiện")).to_be_visible()
    expect(_item(page, "Tổ chức ngoài trụ sở")).to_have_count(0)
    expect(_item(page, "không mang thiết bị có tính năng thu, phát tin")).to_have_count(0)

    # A manual item, marked with htmx; the readiness follows.
    plan = _item(page, "Có phương án bảo vệ")
    plan.get_by_role("button", name="Đã thực hiện").click()
    expect(plan.locator(".error")).to_contain_text("Ghi rõ đã thực hiện")
    plan.get_by_label("Ghi chú").fill("Phương án số 12/PA-VP ngày 20/11/2026")
    plan.get_by_role("button", name="Đã thực hiện").click()
    expect(plan).to_contain_text("Phương án số 12/PA-VP")
    expect(plan.get_by_role("button", name="Hoàn tác")).to_be_visible()
    check_page(page, "meeting-mat-hq-marked")
    page.get_by_role("button", name="Đăng xuất").click()

    # The chair approves, decides on devices, and tries the gate.
    log_in(page, live_server, "chutri", DEMO_PASSWORD)
    expect(
        page.get_by_role("heading", name="Chờ tôi phê duyệt hoặc xác nhận đủ điều kiện")
    ).to_be_visible()
    # the home lists it twice: first with the step that waits (to do), then among all
    page.get_by_role(
        "link", name="Hội nghị triển khai công tác bảo vệ bí mật nhà nước", exact=True
    ).first.click()
    page.get_by_role("link", name="Phê duyệt nội dung bí mật").click()
    page.get_by_label("Người phê duyệt (họ và tên)").fill("Nguyễn Văn Chủ Tịch")
    page.get_by_label("Chức vụ người phê duyệt").fill("Chủ tịch Ủy ban nhân dân tỉnh")
    page.get_by_label("Số văn bản phê duyệt").fill("15/QĐ-UBND")
    page.get_by_label("Ngày của văn bản phê duyệt").fill(
        (utcnow() - timedelta(days=1)).date().isoformat()
    )
    check_page(page, "meeting-approve")
    page.get_by_role("button", name="Ghi nhận phê duyệt").click()
    expect(page.locator("#flashes")).to_contain_text("Đã ghi nhận phê duyệt")
    expect(_item(page, "Có ý kiến đồng ý của người đứng đầu")).to_contain_text("Đạt")
    page.get_by_label("Thiết bị tại cuộc họp độ Mật này").select_option(
        label="Thiết bị được gửi lại tại cửa"
    )
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(_item(page, "Độ Mật: việc sử dụng phương tiện")).to_contain_text("Đạt")
    head = _item(page, "Người đứng đầu cơ quan")
    head.get_by_label("Ghi chú").fill("Quyết định số 20/QĐ-UBND")
    head.get_by_role("button", name="Đã thực hiện").click()
    expect(head).to_contain_text("Quyết định số 20/QĐ-UBND")

    page.get_by_role("link", name="Kiểm tra điều kiện bắt đầu").click()
    blockers = page.locator(".blockers")
    expect(blockers).to_contain_text("Danh sách người tham dự còn trống.")
    expect(blockers).to_contain_text("Chưa đăng ký thiết bị nào cho cuộc họp.")
    expect(blockers).not_to_contain_text("Có phương án bảo vệ")
    check_page(page, "meeting-gate")
    page.get_by_role("button", name="Xác nhận đủ điều kiện bắt đầu").click()
    expect(page.locator("#flashes")).to_contain_text("Chưa đủ điều kiện")
    check_page(page, "meeting-gate-refused")


def test_another_meeting_is_forbidden(page, live_server, check_page):
    log_in(page, live_server, "tochuc", DEMO_PASSWORD)
    page.get_by_role("link", name="Tạo cuộc họp").click()
    page.get_by_label("Tên cuộc họp").fill("Cuộc họp riêng")
    page.get_by_label("Bắt đầu").fill(_when(2, 8))
    page.get_by_label("Kết thúc", exact=True).fill(_when(2, 9))
    page.get_by_role("button", name="Tạo cuộc họp").click()
    url = page.url
    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, live_server, "kythuat", DEMO_PASSWORD)  # not on this meeting's team
    page.goto(url)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Bạn không có quyền truy cập trang này"
    )
    check_page(page, "meeting-forbidden")

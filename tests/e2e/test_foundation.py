"""Golden paths of the foundation in a real browser, at tablet size."""

import contextlib
import re

import pytest
from playwright.sync_api import expect

from meetingsec.audit.services import chain_head
from meetingsec.demo import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, TABLET_LANDSCAPE, TABLET_PORTRAIT, log_in

HOMES = {
    "admin": ("/home/admin", "Quản trị"),
    "tochuc": ("/home/organiser", "Người tổ chức"),
    "chutri": ("/home/chair", "Người chủ trì"),
    "kythuat": ("/home/technician", "Cán bộ kỹ thuật (Công an)"),
    "letan": ("/home/clerk", "Lễ tân kiểm soát"),
    "kiemtra": ("/home/auditor", "Kiểm tra viên"),
}


@pytest.mark.parametrize("username", list(HOMES))
def test_each_role_logs_in_and_sees_its_home(
    page, live_server, check_page, csp_violations, username
):
    path, heading = HOMES[username]
    log_in(page, live_server, username, DEMO_PASSWORD)
    expect(page).to_have_url(live_server.url + path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    check_page(page, f"home-{username}")
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    assert csp_violations == []


@pytest.mark.parametrize(
    "viewport",
    [TABLET_PORTRAIT, TABLET_LANDSCAPE, PHONE],
    ids=lambda v: f"{v['width']}x{v['height']}",
)
def test_layout_at_every_size(page, live_server, check_page, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{live_server.url}/login")
    check_page(page, "login")
    log_in(page, live_server, "admin", DEMO_PASSWORD)
    for path, name in (
        ("/admin/users", "users"),
        ("/admin/users/new", "user-new"),
        ("/admin/users/2", "user-edit"),
        ("/admin/units", "units"),
        ("/admin/units/new", "unit-new"),
        ("/admin/venues", "venues"),
        ("/admin/venues/3", "venue-edit"),
        ("/audit/", "audit-log"),
        ("/audit/verify", "audit-verify"),
        ("/about/", "about"),
        ("/account/password", "password"),
        ("/nowhere", "error-404"),
    ):
        page.goto(live_server.url + path)
        check_page(page, name)


def test_language_switch(page, live_server, check_page):
    page.goto(f"{live_server.url}/login")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("Username").fill("tochuc")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organiser")
    check_page(page, "home-organiser-en")
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Người tổ chức")
    # Remembered for the user: a fresh browser session after logging in again.
    page.get_by_role("button", name="Đăng xuất").click()
    page.context.clear_cookies()
    log_in(page, live_server, "tochuc", DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Người tổ chức")


def test_five_failed_logins_show_the_lock(page, live_server, check_page):
    for attempt in range(5):
        log_in(page, live_server, "letan", f"wrong password {attempt}")
        if attempt < 4:
            expect(page.get_by_role("alert")).to_contain_text("Sai tên đăng nhập hoặc mật khẩu")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Đăng nhập sai quá nhiều lần")
    expect(alert).to_contain_text(re.compile(r"khóa đến \d\d:\d\d, ngày \d\d tháng"))
    check_page(page, "login-locked")
    log_in(page, live_server, "letan", DEMO_PASSWORD)  # the right password: still locked
    expect(page.get_by_role("alert")).to_contain_text("Đăng nhập sai quá nhiều lần")


def test_admin_creates_a_user_who_then_logs_in(page, live_server, check_page):
    log_in(page, live_server, "admin", DEMO_PASSWORD)
    page.locator(".navmore summary").click()
    page.get_by_role("link", name="Người dùng").first.click()
    page.get_by_role("link", name="Thêm tài khoản").click()
    page.get_by_role("button", name="Tạo tài khoản").click()  # empty: errors, nothing saved
    expect(page.get_by_role("alert")).to_contain_text("Hãy sửa các trường được đánh dấu")
    check_page(page, "user-new-errors")
    page.get_by_label("Tên đăng nhập").fill("vuthihoa")
    page.get_by_label("Họ và tên").fill("Vũ Thị Hoa")
    page.get_by_label("Chức vụ").fill("Chuyên viên")
    page.get_by_label("Đơn vị", exact=True).select_option(
        label="Ủy ban nhân dân tỉnh Bình Minh › Sở Nội vụ"
    )
    page.get_by_label("Lễ tân kiểm soát").check()
    page.get_by_label("Mật khẩu ban đầu").fill("mật khẩu của Hoa 2026")
    page.get_by_role("button", name="Tạo tài khoản").click()
    expect(page.locator("#flashes")).to_contain_text("Đã tạo tài khoản vuthihoa")
    expect(page.get_by_role("cell", name="Vũ Thị Hoa Chuyên viên")).to_be_visible()
    check_page(page, "users-after-create")
    page.get_by_role("button", name="Đăng xuất").click()
    log_in(page, live_server, "vuthihoa", "mật khẩu của Hoa 2026")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lễ tân kiểm soát")


def test_auditor_filters_the_log_and_verifies_the_chain(page, live_server, check_page):
    log_in(page, live_server, "kiemtra", DEMO_PASSWORD)
    page.get_by_role("link", name="Mở nhật ký kiểm tra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký kiểm tra")
    page.get_by_label("Thao tác").select_option("user.created")  # htmx swaps the results
    expect(page).to_have_url(re.compile(r"action=user\.created"))
    rows = page.locator("#audit-results tbody tr")
    expect(rows).to_have_count(6)
    expect(page.locator("#audit-results")).not_to_contain_text("venue.created")
    check_page(page, "audit-filtered")
    page.reload()  # the filtered URL is a full page too
    expect(rows).to_have_count(6)
    page.get_by_role("link", name="Xác minh chuỗi").click()
    expect(page.locator(".verdict[role=status]")).to_contain_text("Chuỗi nguyên vẹn")
    check_page(page, "audit-verify")
    # The head a printed record carries in its QR, typed (or scanned) into the page
    with live_server.app.app_context():
        seq, hash_ = chain_head()
    page.get_by_label("Mã QR nhật ký trên biên bản, hoặc điểm kiểm tra đã xuất").fill(
        f"meetingsec-audit:{seq}:{hash_}"
    )
    page.get_by_role("button", name="Đối chiếu").click()
    expect(page.locator("[data-anchor-status=ok]")).to_contain_text("khớp")
    check_page(page, "audit-verify-anchor")
    page.get_by_label("Mã QR nhật ký trên biên bản, hoặc điểm kiểm tra đã xuất").fill(
        f"meetingsec-audit:{seq + 50}:{hash_}"
    )
    page.get_by_role("button", name="Đối chiếu").click()
    expect(page.locator("[data-anchor-status=shorter]")).to_be_visible()
    check_page(page, "audit-verify-shorter")


def test_own_password_change(page, live_server, check_page):
    log_in(page, live_server, "chutri", DEMO_PASSWORD)
    page.get_by_role("link", name="Lê Văn Chủ Trì").click()
    page.get_by_label("Mật khẩu hiện tại").fill(DEMO_PASSWORD)
    page.get_by_label("Mật khẩu mới", exact=True).fill("chủ trì đổi mật khẩu")
    page.get_by_label("Nhập lại mật khẩu mới").fill("khác hẳn mật khẩu")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.get_by_text("Hai lần nhập mật khẩu mới không khớp.")).to_be_visible()
    check_page(page, "password-errors")
    page.get_by_label("Mật khẩu hiện tại").fill(DEMO_PASSWORD)
    page.get_by_label("Mật khẩu mới", exact=True).fill("chủ trì đổi mật khẩu")
    page.get_by_label("Nhập lại mật khẩu mới").fill("chủ trì đổi mật khẩu")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    expect(page.locator("#flashes")).to_contain_text("Đã đổi mật khẩu.")


def test_lost_connection_is_shown_at_once(page, live_server, check_page):
    log_in(page, live_server, "kiemtra", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/audit/")
    banner = page.get_by_role("alert").filter(has_text="Mất kết nối")
    expect(banner).to_be_hidden()
    page.context.set_offline(True)
    page.get_by_label("Thao tác").select_option("user.created")
    expect(banner).to_be_visible()
    check_page(page, "audit-offline")
    page.context.set_offline(False)
    page.get_by_role("button", name="Lọc").click()
    expect(banner).to_be_hidden()
    expect(page.locator("#audit-results tbody tr")).to_have_count(6)


def test_htmx_error_fragments_are_shown(page, live_server):
    """An answer with an error status is swapped in, not silently dropped."""
    log_in(page, live_server, "kiemtra", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/audit/?date_from=2026-11-25&date_to=2026-11-01")
    expect(page.get_by_text("Ngày kết thúc trước ngày bắt đầu.")).to_be_visible()
    page.get_by_label("Thao tác").select_option("user.created")
    expect(page.locator("#audit-results")).to_contain_text("Hãy sửa các điều kiện lọc")


def test_nothing_leaves_the_lan_and_the_guard_sees_it(page, live_server, lan_only):
    """The guard every browser test runs under: a request off the app's origin is refused
    before it reaches the network and reported, and so is what the Content-Security-Policy
    blocks (a fetch to another host, an inline script)."""
    page.goto(f"{live_server.url}/login")
    assert lan_only.outside == [] and lan_only.violations == []
    # the policy stops a script's fetch to another host before any request is made ...
    page.evaluate("() => fetch('http://tai-nguyen-ngoai.invalid/x.js').catch(() => null)")
    page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.injected = 1'; document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert any("connect-src" in v for v in lan_only.violations), lan_only.violations
    assert any("script-src" in v for v in lan_only.violations), lan_only.violations
    assert page.evaluate("() => window.injected") is None
    # ... and the interception stops what the policy does not govern, such as navigation
    with contextlib.suppress(Exception):
        page.goto("http://tai-nguyen-ngoai.invalid/")
    assert lan_only.outside == ["http://tai-nguyen-ngoai.invalid/"]
    lan_only.outside.clear()
    lan_only.violations.clear()

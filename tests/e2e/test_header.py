"""Every role's header is compact (issue 17, item 8): on a 390×844 phone it took 230 px and
the admin's and auditor's took ~180 px of an 800×1280 tablet. The person's homes and the
meetings stay in one row; every other page is behind "Trang khác"; the account goes to a
second row only when it does not fit beside them.

The bounds: two rows of 44 px targets with the header's padding measure about 104 px, so a
phone keeps at least 87 % of its 844 px for the page (≤ 110 px) and a tablet never more than
two rows (≤ 120 px, a little room for a larger system font)."""

import pytest
from playwright.sync_api import expect

from meetingsec.demo import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, log_in

BOUNDS = {(800, 1280): 120, (390, 844): 110}
ROLES = ["tochuc", "chutri", "kythuat", "letan", "admin", "kiemtra"]

VIEWPORTS = pytest.mark.parametrize(
    "viewport", [TABLET_PORTRAIT, PHONE], ids=lambda v: f"{v['width']}x{v['height']}"
)


@VIEWPORTS
def test_every_roles_header_is_compact_and_its_menu_reachable(
    page, live_server, check_page, viewport
):
    page.set_viewport_size(viewport)
    bound = BOUNDS[(viewport["width"], viewport["height"])]
    heights = {}
    for username in ROLES:
        log_in(page, live_server, username, DEMO_PASSWORD)
        heights[username] = page.locator(".topbar").bounding_box()["height"]
        # Who is logged in reads at a glance: the whole name on a tablet, the given name
        # on a phone (it showed "H…"), never cut
        account = page.locator(".usermenu a.account")
        full_name = account.get_attribute("aria-label")
        shown = full_name if viewport == TABLET_PORTRAIT else full_name.split()[-1]
        assert account.inner_text().strip() == shown, username
        assert account.evaluate("e => e.scrollWidth <= e.clientWidth"), username
        more = page.locator(".navmore summary")
        if more.count():
            more.click()
            links = page.locator(".navmore ul a")
            expect(links.first).to_be_visible()
            for box in (links.nth(i).bounding_box() for i in range(links.count())):
                assert box["height"] >= 44 and box["x"] >= 0
                assert box["x"] + box["width"] <= viewport["width"]
            check_page(page, f"header-menu-{username}")
            page.keyboard.press("Escape")
            expect(links.first).to_be_hidden()
            expect(more).to_be_focused()
        else:
            check_page(page, f"header-{username}")
        page.get_by_role("button", name="Đăng xuất").click()
    print(viewport, heights)
    too_tall = {user: h for user, h in heights.items() if h > bound}
    assert not too_tall, f"headers over {bound} px: {too_tall}"


def test_a_tap_elsewhere_closes_the_menu_and_its_pages_open(page, live_server):
    page.set_viewport_size(PHONE)
    log_in(page, live_server, "admin", DEMO_PASSWORD)
    page.locator(".navmore summary").click()
    expect(page.get_by_role("link", name="Người dùng", exact=True)).to_be_visible()
    page.mouse.click(20, PHONE["height"] - 60)  # the page, below the menu
    expect(page.get_by_role("link", name="Người dùng", exact=True)).to_be_hidden()
    page.locator(".navmore summary").click()
    page.get_by_role("link", name="Nhật ký kiểm tra").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhật ký kiểm tra")

"""The auditor reads the log in words, not codes (issue 17, item 7), at 800×1280 and on a
390×844 phone."""

import re

import pytest
from playwright.sync_api import expect

from meetingsec.demo import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, demo_ended_today, log_in

RAW = re.compile(r"\b(auth|door|meeting|user|attendees?|document)\.[a-z_]+\b|[{}\[\]]")


@pytest.mark.parametrize(
    "viewport", [TABLET_PORTRAIT, PHONE], ids=lambda v: f"{v['width']}x{v['height']}"
)
def test_the_auditor_reads_labels_and_filters_by_them(page, live_server, check_page, viewport):
    page.set_viewport_size(viewport)
    log_in(page, live_server, "kiemtra", DEMO_PASSWORD)
    events = page.locator("table.events")
    expect(events).to_contain_text("Đã đăng nhập")
    assert not RAW.search(events.inner_text()), events.inner_text()[:500]
    check_page(page, "home-auditor-labels")

    page.goto(f"{live_server.url}/audit/")
    if demo_ended_today():  # the demo's check-ins are this morning's: none before 03:00
        page.get_by_label("Thao tác").select_option(label="Vào cửa kiểm soát")
        expect(page).to_have_url(re.compile(r"action=door\.checked_in"))
        rows = page.locator("#audit-results tbody tr")
        expect(rows).to_have_count(8)
        expect(rows.first).to_contain_text("Lượt vào cửa #")
        expect(rows.first).to_contain_text("Nội dung cam kết (SHA-256)")
        assert not RAW.search(page.locator("#audit-results").inner_text())
        page.get_by_label("Loại đối tượng").select_option(label="Cuộc họp")
        expect(page).to_have_url(re.compile(r"object_type=meetings"))
        expect(page.locator("#audit-results")).to_contain_text("Không có sự kiện nào")
    check_page(page, "audit-labels")

"""The periodic report in the browser: the administrator writes the agency's text of
Decree 26/2020 Article 8 on the report page, keeps it as a draft, and generates the report
(the PDF prints it), at a tablet and on a phone."""

import re

from playwright.sync_api import expect

from meetingsec.demo import DEMO_PASSWORD
from tests import pdf
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, log_in


def test_admin_writes_the_report_and_generates_it(page, live_server, check_page):
    page.set_viewport_size(TABLET_PORTRAIT)
    log_in(page, live_server, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    check_page(page, "report-narrative")
    # a draft, kept across a reload
    page.locator("#situation").fill("Tình hình an ninh trên địa bàn ổn định.")
    page.locator("button[name=save]").click()
    expect(page.locator("[role=status]").first).to_be_visible()
    page.reload()
    expect(page.locator("#situation")).to_have_value("Tình hình an ninh trên địa bàn ổn định.")
    # generating asks for what is missing
    page.locator("button[name=generate]").click()
    expect(page.locator("[data-error-code=part_missing]").first).to_be_visible()
    page.set_viewport_size(PHONE)
    check_page(page, "report-narrative-missing")
    page.set_viewport_size(TABLET_PORTRAIT)
    texts = {
        "strengths": "Các cuộc họp được tổ chức đúng quy định.",
        "lessons": "Kiểm tra kỹ thiết bị trước khi lắp đặt.",
        "forecast": "Hoạt động thu thập bí mật nhà nước tiếp tục phức tạp.",
    }
    for key, value in texts.items():
        page.locator(f"#{key}").fill(value)
    if page.locator("#losses").count():  # a case happened in the period
        page.locator("#losses").fill("Đã kiểm điểm, báo cáo Công an tỉnh.")
    page.locator("button[name=generate]").click()
    expect(page.locator(".verdict-ok")).to_be_visible()
    expect(page.locator("textarea")).to_have_count(0)  # kept as printed
    check_page(page, "report-generated")
    # the link the page gives, fetched with the browser's session (Chromium shows a PDF)
    href = page.locator("a[href*='/reports/report.pdf']").get_attribute("href")
    resp = page.request.get(f"{live_server.url}{href}")
    assert resp.ok and resp.headers["content-type"] == "application/pdf"
    data = resp.body()
    pdf.save("e2e-period-report.pdf", data)
    body = pdf.plain(data)
    for value in texts.values():
        assert value in body
    assert "Tình hình an ninh trên địa bàn ổn định." in body
    assert re.search(r"Hạn chế Không có\.", body)

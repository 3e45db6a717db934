"""How the agency names itself on its records and who signs them, in the browser: the
administrator sets the agency and a number series; the organiser sets who signs a
record, at a tablet and on a phone."""

from playwright.sync_api import expect

from meetingsec.demo import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, log_in
from tests.e2e.test_door import _cleared_meeting


def test_admin_sets_the_agency_and_its_number_series(page, live_server, check_page):
    page.set_viewport_size(TABLET_PORTRAIT)
    log_in(page, live_server, "admin", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/admin/agency")
    expect(page.locator("#abbreviation")).to_have_value("VP")  # as the demo set it
    check_page(page, "agency-settings")
    page.locator("#abbreviation").fill("VPUBND")
    page.locator("#next_security").fill("15")
    page.locator("main button.btn-primary[type=submit]").click()
    expect(page.locator("#abbreviation")).to_have_value("VPUBND")
    expect(page.locator("#next_security")).to_have_value("15")
    page.locator("#place").fill("")
    page.locator("main button.btn-primary[type=submit]").click()
    expect(page.locator("[data-error-code]").first).to_be_visible()
    page.set_viewport_size(PHONE)
    check_page(page, "agency-settings-error")


def test_organiser_sets_who_signs_a_record(page, live_server, check_page):
    meeting_id, _codes = _cleared_meeting(live_server)
    log_in(page, live_server, "tochuc", DEMO_PASSWORD)
    for viewport in (TABLET_PORTRAIT, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/meetings/{meeting_id}/records/")
        page.locator("a[href$='/records/attendance/signers']").click()
        check_page(page, "record-signers")
    page.locator("#right_authority").select_option("KT.")
    page.locator("#right_principal").fill("Chủ tịch")
    page.locator("main button.btn-primary[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/meetings/{meeting_id}/records/")
    page.goto(f"{live_server.url}/meetings/{meeting_id}/records/attendance/signers")
    expect(page.locator("#right_authority")).to_have_value("KT.")

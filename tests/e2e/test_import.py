"""Importing lists as offices keep them, in the browser: a Sở's workbook with its title
block, groups, totals and signatures; a legacy .xls; an old TCVN3 list converted from the
preview; a file whose columns the organiser names in the mapping step."""

import pytest
from playwright.sync_api import expect

from meetingsec.demo import DEMO_PASSWORD
from tests.attendees.corpus import legacy_xls, needs_mapping, tcvn3_csv, title_block
from tests.e2e.conftest import PHONE, TABLET_PORTRAIT, demo_meeting_id, log_in

FILE_LABEL = "Tệp danh sách (.xlsx, .xls hoặc .csv)"


def _open_import(page, live_server):
    meeting_id = demo_meeting_id(live_server)
    log_in(page, live_server, "tochuc", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting_id}/attendees/")
    page.get_by_role("link", name="Nhập danh sách từ tệp").click()
    return meeting_id


def _upload(page, tmp_path, listing):
    path = tmp_path / listing.filename
    path.write_bytes(listing.data)
    page.get_by_label(FILE_LABEL).set_input_files(str(path))
    page.get_by_role("button", name="Đọc tệp").click()


def _imported(page, listing):
    n = len(listing.people)
    page.get_by_role("button", name=f"Nhập {n} dòng").click()
    expect(page.locator("#flashes")).to_contain_text(f"Đã nhập {n} người")
    for person in listing.people:
        expect(page.locator("table.attendees")).to_contain_text(person[0])


def test_a_sos_list_with_title_groups_totals_and_signatures(
    page, live_server, check_page, tmp_path
):
    listing = title_block()
    _open_import(page, live_server)
    _upload(page, tmp_path, listing)
    expect(page.locator("#import-summary")).to_contain_text(
        f"Đã đọc {len(listing.people)} dòng người dự: {len(listing.people)} dòng sẵn sàng"
    )
    expect(page.locator("#layout")).to_contain_text('trang tính "Danh sách"')
    skipped = page.locator("#skipped tbody tr")
    expect(skipped).to_have_count(sum(listing.skipped.values()))
    expect(page.locator("#skipped")).to_contain_text("Tiêu đề nhóm")
    expect(page.locator("#skipped")).to_contain_text("Phần ký")
    expect(page.locator("table.preview").first).to_contain_text("0901759898")
    expect(page.locator(".fix").first).to_contain_text("khôi phục số 0")
    check_page(page, "import-office-list")
    page.screenshot(path="/tmp/shots-i16/import-office-list-800.png", full_page=True)
    _imported(page, listing)


@pytest.mark.parametrize("viewport", [TABLET_PORTRAIT, PHONE], ids=["tablet", "phone"])
def test_a_legacy_xls_list(page, live_server, check_page, tmp_path, viewport):
    page.set_viewport_size(viewport)
    listing = legacy_xls()
    _open_import(page, live_server)
    _upload(page, tmp_path, listing)
    expect(page.locator("#import-summary")).to_contain_text(
        f"{len(listing.people)} dòng sẵn sàng, 0 dòng có lỗi"
    )
    expect(page.locator("#skipped")).to_contain_text("Khối Sở, ngành")
    check_page(page, "import-xls")
    page.screenshot(path=f"/tmp/shots-i16/import-xls-{viewport['width']}.png", full_page=True)
    _imported(page, listing)


def test_an_old_tcvn3_list_is_converted_then_imported(page, live_server, check_page, tmp_path):
    listing = tcvn3_csv()
    _open_import(page, live_server)
    _upload(page, tmp_path, listing)
    expect(page.locator("#tcvn3")).to_be_visible()
    expect(page.locator("table.preview").first).to_contain_text("NguyÔn V¨n An")
    check_page(page, "import-tcvn3")
    page.screenshot(path="/tmp/shots-i16/import-tcvn3-800.png", full_page=True)
    page.get_by_role("button", name="Chuyển từ TCVN3 sang Unicode").click()
    expect(page.locator("#flashes")).to_contain_text("Đã chuyển văn bản từ TCVN3 sang Unicode")
    expect(page.locator("#tcvn3")).to_have_count(0)
    expect(page.locator("table.preview").first).to_contain_text("Nguyễn Văn An")
    _imported(page, listing)


@pytest.mark.parametrize("viewport", [TABLET_PORTRAIT, PHONE], ids=["tablet", "phone"])
def test_the_organiser_names_the_columns_in_the_mapping_step(
    page, live_server, check_page, tmp_path, viewport
):
    page.set_viewport_size(viewport)
    listing = needs_mapping()
    _open_import(page, live_server)
    _upload(page, tmp_path, listing)
    expect(page.locator("#unsure")).to_contain_text("Không có cột nào được nhận là đơn vị.")
    check_page(page, "import-unsure")
    page.screenshot(path=f"/tmp/shots-i16/import-unsure-{viewport['width']}.png", full_page=True)
    page.locator("#unsure").get_by_role("link", name="Chọn ý nghĩa từng cột").click()
    expect(page.get_by_role("heading", name="Ý nghĩa từng cột")).to_be_visible()
    expect(page.get_by_text(f"Giá trị đầu tiên: {listing.people[0][2]}")).to_be_visible()
    page.get_by_label("Đơn vị chủ quản").select_option(label="Đơn vị")
    page.get_by_label("Liên lạc").select_option(label="Điện thoại")
    check_page(page, "import-columns")
    page.screenshot(path=f"/tmp/shots-i16/import-columns-{viewport['width']}.png", full_page=True)
    page.get_by_role("button", name="Dùng các cột này").click()
    expect(page.locator("#flashes")).to_contain_text("Đã chọn ý nghĩa các cột")
    expect(page.locator("#unsure")).to_have_count(0)
    expect(page.locator("#import-summary")).to_contain_text(
        f"{len(listing.people)} dòng sẵn sàng, 0 dòng có lỗi"
    )
    _imported(page, listing)


@pytest.mark.parametrize("viewport", [TABLET_PORTRAIT, PHONE], ids=["tablet", "phone"])
def test_a_refused_file_says_what_to_do_next(page, live_server, check_page, tmp_path, viewport):
    """Issue 17, item 9: the refusal is beside the file field, focused, and names the next
    step."""
    from tests.attendees.corpus import Listing

    page.set_viewport_size(viewport)
    _open_import(page, live_server)
    _upload(page, tmp_path, Listing("danh-sach.pdf", b"%PDF-1.4 not a list", []))
    error = page.locator("#file-error")
    expect(error).to_have_attribute("data-error-code", "import_refused")
    expect(error).to_contain_text("Hãy lưu lại danh sách dưới dạng .xlsx")
    expect(error).to_contain_text("rồi tải lên lại")
    expect(page.get_by_label(FILE_LABEL)).to_be_focused()
    expect(error).to_be_in_viewport()
    check_page(page, "import-refused")

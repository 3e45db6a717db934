"""The periodic report: figures of the meetings held in a quarter or a year, each leading
back to its meetings; as a page, an official PDF and .xlsx; for administrators and
auditors only."""

import io
import re

from openpyxl import load_workbook

from meetingsec.core.db import utcnow
from meetingsec.core.i18n import local_date
from meetingsec.documents import services as documents
from meetingsec.extensions import db
from meetingsec.reports.figures import Period, report
from tests import pdf
from tests.factories import organiser_of
from tests.helpers import actions
from tests.records.test_routes import check_marked
from tests.records.test_services import check_official_layout

#: What the agency writes: every part it must (the optional ones left empty)
TEXTS = {
    "situation": "Tình hình an ninh trên địa bàn cơ bản ổn định.",
    "strengths": "Các cuộc họp được tổ chức đúng quy định.",
    "lessons": "Kiểm tra kỹ thiết bị trước khi lắp đặt.",
    "losses": "Đại biểu sơ suất; đã kiểm điểm, báo cáo Công an tỉnh.",
    "forecast": "Hoạt động thu thập bí mật nhà nước tiếp tục diễn biến phức tạp.",
}


def _quarter() -> tuple[int, str]:
    today = local_date(utcnow())
    return today.year, f"q{(today.month - 1) // 3 + 1}"


def test_figures_of_the_meetings_held(ended_meeting, make_meeting):
    first, clerk, people, doc = ended_meeting()
    second, *_rest = ended_meeting(classification="tuyet_mat")
    make_meeting()  # not held: it never started
    documents.report_lost(first, doc.copies[0], actor=organiser_of(first), reason="Không tìm thấy")
    db.session.commit()
    year, quarter = _quarter()
    r = report(Period(year, quarter))
    assert [row.meeting.id for row in r.rows] == [first.id, second.id]
    assert r.by_kind[("toi_mat", False)] == 1 and r.by_kind[("tuyet_mat", False)] == 1
    assert (r.total("deposited"), r.total("handed_out"), r.total("lost")) == (4, 2, 1)
    assert [row.meeting.id for row in r.rows_with("lost")] == [first.id]
    assert r.total("incidents") == 1
    assert report(Period(year - 1, "year")).rows == []


def test_report_page_pdf_and_xlsx(client, login, ended_meeting, make_user):
    from tests.factories import set_agency

    meeting, *_rest = ended_meeting()
    set_agency(make_user("admin"))
    db.session.commit()
    auditor = make_user("auditor")
    login(auditor)
    year, quarter = _quarter()
    args = {"year": year, "period": quarter}
    page = client.get("/reports/", query_string=args).get_data(as_text=True)
    assert "Số cuộc họp đã tổ chức" in page or "Cuộc họp đã tổ chức" in page
    assert meeting.title in page
    page = client.get("/reports/", query_string={**args, "figure": "handed_out"})
    assert meeting.title in page.get_data(as_text=True)
    # the report is generated before it is downloaded: until then, the page
    resp = client.get("/reports/report.pdf", query_string=args)
    assert resp.status_code == 303 and "#narrative" in resp.location
    client.post("/logout")
    login(make_user("admin", username="writer"))
    resp = client.post("/reports/narrative", query_string=args, data={**TEXTS, "generate": ""})
    assert resp.status_code == 303
    resp = client.get("/reports/report.pdf", query_string=args)
    assert resp.status_code == 200
    pdf.save("period-report.pdf", resp.data)
    check_official_layout(resp.data)
    body = pdf.plain(resp.data)
    assert "BÁO CÁO" in body and meeting.title in body
    assert "/BC-VP" in body and "Bình Minh, ngày" in body
    assert "CHÁNH VĂN PHÒNG" in body and "Đỗ Văn Thủ Trưởng" in body  # the signer is named
    assert actions()[-1] == "report.exported"
    resp = client.get("/reports/report.xlsx", query_string=args)
    wb = load_workbook(io.BytesIO(resp.data))
    check_marked(resp, wb, "TỐI MẬT", f"toi-mat-bao-cao-bvbmnn-{year}-{quarter}.xlsx")
    assert [row[1] for row in wb["Cuộc họp"].iter_rows(min_row=3, values_only=True)] == [
        meeting.title
    ]


def test_report_is_for_admins_and_auditors(client, login, ended_meeting, make_user):
    meeting, *_rest = ended_meeting()
    login(organiser_of(meeting))
    assert client.get("/reports/").status_code == 403
    assert client.get("/reports/report.pdf").status_code == 403


def test_a_bad_period_is_a_clear_error(client, login, make_user):
    login(make_user("admin"))
    for args in (
        {"year": "abc", "period": "q1"},
        {"year": "1990", "period": "q1"},
        {"period": "q9"},
    ):
        resp = client.get("/reports/", query_string=args)
        assert resp.status_code == 422
        assert "Hãy chọn một mục trong danh sách." in resp.get_data(as_text=True)
        assert client.get("/reports/report.pdf", query_string=args).status_code == 422


def test_the_year_runs_from_15_december_and_ban_co_yeu_equipment_is_not_police_inspected(
    closed_out, client, login, make_user
):
    from datetime import date

    assert (Period(2026, "year").first_day, Period(2026, "year").last_day) == (
        date(2025, 12, 15),
        date(2026, 12, 14),
    )
    assert Period(2026, "q4").first_day == date(2026, 10, 1)
    meeting, *_rest = closed_out(n=5)
    year, quarter = _quarter()
    r = report(Period(year, quarter))
    assert [row.meeting.id for row in r.rows] == [meeting.id]
    assert r.total("inspected") == 3  # four devices, one supplied by Ban Cơ yếu
    login(make_user("admin"))
    args = {"year": year, "period": quarter}
    client.post("/reports/narrative", query_string=args, data={**TEXTS, "generate": ""})
    resp = client.get("/reports/report.pdf", query_string=args)
    body = pdf.plain(resp.data)
    # generated before the period ends: the figures say when they were taken
    assert re.search(r"Số liệu tính đến ngày \d\d/\d\d/\d{4}\.", body)

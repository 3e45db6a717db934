"""The periodic report in the sections of Nghị định 26/2020/NĐ-CP, Điều 8: the agency
writes the narrative parts on the page (a draft per period, audited, kept until the report
is generated), the figures and the cases come from the data, each naming its meetings."""

import json
import re

from meetingsec.audit.models import AuditEvent
from meetingsec.extensions import db
from meetingsec.reports import services
from meetingsec.reports.figures import Period, report
from meetingsec.reports.narrative import NO_CASES, narrative_of
from tests import pdf
from tests.factories import set_agency
from tests.helpers import actions
from tests.records.test_official import check_pages, check_reads_as_one
from tests.records.test_services import check_official_layout
from tests.reports.test_reports import TEXTS, _quarter


def _args():
    year, quarter = _quarter()
    return {"year": year, "period": quarter}


def _events(action):
    return list(db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)))


def test_drafts_are_kept_audited_and_survive_a_reload(client, login, make_user, ended_meeting):
    ended_meeting()
    login(make_user("admin"))
    args = _args()
    period = Period(args["year"], args["period"])
    resp = client.post("/reports/narrative", query_string=args, data={"situation": "Ổn định.\r\n"})
    assert resp.status_code == 303 and resp.location.endswith("#narrative")
    saved = _events("report.narrative_saved")
    assert len(saved) == 1 and json.loads(saved[0].payload)["parts"] == ["situation"]
    assert narrative_of(period).situation == "Ổn định."
    # the draft is on the page after a reload
    page = client.get("/reports/", query_string=args).get_data(as_text=True)
    assert "Ổn định.</textarea>" in page
    # saved again unchanged: nothing to audit
    client.post("/reports/narrative", query_string=args, data={"situation": "Ổn định."})
    assert len(_events("report.narrative_saved")) == 1
    # generating asks for what is missing, and changes nothing
    resp = client.post(
        "/reports/narrative",
        query_string=args,
        data={"situation": "Ổn định.", "strengths": "Tốt.", "generate": ""},
    )
    assert resp.status_code == 422
    assert 'data-error-code="part_missing"' in resp.get_data(as_text=True)
    db.session.expire_all()
    assert narrative_of(period).strengths == "" and narrative_of(period).generated_at is None
    assert _events("report.generated") == []
    # an auditor reads the draft, and may not write it
    client.post("/logout")
    login(make_user("auditor"))
    page = client.get("/reports/", query_string=args).get_data(as_text=True)
    assert "Ổn định." in page and "<textarea" not in page
    assert client.post("/reports/narrative", query_string=args, data=TEXTS).status_code == 403


def test_causes_are_asked_for_only_when_there_were_limits(ended_meeting, make_user):
    import pytest

    from meetingsec.core.errors import DomainError

    ended_meeting()
    admin = make_user("admin")
    args = _args()
    r = report(Period(args["year"], args["period"]))
    with pytest.raises(DomainError) as err:
        services.generate_report(r, {**TEXTS, "limits": "Còn chậm."}, actor=admin)
    assert (err.value.code, err.value.field) == ("part_missing", "causes")
    db.session.rollback()
    written = services.generate_report(r, TEXTS, actor=admin)
    db.session.commit()
    assert written.generated_at is not None and written.limits == written.causes == ""


def test_the_generated_report_follows_article_8(closed_out, client, login, make_user):
    meeting, *_rest = closed_out(n=5)  # one copy lost, one person refused at the door
    admin = make_user("admin")
    set_agency(admin)
    db.session.commit()
    login(admin)
    args = _args()
    # the page names the cases, each with its meeting
    page = client.get("/reports/", query_string=args).get_data(as_text=True)
    assert page.count(f'href="/meetings/{meeting.id}"') >= 2
    # with a case, its causes and handling are asked for
    without = {k: v for k, v in TEXTS.items() if k != "losses"}
    resp = client.post("/reports/narrative", query_string=args, data={**without, "generate": ""})
    assert resp.status_code == 422
    resp = client.post(
        "/reports/narrative",
        query_string=args,
        data={**TEXTS, "lessons": "Bài học một.\nBài học hai.", "generate": ""},
    )
    assert resp.status_code == 303
    assert actions()[-1] == "report.generated"
    data = client.get("/reports/report.pdf", query_string=args).data
    pdf.save("period-report-article-8.pdf", data)
    check_official_layout(data, mark="TUYỆT MẬT")
    check_pages("period_report", data, "tuyet_mat")
    body = check_reads_as_one("period_report", data)
    # the four sections, in the decree's order, then the appendix of meetings
    headings = [
        "I. TÌNH HÌNH",
        "II. KẾT QUẢ",
        "2. Ưu điểm",
        "3. Hạn chế",
        "4. Nguyên nhân",
        "5. Bài học kinh nghiệm",
        "III. CÁC VỤ LỘ, MẤT BÍ MẬT NHÀ NƯỚC",
        "IV. DỰ BÁO TÌNH HÌNH VÀ ĐỀ XUẤT, KIẾN NGHỊ",
        "Nơi nhận:",
        "PHỤ LỤC",
    ]
    places = [body.index(h) for h in headings]
    assert places == sorted(places), places
    # the agency's text, a paragraph a line; "Không có." for the limits, their causes
    # and the proposals left empty
    for text in (TEXTS["situation"], TEXTS["strengths"], TEXTS["forecast"], TEXTS["losses"]):
        assert text in body
    lines = [line.strip() for line in pdf.text(data).splitlines()]
    assert "Bài học một." in lines and "Bài học hai." in lines  # two paragraphs
    assert body.count("Không có.") == 3
    assert NO_CASES not in body
    # the cases, each naming its meeting (its number in the appendix)
    cases = body[body.index("III. CÁC VỤ") : body.index("IV. DỰ BÁO")]
    assert "Mất bản tài liệu" in cases and "Từ chối cho vào" in cases
    assert cases.count(f"1. {meeting.title}") == 2
    # each figure names its meetings: the appendix lists them
    assert re.search(r"Số bản tài liệu bị mất 1 1\b", body), body
    appendix = body[body.index("PHỤ LỤC") :]
    assert meeting.title in appendix
    # generated: kept as printed, no longer editable
    resp = client.post("/reports/narrative", query_string=args, data=TEXTS)
    assert resp.status_code == 422
    assert 'data-error-code="report_generated"' in resp.get_data(as_text=True)
    page = client.get("/reports/", query_string=args).get_data(as_text=True)
    assert "<textarea" not in page and TEXTS["situation"] in page
    assert page.count('<p lang="vi">Không có.</p>') == 3  # as printed

"""The periodic report as an official PDF and as .xlsx."""

from flask_babel import force_locale
from sqlalchemy import select

from meetingsec.audit.checkpoints import latest_printed
from meetingsec.audit.services import chain_head, record
from meetingsec.core.db import utcnow
from meetingsec.core.i18n import local_date
from meetingsec.core.xlsx import Sheets
from meetingsec.extensions import db
from meetingsec.incidents.choices import IncidentKind
from meetingsec.legal.choices import Classification
from meetingsec.org.models import Unit
from meetingsec.records.official import (
    PROVINCIAL_POLICE,
    agency_context,
    highest,
    with_abbreviation,
)
from meetingsec.records.signers import Signer, agency_head
from meetingsec.reports.figures import FIGURES, Report
from meetingsec.reports.models import ReportNarrative
from meetingsec.reports.narrative import NO_CASES, printed, texts_of

#: A report's symbol before the agency's abbreviation (Nghị định 30/2020, Phụ lục III)
REPORT_SYMBOL = "BC"


def report_context(report: Report, written: ReportNarrative) -> tuple[str, dict]:
    """The agency (the top unit), the figures and the agency's text in the sections of
    Nghị định 26/2020/NĐ-CP, Điều 8, and the mark of the highest classification reported
    on: the report names those meetings."""
    agency = db.session.scalar(
        select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1)
    )
    names = agency_context(agency)
    now = utcnow()
    return "records/pdf/period_report.html", {
        "report": report,
        "text": printed(texts_of(written), report),
        "NO_CASES": NO_CASES,
        "IncidentKind": IncidentKind,
        "police": PROVINCIAL_POLICE,
        "FIGURES": FIGURES,
        "Classification": Classification,
        **names,
        "number": None,  # given by the agency's register when it is sent
        "signers": [None, agency_head() or Signer("Thủ trưởng cơ quan", "")],
        "symbol": with_abbreviation(REPORT_SYMBOL, names["abbreviation"]),
        "generated_at": now,
        # figures taken before the period ends say when they were taken
        "as_of": local_date(now) if local_date(now) < report.period.last_day else None,
        "head": chain_head(),
        "checkpoint": latest_printed(),
        "mark_class": report_mark(report),
    }


def report_mark(report: Report) -> str:
    """The highest classification reported on: the report names those meetings."""
    return highest(r.meeting.classification for r in report.rows)


def report_workbook(report: Report) -> bytes:
    with force_locale("vi"):
        book = Sheets(mark=str(Classification(report_mark(report)).title).upper())
        book.sheet(
            "Tổng hợp",
            [f"Báo cáo công tác bảo vệ bí mật nhà nước {report.period.title}"],
            [
                ["Độ mật", "Tại trụ sở", "Ngoài trụ sở"],
                *(
                    [
                        str(c.title),
                        report.by_kind[(c.value, True)],
                        report.by_kind[(c.value, False)],
                    ]
                    for c in Classification
                ),
                [],
                ["Chỉ tiêu", "Số lượng", "Số cuộc họp"],
                *([str(t), report.total(k), len(report.rows_with(k))] for k, t in FIGURES),
            ],
        )
        book.sheet(
            "Cuộc họp",
            ["STT", "Cuộc họp", "Bắt đầu", "Độ mật", "Địa điểm", *[str(t) for _k, t in FIGURES]],
            (
                [
                    i,
                    r.meeting.title,
                    r.meeting.started_at,
                    str(Classification(r.meeting.classification).title),
                    "Tại trụ sở" if r.meeting.venue.at_hq else "Ngoài trụ sở",
                    *[r.figures[k] for k, _t in FIGURES],
                ]
                for i, r in enumerate(report.rows, start=1)
            ),
        )
    return book.bytes()


def log_report(report: Report, *, actor, what: str) -> None:
    """The report leaves the app: audited."""
    p = report.period
    record(
        "report.exported",
        actor=actor,
        object_type="report",
        object_id=f"{p.year}-{p.period}",
        data={"what": what, "meetings": [r.meeting.id for r in report.rows]},
    )

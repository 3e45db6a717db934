"""The periodic report as an official PDF and as .xlsx."""

from flask_babel import force_locale
from sqlalchemy import select

from meetingsec.audit.checkpoints import latest_printed
from meetingsec.audit.services import chain_head, record
from meetingsec.core.db import utcnow
from meetingsec.core.i18n import local_date
from meetingsec.core.xlsx import Sheets
from meetingsec.extensions import db
from meetingsec.meetings.choices import Classification
from meetingsec.org.models import Unit
from meetingsec.org.queries import agency_settings
from meetingsec.records.official import agency_context, with_abbreviation
from meetingsec.records.signers import Signer
from meetingsec.reports.figures import FIGURES, Report

#: A report's symbol before the agency's abbreviation (Nghị định 30/2020, Phụ lục III)
REPORT_SYMBOL = "BC"
_ORDER = [c.value for c in Classification]  # mat < toi_mat < tuyet_mat


def report_context(report: Report) -> tuple[str, dict]:
    """The agency (the top unit), and the mark of the highest classification reported on:
    the report names those meetings."""
    agency = db.session.scalar(
        select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(1)
    )
    names = agency_context(agency)
    now = utcnow()
    head = agency_settings()
    return "records/pdf/period_report.html", {
        "report": report,
        "FIGURES": FIGURES,
        "Classification": Classification,
        **names,
        "number": None,  # given by the agency's register when it is sent
        "signers": [None, Signer(head.head_position or "Thủ trưởng cơ quan", head.head_name)],
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
    levels = [r.meeting.classification for r in report.rows] or ["mat"]
    return max(levels, key=_ORDER.index)


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

"""The parts of the periodic report the agency writes (Nghị định 26/2020/NĐ-CP, Điều 8):
(a) the situation; (b) the results' strengths, limits, causes and lessons; (c) the causes
and handling of the cases of disclosure or loss; (d) the forecast and the proposals. Which
may be left empty (then the report prints "Không có.") and which the report asks for."""

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.extensions import db
from meetingsec.reports.figures import Period, Report
from meetingsec.reports.models import ReportNarrative

#: What an empty optional part prints: the official wording for "none"
NONE = "Không có."
#: Section (c) when no case happened in the period
NO_CASES = "Trong kỳ báo cáo không xảy ra vụ lộ, mất bí mật nhà nước."


@dataclass(frozen=True)
class Part:
    key: str
    #: a, b, c or d of Điều 8
    section: str
    label: LazyString
    #: Its heading in the report (Vietnamese, whatever the reader's language)
    heading: str
    #: May be left empty (prints ``NONE``)
    optional: bool = False


PARTS = (
    Part("situation", "a", _l("The situation"), "Tình hình"),
    Part("strengths", "b", _l("Strengths"), "Ưu điểm"),
    Part("limits", "b", _l("Limits (leave empty if there were none)"), "Hạn chế", optional=True),
    Part("causes", "b", _l("Causes of the limits"), "Nguyên nhân"),
    Part("lessons", "b", _l("Lessons learnt"), "Bài học kinh nghiệm"),
    Part("losses", "c", _l("Causes and handling of these cases"), "Nguyên nhân, việc xử lý"),
    Part("forecast", "d", _l("Forecast of the situation"), "Dự báo tình hình"),
    Part(
        "proposals",
        "d",
        _l("Proposals and recommendations (leave empty if there are none)"),
        "Đề xuất, kiến nghị",
        optional=True,
    ),
)
KEYS = tuple(p.key for p in PARTS)


def narrative_of(period: Period) -> ReportNarrative | None:
    return db.session.scalar(
        select(ReportNarrative).where(
            ReportNarrative.year == period.year, ReportNarrative.period == period.period
        )
    )


def texts_of(narrative: ReportNarrative | None) -> dict[str, str]:
    return {k: (getattr(narrative, k) if narrative else "") for k in KEYS}


def asked(report: Report) -> tuple[Part, ...]:
    """The parts this report has: the causes and handling of the cases only when a case
    happened."""
    return tuple(p for p in PARTS if p.key != "losses" or report.cases)


def missing(texts: dict[str, str], report: Report) -> list[Part]:
    """The parts the report still asks for: every part but the optional ones, and the
    causes of limits only when there were limits."""
    out = []
    for part in asked(report):
        if texts.get(part.key) or part.optional:
            continue
        if part.key == "causes" and not texts.get("limits"):
            continue
        out.append(part)
    return out


def printed(texts: dict[str, str], report: Report) -> dict[str, list[str]]:
    """Each part as the report prints it, a paragraph a line; "Không có." where an empty
    part means there was none."""
    out = {}
    for part in asked(report):
        lines = [line.strip() for line in texts.get(part.key, "").splitlines() if line.strip()]
        out[part.key] = lines or [NONE]
    return out

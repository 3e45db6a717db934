"""The agency's periodic report on its state-secret protection work (quarter or year): the
meetings held in the period and, for each, the figures the provincial police ask for.
Every total is the sum of the meetings' figures, so each one leads back to them."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from meetingsec.core.i18n import to_utc
from meetingsec.devices.models import Device, Inspection, MeetingDevice
from meetingsec.documents.models import DocumentCopy
from meetingsec.door.models import Deposit
from meetingsec.extensions import db
from meetingsec.incidents.choices import CASES
from meetingsec.incidents.models import Incident
from meetingsec.meetings.models import Meeting

#: Periods of a year: the four quarters and the whole year
PERIODS = {
    "q1": (1, 3),
    "q2": (4, 6),
    "q3": (7, 9),
    "q4": (10, 12),
    "year": (1, 12),
}

#: Each figure of a meeting: its key and its title (the report's column)
FIGURES = (
    ("inspected", _l("Devices inspected")),
    ("failed", _l("Failed inspections")),
    ("seals_broken", _l("Seals broken or not matching")),
    ("refused", _l("Refused at the door")),
    ("deposited", _l("Devices deposited")),
    ("unclaimed", _l("Deposits unclaimed")),
    ("handed_out", _l("Copies handed out")),
    ("recovered", _l("Copies recovered")),
    ("lost", _l("Copies lost")),
    ("incidents", _l("Incidents")),
)
FIGURE_KEYS = tuple(k for k, _t in FIGURES)
#: The yearly report's figures run from the 15th of December to the 14th (ND 26/2020, Đ8)
YEAR_CUTOFF_DAY = 15


@dataclass(frozen=True)
class Period:
    year: int
    period: str

    @property
    def first_day(self) -> date:
        """A quarter's first day; the year's figures run from 15/12 of the year before
        (Nghị định 26/2020/NĐ-CP, Điều 8)."""
        if self.period == "year":
            return date(self.year - 1, 12, YEAR_CUTOFF_DAY)
        return date(self.year, PERIODS[self.period][0], 1)

    @property
    def end_day(self) -> date:
        """The first day after the period (the year's figures stop at 14/12)."""
        if self.period == "year":
            return date(self.year, 12, YEAR_CUTOFF_DAY)
        last_month = PERIODS[self.period][1]
        return date(self.year + 1, 1, 1) if last_month == 12 else date(self.year, last_month + 1, 1)

    @property
    def last_day(self) -> date:
        return self.end_day - timedelta(days=1)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC, from the agency's local days."""
        return (
            to_utc(datetime.combine(self.first_day, time.min)),
            to_utc(datetime.combine(self.end_day, time.min)),
        )

    @property
    def title(self) -> str:
        if self.period == "year":
            return f"năm {self.year}"
        return f"quý {'I II III IV'.split()[int(self.period[1]) - 1]} năm {self.year}"


@dataclass
class MeetingRow:
    meeting: Meeting
    figures: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    incident: Incident
    meeting: Meeting


@dataclass
class Report:
    period: Period
    rows: list[MeetingRow]
    #: meetings held by (classification, at HQ)
    by_kind: Counter
    #: the cases of disclosure or loss (``incidents.choices.CASES``), in the order they
    #: happened, each with its meeting
    cases: list["Case"] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(r.figures[key] for r in self.rows)

    def rows_with(self, key: str) -> list[MeetingRow]:
        return [r for r in self.rows if r.figures[key]]

    def numbers_with(self, key: str) -> list[int]:
        """The numbers (STT) of the meetings behind a figure in the report's list."""
        return [n for n, r in enumerate(self.rows, start=1) if r.figures[key]]

    def number_of(self, meeting) -> int:
        return next(n for n, r in enumerate(self.rows, start=1) if r.meeting.id == meeting.id)


def _grouped(query, ids) -> dict[int, int]:
    return dict(db.session.execute(query.where(query.selected_columns[0].in_(ids))).all())


def report(period: Period) -> Report:
    """The meetings whose session started in the period (cancelled ones never did), and
    their figures: one grouped query per figure."""
    start, end = period.bounds
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.started_at >= start, Meeting.started_at < end)
            .order_by(Meeting.started_at, Meeting.id)
        )
    )
    ids = [m.id for m in meetings]
    md = MeetingDevice
    counts = {
        # by the police: equipment supplied by Ban Cơ yếu Chính phủ is exempt, not inspected
        "inspected": _grouped(
            select(md.meeting_id, func.count(func.distinct(md.id)))
            .join(Inspection, Inspection.meeting_device_id == md.id)
            .join(Device, Device.id == md.device_id)
            .where(Device.ban_co_yeu.is_(False), Inspection.result != "exempt")
            .group_by(md.meeting_id),
            ids,
        ),
        "failed": _grouped(
            select(md.meeting_id, func.count())
            .join(Inspection, Inspection.meeting_device_id == md.id)
            .where(Inspection.result == "fail")
            .group_by(md.meeting_id),
            ids,
        ),
        "seals_broken": _incidents(ids, ("seal_broken", "seal_mismatch")),
        "refused": _incidents(ids, ("entry_refused",)),
        "deposited": _grouped(
            select(Deposit.meeting_id, func.count()).group_by(Deposit.meeting_id), ids
        ),
        "unclaimed": _grouped(
            select(Deposit.meeting_id, func.count())
            .where(Deposit.unclaimed_at.is_not(None))
            .group_by(Deposit.meeting_id),
            ids,
        ),
        "handed_out": _copies(ids, DocumentCopy.handed_out_at.is_not(None)),
        "recovered": _copies(ids, DocumentCopy.recovered_at.is_not(None)),
        "lost": _copies(ids, DocumentCopy.lost_incident_id.is_not(None)),
        "incidents": _incidents(ids, None),
    }
    rows = [MeetingRow(m, {k: counts[k].get(m.id, 0) for k in FIGURE_KEYS}) for m in meetings]
    by_kind = Counter((m.classification, m.venue.at_hq) for m in meetings)
    return Report(period, rows, by_kind, _cases(meetings))


def _cases(meetings) -> list[Case]:
    """The period's cases, each with its meeting (one of the report's rows)."""
    by_id = {m.id: m for m in meetings}
    incidents = list(
        db.session.scalars(
            select(Incident)
            .where(Incident.meeting_id.in_(by_id), Incident.kind.in_([c.value for c in CASES]))
            .order_by(Incident.at, Incident.id)
        )
    )
    return [Case(i, by_id[i.meeting_id]) for i in incidents]


def _incidents(ids, kinds) -> dict[int, int]:
    query = select(Incident.meeting_id, func.count()).group_by(Incident.meeting_id)
    if kinds:
        query = query.where(Incident.kind.in_(kinds))
    return _grouped(query, ids)


def _copies(ids, condition) -> dict[int, int]:
    return _grouped(
        select(DocumentCopy.meeting_id, func.count())
        .where(condition)
        .group_by(DocumentCopy.meeting_id),
        ids,
    )

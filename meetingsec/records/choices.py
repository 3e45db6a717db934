"""The kinds of record a meeting produces (one registry, ``KINDS``), and a render job's
states."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from importlib import import_module
from typing import TYPE_CHECKING

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from meetingsec.devices.queries import devices_of, venue_checks_of

if TYPE_CHECKING:
    from meetingsec.meetings.models import Meeting


class RecordKind(StrEnum):
    """A kind of record; everything about it is its entry in ``KINDS`` below."""

    ATTENDANCE = "attendance"
    SECURITY = "security"
    INSPECTION = "inspection"
    VENUE_CHECK = "venue_check"
    LOSS_REPORT = "loss_report"
    CLOSING = "closing"

    @property
    def entry(self) -> "KindEntry":
        return KINDS[self]

    @property
    def title(self):
        return KINDS[self].title


@dataclass(frozen=True)
class KindEntry:
    """One record kind: what it is called, the name its file downloads under, the
    function of ``records/builders.py`` that gathers its data (named, looked up when a
    record is built: the builders import this module), its template in
    ``templates/records/pdf/``, and which meetings have it."""

    title: LazyString
    file_name: str
    builder: str
    template: str
    #: Whether a meeting has this record: ``has(meeting, lost_copy)``, ``lost_copy`` telling
    #: whether a copy of its documents was reported lost (``queries.kinds_for``)
    has: Callable[["Meeting", bool], bool]
    #: The symbol its number series starts with, before the agency's abbreviation
    #: ("BB" in "Số: 12/BB-UBND"; Nghị định 30/2020, Phụ lục III); the administrator may
    #: set another
    symbol: str = "BB"

    def build(self, meeting: "Meeting") -> tuple[str, dict]:
        """The record's template and the data it is given."""
        builders = import_module("meetingsec.records.builders")
        return self.template, getattr(builders, self.builder)(meeting)

    def download_name(self, meeting_id: int, version: int | None = None) -> str:
        """``<file name>-<meeting>[-v<version>].pdf``"""
        suffix = f"-v{version}" if version is not None else ""
        return f"{self.file_name}-{meeting_id}{suffix}.pdf"


def _always(meeting: "Meeting", lost_copy: bool) -> bool:
    return True


def _lost_a_copy(meeting: "Meeting", lost_copy: bool) -> bool:
    """A copy reported lost: the police are told at once (Nghị định 26/2020, Điều 8)."""
    return lost_copy


#: Every record kind, in the order a meeting lists its records (the closing summary last:
#: it holds the fingerprints of the others). A new kind is one entry here and one template.
KINDS: dict[RecordKind, KindEntry] = {
    RecordKind.ATTENDANCE: KindEntry(
        title=_l("Attendance sheet with signatures"),
        file_name="danh-sach-ky",
        builder="attendance",
        template="records/pdf/attendance.html",
        has=_always,
        symbol="DS",
    ),
    RecordKind.SECURITY: KindEntry(
        title=_l("Meeting security record"),
        file_name="bien-ban-an-ninh",
        builder="security",
        template="records/pdf/security.html",
        has=_always,
    ),
    RecordKind.INSPECTION: KindEntry(
        title=_l("Device inspection record"),
        file_name="bien-ban-kiem-tra-thiet-bi",
        builder="inspection",
        template="records/pdf/device_inspection.html",
        # only where there is something to record
        has=lambda meeting, _lost: bool(devices_of(meeting)),
    ),
    RecordKind.VENUE_CHECK: KindEntry(
        title=_l("Venue security check record"),
        file_name="bien-ban-kiem-tra-dia-diem",
        builder="venue_check",
        template="records/pdf/venue_check.html",
        # a venue checked: outside headquarters
        has=lambda meeting, _lost: bool(venue_checks_of(meeting)),
    ),
    RecordKind.LOSS_REPORT: KindEntry(
        title=_l("Immediate report on the loss of a secret document"),
        file_name="bao-cao-dot-xuat-mat-tai-lieu",
        builder="loss_report",
        template="records/pdf/loss_report.html",
        has=_lost_a_copy,
        symbol="BC",
    ),
    RecordKind.CLOSING: KindEntry(
        title=_l("Closing summary"),
        file_name="bien-ban-ket-thuc",
        builder="closing",
        template="records/pdf/closing.html",
        has=_always,
    ),
}


class JobState(StrEnum):
    QUEUED = "queued"
    READING = "reading"
    LAYOUT = "layout"
    WRITING = "writing"
    DONE = "done"
    FAILED = "failed"

    @property
    def title(self):
        return {
            "queued": _l("Waiting for its turn"),
            "reading": _l("Reading the meeting's data"),
            "layout": _l("Laying out the pages"),
            "writing": _l("Writing the PDF file"),
            "done": _l("Generated"),
            "failed": _l("Stopped with an error"),
        }[self]

    @property
    def step(self) -> int:
        """1–4 of the four steps shown as progress."""
        return {"queued": 0, "reading": 1, "layout": 2, "writing": 3, "done": 4, "failed": 4}[self]


#: Still running (a new request for the same record waits for it)
ACTIVE = (JobState.QUEUED, JobState.READING, JobState.LAYOUT, JobState.WRITING)

"""The kinds of record a meeting produces, and a render job's states."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class RecordKind(StrEnum):
    ATTENDANCE = "attendance"
    SECURITY = "security"
    INSPECTION = "inspection"
    VENUE_CHECK = "venue_check"
    CLOSING = "closing"

    @property
    def title(self):
        return {
            "attendance": _l("Attendance sheet with signatures"),
            "security": _l("Meeting security record"),
            "inspection": _l("Device inspection record"),
            "venue_check": _l("Venue security check record"),
            "closing": _l("Closing summary"),
        }[self]

    @property
    def filename(self) -> str:
        return {
            "attendance": "danh-sach-ky",
            "security": "bien-ban-an-ninh",
            "inspection": "bien-ban-kiem-tra-thiet-bi",
            "venue_check": "bien-ban-kiem-tra-dia-diem",
            "closing": "bien-ban-ket-thuc",
        }[self]


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

"""The device inspection record and the venue check record, as PDFs in the official layout
(Nghị định 30/2020/NĐ-CP, Phụ lục I), rendered now: what the meeting's page previews.
The archived versions are made by ``meetingsec.records``."""

from meetingsec.core.pdf import render_pdf
from meetingsec.meetings.models import Meeting
from meetingsec.records.choices import RecordKind


def inspection_record_pdf(meeting: Meeting) -> bytes:
    template, context = RecordKind.INSPECTION.entry.build(meeting)
    return render_pdf(template, **context)


def venue_record_pdf(meeting: Meeting) -> bytes:
    template, context = RecordKind.VENUE_CHECK.entry.build(meeting)
    return render_pdf(template, **context)

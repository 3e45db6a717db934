"""The device inspection record and the venue check record, as PDFs in the official layout
(Nghị định 30/2020/NĐ-CP, Phụ lục I), rendered now: what the meeting's page previews.
The archived versions are made by ``meetingsec.records``."""

from meetingsec.core.pdf import render_pdf
from meetingsec.meetings.models import Meeting
from meetingsec.records import builders


def inspection_record_pdf(meeting: Meeting) -> bytes:
    template, context = builders.inspection(meeting)
    return render_pdf(template, **context)


def venue_record_pdf(meeting: Meeting) -> bytes:
    template, context = builders.venue_check(meeting)
    return render_pdf(template, **context)

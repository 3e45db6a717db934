"""The device inspection record and the venue check record, as PDFs in the official layout
(Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

from meetingsec.core.pdf import official_context, render_pdf
from meetingsec.meetings.models import Meeting


def inspection_record_pdf(meeting: Meeting) -> bytes:
    technicians = {i.technician for d in meeting.devices for i in d.inspections}
    return render_pdf(
        "records/device_inspection.html",
        **official_context(meeting),
        technicians=sorted(technicians, key=lambda u: u.full_name),
    )


def venue_record_pdf(meeting: Meeting) -> bytes:
    return render_pdf(
        "records/venue_check.html", **official_context(meeting), check=meeting.venue_checks[-1]
    )

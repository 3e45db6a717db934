"""The device inspection record and the venue check record, as PDFs in the official layout
(Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

from meetingsec.audit.services import chain_head
from meetingsec.core.db import utcnow
from meetingsec.core.pdf import render_pdf
from meetingsec.meetings.models import Meeting


def _common(meeting: Meeting) -> dict:
    unit = meeting.host_unit
    return {
        "meeting": meeting,
        "agency": unit.name,
        "parent_agency": unit.parent.name if unit.parent else "",
        "generated_at": utcnow(),
        "head": chain_head(),
    }


def inspection_record_pdf(meeting: Meeting) -> bytes:
    technicians = {i.technician for d in meeting.devices for i in d.inspections}
    return render_pdf(
        "records/device_inspection.html",
        **_common(meeting),
        technicians=sorted(technicians, key=lambda u: u.full_name),
    )


def venue_record_pdf(meeting: Meeting) -> bytes:
    return render_pdf(
        "records/venue_check.html", **_common(meeting), check=meeting.venue_checks[-1]
    )

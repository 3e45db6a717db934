"""Invitations (giấy mời) as PDFs: one attendee, or the whole list in one file."""

from meetingsec.core.pdf import render_pdf
from meetingsec.door.services import deposits_required
from meetingsec.records.official import official_context


def invitations_pdf(meeting, attendees) -> bytes:
    return render_pdf(
        "records/pdf/invitations.html",
        **official_context(meeting),
        attendees=attendees,
        deposits_required=deposits_required(meeting),
    )

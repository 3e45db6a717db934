"""Records made on the spot and not archived: invitations (giấy mời), and the device
inspection and venue check records as the devices pages preview them before the meeting
is closed. The archived versions are made by ``records.tasks``."""

from meetingsec.core.pdf import render_pdf
from meetingsec.door.services import deposits_required
from meetingsec.records.choices import RecordKind
from meetingsec.records.official import official_context


def invitations_pdf(meeting, attendees, copies: dict | None = None) -> bytes:
    """The invitations of ``attendees``; ``copies`` (attendee id → its copy number, from
    ``documents.invitations.issue_invitations``) when they carry the secret content."""
    return render_pdf(
        "records/pdf/invitations.html",
        **official_context(meeting),
        attendees=attendees,
        copies=copies or {},
        deposits_required=deposits_required(meeting),
    )


def record_now(kind: RecordKind, meeting) -> bytes:
    """A record kind laid out now from the meeting's current data."""
    template, context = kind.entry.build(meeting)
    return render_pdf(template, **context)

"""Reading the attendee list."""

from sqlalchemy import select

from meetingsec.attendees.models import Attendee, AttendeeImport
from meetingsec.extensions import db

PER_PAGE = 100


def get_attendee(meeting_id: int, attendee_id: int) -> Attendee | None:
    attendee = db.session.get(Attendee, attendee_id)
    return attendee if attendee is not None and attendee.meeting_id == meeting_id else None


def get_import(meeting_id: int, batch_id: int) -> AttendeeImport | None:
    batch = db.session.get(AttendeeImport, batch_id)
    return batch if batch is not None and batch.meeting_id == meeting_id else None


def list_page(meeting_id: int, *, page: int):
    """The list as it stands (removed people last), a page at a time."""
    query = (
        select(Attendee)
        .where(Attendee.meeting_id == meeting_id)
        .order_by(Attendee.removed_at.is_not(None), Attendee.id)
    )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)

"""Reading the attendee list."""

from sqlalchemy import inspect, or_, select

from meetingsec.attendees.models import Attendee, AttendeeImport
from meetingsec.core.text import fold, like_escaped
from meetingsec.extensions import db

PER_PAGE = 100


def get_attendee(meeting_id: int, attendee_id: int) -> Attendee | None:
    attendee = db.session.get(Attendee, attendee_id)
    return attendee if attendee is not None and attendee.meeting_id == meeting_id else None


def has_checked_in(attendee: Attendee) -> bool:
    """The attendee checked in (their check-in read when not loaded: the relationship never
    loads on access)."""
    if "check_in" not in inspect(attendee).unloaded:
        return attendee.check_in is not None
    return db.session.scalar(select(Attendee.check_in.has()).where(Attendee.id == attendee.id))


def get_import(meeting_id: int, batch_id: int) -> AttendeeImport | None:
    batch = db.session.get(AttendeeImport, batch_id)
    return batch if batch is not None and batch.meeting_id == meeting_id else None


#: What the list shows (``show``): everyone, or the people in one state of the list
SHOWN = {
    "pending": lambda: (
        Attendee.removed_at.is_(None)
        & or_(Attendee.approved_at.is_(None), Attendee.removal_requested_at.is_not(None))
    ),
    "approved": lambda: (
        Attendee.removed_at.is_(None)
        & Attendee.approved_at.is_not(None)
        & Attendee.removal_requested_at.is_(None)
    ),
    "removed": lambda: Attendee.removed_at.is_not(None),
}


def list_page(meeting_id: int, *, page: int, q: str = "", show: str = "", per_page: int = PER_PAGE):
    """The list as it stands (removed people last), a page at a time; only names containing
    ``q`` (without case or diacritics) and people in the state ``show`` (``SHOWN``)."""
    query = (
        select(Attendee)
        .where(Attendee.meeting_id == meeting_id)
        .order_by(Attendee.removed_at.is_not(None), Attendee.id)
    )
    folded = fold(q)
    if folded:
        pattern = "%" + like_escaped(folded) + "%"
        query = query.where(Attendee.name_folded.like(pattern, escape="\\"))
    if show in SHOWN:
        query = query.where(SHOWN[show]())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)

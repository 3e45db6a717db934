"""Reading a meeting's incidents."""

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from meetingsec.extensions import db
from meetingsec.incidents.models import Incident


def list_incidents(meeting_id: int) -> list[Incident]:
    """In the order they happened, with who recorded each."""
    return list(
        db.session.scalars(
            select(Incident)
            .where(Incident.meeting_id == meeting_id)
            .options(joinedload(Incident.recorded_by))
            .order_by(Incident.at)
        )
    )


def count_incidents(meeting_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Incident).where(Incident.meeting_id == meeting_id)
    )


def get_by_key(key: str) -> Incident | None:
    """The incident recorded with this form key (a retried refusal finds the first)."""
    return db.session.scalar(select(Incident).where(Incident.key == key))

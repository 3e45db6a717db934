"""Reading the audit log."""

from datetime import date, datetime, time, timedelta

from flask_babel import get_timezone
from sqlalchemy import select

from meetingsec.audit.models import AuditEvent
from meetingsec.extensions import db


def _local_midnight(day: date):
    """Midnight of ``day`` in the agency's time zone (dates are typed in local time)."""
    return datetime.combine(day, time.min, tzinfo=get_timezone())


def list_events(
    *,
    actor_id: int = 0,
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = 50,
):
    stmt = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if actor_id == -1:
        stmt = stmt.where(AuditEvent.actor_id.is_(None))
    elif actor_id:
        stmt = stmt.where(AuditEvent.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if date_from:
        stmt = stmt.where(AuditEvent.at >= _local_midnight(date_from))
    if date_to:
        stmt = stmt.where(AuditEvent.at < _local_midnight(date_to + timedelta(days=1)))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def filter_choices():
    """The actions and object types the log holds (the actors come from the accounts)."""
    actions = list(
        db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    )
    types = list(
        db.session.scalars(
            select(AuditEvent.object_type)
            .distinct()
            .where(AuditEvent.object_type.is_not(None))
            .order_by(AuditEvent.object_type)
        )
    )
    return actions, types


def get_event(seq: int) -> AuditEvent | None:
    return db.session.get(AuditEvent, seq)

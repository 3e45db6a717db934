"""Figures for the home pages."""

from sqlalchemy import func, select

from meetingsec.audit.models import AuditEvent
from meetingsec.extensions import db
from meetingsec.org.models import Unit, Venue
from meetingsec.users.models import User


def admin_counts() -> dict[str, int]:
    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "users": count(User, User.active.is_(True)),
        "units": count(Unit, Unit.active.is_(True)),
        "venues": count(Venue, Venue.active.is_(True)),
    }


def latest_events(limit: int = 10) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)))

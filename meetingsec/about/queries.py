"""The last self-check, read from the audit log."""

import json

from sqlalchemy import select

from meetingsec.audit.models import AuditEvent
from meetingsec.extensions import db


def last_selfcheck() -> dict | None:
    """The newest ``software.selfcheck`` event: its payload with ``at`` and ``seq``."""
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "software.selfcheck")
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if event is None:
        return None
    try:
        data = json.loads(event.payload)
    except ValueError:
        data = {}
    return {**data, "at": event.at, "seq": event.seq}


def failed_selfcheck() -> dict | None:
    """The last self-check when it failed, for the administrators' home."""
    last = last_selfcheck()
    return last if last is not None and not last.get("ok") else None

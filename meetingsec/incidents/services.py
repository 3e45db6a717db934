"""Recording an incident. Each package records the incidents of its own flow (a seal check,
the door, documents) through ``record_incident``, under its own audit action."""

from datetime import datetime

from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident


def record_incident(
    meeting,
    *,
    actor,
    kind: str,
    description: str,
    action: str,
    data: dict,
    meeting_device_id: int | None = None,
    person_name: str | None = None,
    person_unit: str | None = None,
    attendee_id: int | None = None,
    key: str | None = None,
    now: datetime | None = None,
) -> Incident:
    """Add an incident of ``meeting`` and its audit event ``action`` with ``data`` (the
    caller's: each flow keeps its own event), flushed, not committed."""
    now = now or utcnow()
    incident = Incident(
        meeting_id=meeting.id,
        kind=kind,
        description=description,
        meeting_device_id=meeting_device_id,
        person_name=person_name,
        person_unit=person_unit,
        attendee_id=attendee_id,
        recorded_by_id=actor.id,
        at=now,
        key=key,
    )
    db.session.add(incident)
    db.session.flush()
    record(action, incident, actor=actor, now=now, data=data)
    return incident

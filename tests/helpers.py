"""Small helpers for asserting what changed in the database."""

from sqlalchemy import func, select, text

from meetingsec.audit.models import AuditEvent
from meetingsec.extensions import db
from meetingsec.models import (
    Attendee,
    AttendeeImport,
    CheckIn,
    ChecklistItem,
    CommitmentText,
    Deposit,
    DocumentCopy,
    Incident,
    LoginSession,
    Meeting,
    MeetingMember,
    Movement,
    Record,
    RecordJob,
    RuleCitation,
    SecretDocument,
    Unit,
    User,
    UserRole,
    Venue,
)

#: Tables whose rows a form may change (login sessions and locks are bookkeeping)
TRACKED = (
    AuditEvent,
    Unit,
    Venue,
    User,
    UserRole,
    Meeting,
    MeetingMember,
    ChecklistItem,
    RuleCitation,
    Attendee,
    AttendeeImport,
    CheckIn,
    CommitmentText,
    Deposit,
    DocumentCopy,
    Incident,
    Movement,
    SecretDocument,
    DocumentCopy,
    Record,
    RecordJob,
)


def snapshot() -> dict:
    """Row counts plus the content of every tracked table, to prove that nothing changed."""
    db.session.expire_all()
    state = {}
    for model in TRACKED:
        rows = db.session.execute(select(model.__table__)).all()
        state[model.__tablename__] = sorted(map(repr, rows))
    return state


def audit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def live_sessions(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    )


def drop_audit_triggers(backend: str) -> None:
    """What a person with raw database access would do before tampering with the log."""
    if backend == "postgresql":
        db.session.execute(text("DROP TRIGGER audit_events_no_change ON audit_events"))
    else:
        db.session.execute(text("DROP TRIGGER audit_events_no_update"))
        db.session.execute(text("DROP TRIGGER audit_events_no_delete"))
    db.session.commit()


def signature_json(points: int = 20) -> str:
    """What signature_pad sends for a short stroke (its ``toData()`` shape)."""
    import json

    stroke = {
        "penColor": "#000",
        "points": [
            {"x": 10 + i * 5, "y": 40 + (i % 5) * 6, "time": i, "pressure": 0.5}
            for i in range(points)
        ],
    }
    return json.dumps({"width": 600, "height": 200, "strokes": [stroke]})


def check_in(meeting, clerk, person, *, key=None, items=None, carries_none=False):
    """Check ``person`` in through the door's service (a phone deposited by default)."""
    from meetingsec.door import services

    return services.check_in(
        meeting,
        person.invitation_code,
        actor=clerk,
        key=key or f"key-{person.id:08d}",
        items=items if items is not None else ({} if carries_none else {"phone": 1}),
        carries_none=carries_none,
        signature=signature_json(),
        commitment_sha256=services.current_commitment()[1],
    )


def item_status(meeting, rule_id: str):
    """The evaluated checklist item of ``rule_id`` (None when the rule does not apply)."""
    from meetingsec.checklists.services import evaluate

    return next((v for v in evaluate(meeting) if v.rule.id == rule_id), None)

"""Small helpers for asserting what changed in the database."""

import re

from sqlalchemy import func, select, text

from meetingsec.audit.models import AuditEvent
from meetingsec.extensions import db
from meetingsec.models import LoginSession

#: Bookkeeping of logins, which any request may touch: every other table is tracked
UNTRACKED = frozenset({"login_sessions", "login_locks"})


def tracked_tables() -> list:
    """Every table of the schema whose rows a form or a service may change."""
    return [t for name, t in sorted(db.metadata.tables.items()) if name not in UNTRACKED]


def snapshot() -> dict:
    """The content of every tracked table, to prove that nothing changed."""
    db.session.expire_all()
    state = {}
    for table in tracked_tables():
        rows = db.session.execute(select(table)).all()
        state[table.name] = sorted(map(repr, rows))
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
    """What a person with raw database access would do before tampering with the log (its
    events and its signed checkpoints)."""
    if backend == "postgresql":
        db.session.execute(text("DROP TRIGGER audit_events_no_change ON audit_events"))
        db.session.execute(text("DROP TRIGGER audit_checkpoints_no_change ON audit_checkpoints"))
    else:
        for table in ("audit_events", "audit_checkpoints"):
            db.session.execute(text(f"DROP TRIGGER {table}_no_update"))
            db.session.execute(text(f"DROP TRIGGER {table}_no_delete"))
    db.session.commit()


def rewrite_event(seq: int, **changes) -> None:
    """Edit event ``seq`` and recompute every hash from it on, as whoever knows the
    algorithm can (the triggers dropped first)."""
    from meetingsec.audit.models import AuditEvent

    table = AuditEvent.__table__
    rows = {r["seq"]: dict(r) for r in db.session.execute(db.select(table)).mappings()}
    rows[seq].update(changes)
    rehash(rows, seq)
    db.session.execute(text("DELETE FROM audit_events"))
    db.session.execute(table.insert(), list(rows.values()))
    db.session.commit()


def rehash(rows: dict, first: int) -> None:
    """Recompute the hashes of events ``first`` onwards in ``rows`` (``{seq: row dict}``),
    as whoever knows the algorithm can after editing an event."""
    from meetingsec.audit.chain import event_hash

    prev = rows[first - 1]["hash"] if first > 1 else "0" * 64
    for seq in range(first, max(rows) + 1):
        r = rows[seq]
        r["prev_hash"] = prev
        fields = [r[c] for c in ("at", "actor_id", "action", "object_type", "object_id", "payload")]
        r["hash"] = prev = event_hash(seq, *fields, prev)


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
    from meetingsec.door import commitment as commitments
    from meetingsec.workflows import services as workflows

    return workflows.check_in(
        meeting,
        person.invitation_code,
        actor=clerk,
        key=key or f"key-{person.id:08d}",
        items=items if items is not None else ({} if carries_none else {"phone": 1}),
        carries_none=carries_none,
        signature=signature_json(),
        commitment_sha256=commitments.commitment_for(meeting)[1],
    )


def item_status(meeting, rule_id: str):
    """The evaluated checklist item of ``rule_id`` (None when the rule does not apply)."""
    from meetingsec.records.queries import evaluate_checklist

    return next((v for v in evaluate_checklist(meeting) if v.rule.id == rule_id), None)


def error_codes(resp) -> list[str]:
    """The codes of the errors a page shows (``data-error-code``: form and field errors,
    flashed refusals, error pages), in page order; tests match these, not the wording."""
    return re.findall(r'data-error-code="([^"]*)"', resp.get_data(as_text=True))

"""Writing and verifying the audit chain.

``record`` is called by every service that changes state, inside the same transaction as
the change: the event commits with it or rolls back with it.
"""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import insert, select, text

from meetingsec.audit import checkpoints
from meetingsec.audit.chain import VerifyResult, canonical_json, event_hash, verify_rows
from meetingsec.audit.models import GENESIS_HASH, AuditEvent
from meetingsec.core.changes import apply_changes
from meetingsec.core.db import built_once, utcnow
from meetingsec.extensions import db

#: Key of PostgreSQL's transaction-level advisory lock that serialises chain appends
_CHAIN_LOCK_KEY = 0x6D656574  # "meet"


def lock_chain(connection=None) -> None:
    """Serialise appends so two writers never take the same head (the chain never forks).

    SQLite needs nothing here: every transaction begins IMMEDIATE (core.db), so writers
    are already serialised. PostgreSQL takes an advisory lock released at commit/rollback.
    ``connection``: the session's, when the caller has it.
    """
    connection = connection or db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_chain_lock(), {"k": _CHAIN_LOCK_KEY})


@built_once
def _chain_lock():
    return text("SELECT pg_advisory_xact_lock(:k)")


@built_once
def _head():
    t = AuditEvent.__table__
    return select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)


@built_once
def _append():
    return insert(AuditEvent.__table__)


def record(
    action: str,
    obj=None,
    *,
    actor=None,
    object_type: str | None = None,
    object_id=None,
    data: dict | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain in the current transaction (flushed, not committed).

    ``obj`` is a model instance (its table and id name the object) or None; ``actor`` a
    User or None for the system or an anonymous visitor.

    The event is written by one plain ``INSERT`` on the session's connection (no unit of
    work: every door request writes one); the ``AuditEvent`` returned holds what was
    written and is not in the session (a query in the transaction reads the row).
    """
    db.session.flush()  # the change before its event, as before; the object needs its id
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id
    connection = db.session.connection()
    lock_chain(connection)
    head = connection.execute(_head()).first()
    seq, prev_hash = (head.seq + 1, head.hash) if head else (1, GENESIS_HASH)
    at = now or utcnow()
    actor_id = actor.id if actor is not None else None
    object_id = None if object_id is None else str(object_id)
    payload = canonical_json(data or {})
    values = {
        "seq": seq,
        "at": at,
        "actor_id": actor_id,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "payload": payload,
        "prev_hash": prev_hash,
        "hash": event_hash(seq, at, actor_id, action, object_type, object_id, payload, prev_hash),
    }
    connection.execute(_append(), values)
    event = AuditEvent(**values)
    checkpoints.after_event(event)
    return event


def verify_chain(anchors=(), batch: int = 10_000, *, session=None, trusted=None) -> VerifyResult:
    """Verify every event, streaming rows in ``seq`` order (Core rows, no ORM objects),
    against the signed checkpoints (checked with the pinned key) and against ``anchors``
    (``checkpoints.Anchor``: what a paper record or an exported checkpoint saw).

    ``session`` and ``trusted`` check another database (a backup before it is restored)
    against a given key; by default the app's database and ``checkpoints.trust()``."""
    session = session or db.session
    trusted = trusted or checkpoints.trust()
    signed, report = checkpoints.load_checked(trusted, session)
    t = AuditEvent.__table__
    stmt = select(
        t.c.seq,
        t.c.at,
        t.c.actor_id,
        t.c.action,
        t.c.object_type,
        t.c.object_id,
        t.c.payload,
        t.c.prev_hash,
        t.c.hash,
    ).order_by(t.c.seq)
    result = session.execute(stmt.execution_options(yield_per=batch))
    result = verify_rows((tuple(r) for r in result), signed)
    covered = report.latest_seq or 0
    stored_head = chain_head(session)[0]
    missing = report.missing_number
    untouched = missing is None and report.forged_seq is None and not report.key_missing
    if stored_head and not signed and untouched:
        # The first event ever written is checkpointed with it: a log with events and no
        # checkpoint at all had its checkpoints deleted.
        missing = 1
    return replace(
        result,
        checkpoints=report.valid,
        checkpoint_seq=report.latest_seq,
        checkpoint_at=report.latest_at,
        uncovered=max(result.head_seq - covered, 0),
        key_missing=report.key_missing,
        forged_checkpoint=report.forged_seq,
        missing_checkpoint=missing,
        key_pinned=trusted.pinned,
        key_fingerprint=trusted.fingerprint,
        key_unreadable=trusted.unreadable,
        signer_mismatch=trusted.signer_mismatch,
        anchors=tuple(checkpoints.check_anchor(a, trusted, stored_head, session) for a in anchors),
    )


def chain_head(session=None) -> tuple[int, str]:
    head = (
        (session or db.session)
        .execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
        .first()
    )
    return (head.seq, head.hash) if head else (0, GENESIS_HASH)


def create_or_update(model, obj, values: dict, *, actor, kind: str):
    """Create a ``model`` from ``values`` (``obj`` None) or change ``obj``; audit it as
    ``<kind>.created`` or ``<kind>.updated`` (nothing is written when nothing changed)."""
    if obj is None:
        obj = model(**values)
        db.session.add(obj)
        record(f"{kind}.created", obj, actor=actor, data=values)
        return obj
    changed = apply_changes(obj, values)
    if changed:
        record(f"{kind}.updated", obj, actor=actor, data=changed)
    return obj

"""Signed checkpoints of the audit chain.

The hash chain shows an edit, a deletion, an insertion or a reordering, but not a chain
cut short at its end, nor one rewritten from some event on by a person who recomputes the
hashes. A checkpoint closes that gap: the head (sequence and hash) signed with the
installation's Ed25519 key, which lives in ``instance/`` (``AUDIT_SIGNING_KEY_FILE``) and
never in the database. Verification checks every checkpoint's signature and that the chain
still holds the event it names, with the same hash.

A checkpoint is written with the first event after ``AUDIT_CHECKPOINT_SECONDS`` have passed
since the last one (in that event's transaction), and by the worker every minute when the
head has moved, so the head is checkpointed at least every minute while events are
written. Events after the last checkpoint are reported as not yet covered.
"""

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select

from meetingsec.audit.chain import canonical_json, format_time
from meetingsec.audit.models import AuditCheckpoint, AuditEvent
from meetingsec.core.db import utcnow
from meetingsec.extensions import db

#: Per process and database: the time before which no checkpoint is due (saves a query per
#: event; another process's newer checkpoint only makes this one look again sooner)
_next_due: dict[str, float] = {}


def key_path() -> Path:
    configured = current_app.config.get("AUDIT_SIGNING_KEY_FILE")
    return Path(configured or Path(current_app.instance_path) / "audit-signing.key")


def _make_key(path: Path) -> None:
    """Write a new key without ever replacing one (two processes may race here)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    try:
        os.link(tmp, path)  # fails if another process made it first: theirs wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def signing_key(create: bool = True) -> Ed25519PrivateKey | None:
    path = key_path()
    if not path.exists():
        if not create:
            return None
        _make_key(path)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def checkpoint_message(seq: int, hash_: str, at: datetime) -> bytes:
    return canonical_json(["meetingsec-audit-checkpoint", seq, hash_, format_time(at)]).encode()


def _write(seq: int, hash_: str) -> AuditCheckpoint:
    key = signing_key()
    at = utcnow()
    checkpoint = AuditCheckpoint(
        seq=seq,
        hash=hash_,
        at=at,
        key_id=key_id(key.public_key()),
        signature=key.sign(checkpoint_message(seq, hash_, at)).hex(),
    )
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint


def latest() -> AuditCheckpoint | None:
    return db.session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()).limit(1))


def latest_printed() -> dict | None:
    """What a record prints of the latest checkpoint: plain values, for a template."""
    last = latest()
    if last is None:
        return None
    return {"seq": last.seq, "at": last.at, "signature": last.signature[:32]}


def after_event(event: AuditEvent) -> None:
    """Called by ``audit.services.record`` under the chain lock, in the event's transaction:
    checkpoint this event when the last checkpoint is older than the interval."""
    interval = current_app.config["AUDIT_CHECKPOINT_SECONDS"]
    where = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if event.at.timestamp() < _next_due.get(where, 0):
        return
    last = latest()
    if last is not None and event.at - last.at < timedelta(seconds=interval):
        _next_due[where] = last.at.timestamp() + interval
        return
    _write(event.seq, event.hash)
    _next_due[where] = event.at.timestamp() + interval


def checkpoint_head() -> AuditCheckpoint | None:
    """Checkpoint the chain's head if it moved since the last checkpoint (the worker calls
    this every minute). The caller commits."""
    from meetingsec.audit.services import chain_head, lock_chain

    lock_chain()
    seq, hash_ = chain_head()
    last = latest()
    if seq == 0 or (last is not None and last.seq >= seq):
        return None
    return _write(seq, hash_)


@dataclass(frozen=True)
class CheckpointReport:
    #: Checkpoints whose signature verified with this installation's key
    valid: int
    latest_seq: int | None
    latest_at: datetime | None
    #: No key in instance/: the checkpoints could not be checked
    key_missing: bool = False
    #: The first checkpoint whose signature (or key) does not verify
    forged_seq: int | None = None


def load_checked() -> tuple[dict[int, str], CheckpointReport]:
    """Every checkpoint whose signature verifies, as ``{seq: hash}``, and a report."""
    key = signing_key(create=False)
    rows = db.session.execute(
        select(
            AuditCheckpoint.seq,
            AuditCheckpoint.hash,
            AuditCheckpoint.at,
            AuditCheckpoint.key_id,
            AuditCheckpoint.signature,
        ).order_by(AuditCheckpoint.seq)
    ).all()
    if key is None:
        return {}, CheckpointReport(0, None, None, key_missing=bool(rows))
    public = key.public_key()
    ours = key_id(public)
    checked: dict[int, str] = {}
    last = None
    for seq, hash_, at, kid, signature in rows:
        try:
            if kid != ours:
                raise InvalidSignature
            public.verify(bytes.fromhex(signature), checkpoint_message(seq, hash_, at))
        except (InvalidSignature, ValueError):
            return checked, CheckpointReport(len(checked), *(last or (None, None)), forged_seq=seq)
        checked[seq] = hash_
        last = (seq, at)
    return checked, CheckpointReport(len(checked), *(last or (None, None)))

"""The audit event. Rows are only ever inserted (a database trigger refuses UPDATE and DELETE)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from meetingsec.core.db import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEvent(Base):
    __tablename__ = "audit_events"

    #: Position in the chain, 1, 2, 3, … with no gap; assigned under the chain lock
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: NULL for the system (CLI, seeding) and for anonymous visitors (failed logins)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    #: Dotted ``<domain>.<verb_past>``, e.g. ``user.created``, ``auth.login_failed``
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(32), index=True)
    object_id: Mapped[str | None] = mapped_column(String(64))
    #: Canonical JSON, stored exactly as hashed (so no backend can re-order its keys)
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """The chain's head at a moment, signed with the installation's Ed25519 key (a file in
    ``instance/``, never in the database; its public half pinned in the deployment's
    settings): whoever rewrites or truncates the chain in the database cannot make the
    checkpoints agree without that key. Checkpoints are numbered and each names the one
    before it, so deleting some of them is itself detected."""

    __tablename__ = "audit_checkpoints"

    #: The event the checkpoint covers (every event up to it)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: 1, 2, 3, … with no gap
    number: Mapped[int] = mapped_column(Integer, unique=True)
    #: SHA-256 of the previous checkpoint's signature (zeros for the first)
    prev: Mapped[str] = mapped_column(String(64))
    #: 2: the signature covers number and prev too; 1: written before they existed
    format: Mapped[int] = mapped_column(SmallInteger, default=2)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: SHA-256 of the raw public key, so a checkpoint names the key that signed it
    key_id: Mapped[str] = mapped_column(String(64))
    #: Ed25519 signature (hex) over ``checkpoint_message(seq, hash, at)``
    signature: Mapped[str] = mapped_column(String(128))

"""The audit event. Rows are only ever inserted (a database trigger refuses UPDATE and DELETE)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
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

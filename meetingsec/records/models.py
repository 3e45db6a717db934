"""Generated records (PDFs) of a meeting, each version kept with its SHA-256, and the
background jobs that render them."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from meetingsec.core.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from meetingsec.users.models import User


class Record(Base):
    """One version of one record of a meeting. The bytes are kept as generated: what was
    downloaded, printed and hashed is what is served again (frozen once the meeting is
    closed)."""

    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: RecordKind
    kind: Mapped[str] = mapped_column(String(24))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    pages: Mapped[int] = mapped_column(Integer)
    #: The audit chain's head printed in the record
    head_seq: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    generated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: The PDF itself; loaded only when downloaded
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))

    generated_by: Mapped["User"] = relationship(lazy="joined")


class RecordJob(Base):
    """A record asked for and rendered in the background (huey), with its progress."""

    __tablename__ = "record_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: JobState
    state: Mapped[str] = mapped_column(String(16), default="queued")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    #: Why it failed (for the administrator; the user sees a translated message)
    error: Mapped[str] = mapped_column(Text, default="")

    record: Mapped[Record | None] = relationship(lazy="joined")


class NumberSeries(Base):
    """The number series of one record kind: the symbol before the agency's abbreviation
    ("BB" in "Số: 12/BB-UBND") and the next number, which starts again at 1 each year."""

    __tablename__ = "number_series"

    #: RecordKind
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    symbol: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    next_number: Mapped[int] = mapped_column(Integer, default=1)


class RecordNumber(Base):
    """The number a meeting's record was given when it was first asked for; its later
    versions keep it."""

    __tablename__ = "record_numbers"
    __table_args__ = (UniqueConstraint("meeting_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: RecordKind
    kind: Mapped[str] = mapped_column(String(24))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    #: The symbol as it was when the number was given ("BB-UBND")
    symbol: Mapped[str] = mapped_column(String(60))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RecordSigner(Base):
    """Who signs one side of a meeting's record, as the organiser set it before generating
    (otherwise the record's default, from the meeting): the authority ("KT.", "TM.", …) and
    the office it signs for, the signer's position and name."""

    __tablename__ = "record_signers"
    __table_args__ = (UniqueConstraint("meeting_id", "kind", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: RecordKind
    kind: Mapped[str] = mapped_column(String(24))
    #: "left" or "right"
    side: Mapped[str] = mapped_column(String(8))
    #: "", "TM.", "KT.", "Q.", "TL." or "TUQ."
    authority: Mapped[str] = mapped_column(String(8), default="")
    #: The office signed for ("CHỦ TỊCH" in "KT. CHỦ TỊCH")
    principal: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(200), default="")
    name: Mapped[str] = mapped_column(String(200), default="")

"""What happens at the door: check-ins with their signed commitment, deposited devices,
exits and re-entries."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingsec.core.db import Base, UTCDateTime, utcnow
from meetingsec.door.choices import DepositKind

if TYPE_CHECKING:
    from meetingsec.attendees.models import Attendee
    from meetingsec.users.models import User


class CommitmentText(Base):
    """A commitment text attendees sign, kept by its hash so each signature names exactly
    the text that was shown. The row made current last is the agency's current text."""

    __tablename__ = "commitment_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    #: Who made it current, and when (again, when an earlier text comes back)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CommitmentChoice(Base):
    """An administrator made a text the commitment of one legal regime: the latest choice
    for a regime is its current text (without one, the regime's default in its ruleset)."""

    __tablename__ = "commitment_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    ruleset_id: Mapped[str] = mapped_column(String(32), index=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment_texts.id"))
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    commitment: Mapped[CommitmentText] = relationship(lazy="raise")


class CheckIn(Base):
    """An attendee's first entry: one per attendee, with the signed commitment."""

    __tablename__ = "check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id"), unique=True)
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Made on the tablet for this check-in: a retry or a double tap sends it again
    key: Mapped[str] = mapped_column(String(40), unique=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitment_texts.id"))
    commitment_sha256: Mapped[str] = mapped_column(String(64))
    #: The drawn strokes as signature_pad gives them (JSON): the signature itself. Deferred,
    #: as is the image: only the records read them (``undefer`` there), not the door's pages.
    signature_strokes: Mapped[str] = mapped_column(Text, deferred=True)
    #: A small grayscale PNG flattened from the strokes once, for the records
    signature_png: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: The attendee declared carrying no device to deposit
    carries_none: Mapped[bool] = mapped_column(Boolean, default=False)

    attendee: Mapped["Attendee"] = relationship(back_populates="check_in", lazy="raise")

    clerk: Mapped["User"] = relationship(lazy="joined")
    #: Loaded where read (the attendance sheet)
    commitment: Mapped[CommitmentText] = relationship(lazy="raise")


class Movement(Base):
    """An exit, or a re-entry after one, once the attendee has checked in."""

    __tablename__ = "attendee_movements"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id"), index=True)
    #: exit or entry
    kind: Mapped[str] = mapped_column(String(8))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    carries_none: Mapped[bool] = mapped_column(Boolean, default=False)

    clerk: Mapped["User"] = relationship(lazy="joined")


class Deposit(Base):
    """A device left at the door against a claim ticket."""

    __tablename__ = "deposits"
    __table_args__ = (UniqueConstraint("meeting_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id"), index=True)
    #: DepositKind
    kind: Mapped[str] = mapped_column(String(16))
    #: The claim ticket's random code (its QR) and the shelf slot the item sits in
    claim_code: Mapped[str] = mapped_column(String(11), unique=True)
    slot: Mapped[int] = mapped_column(Integer)
    deposited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deposited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The key of the return that handed it back (a retried return finds it)
    return_key: Mapped[str | None] = mapped_column(String(40), index=True)
    #: Nobody came back for it: recorded at closing, the item stays with the host unit
    unclaimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    unclaimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unclaimed_note: Mapped[str] = mapped_column(Text, default="")

    attendee: Mapped["Attendee"] = relationship(lazy="joined")
    returned_by: Mapped["User | None"] = relationship(foreign_keys=[returned_by_id], lazy="raise")

    @property
    def kind_title(self):
        return DepositKind(self.kind).title


class IdentityCheck(Base):
    """The clerk scanned (or typed) an attendee's citizen identity card (CCCD), or a
    foreign guest's passport, at the door. Only what the check needs is kept: whether it
    matched the invitation, the document's type and number and the time — never the
    address, the date of birth or the rest of the card or passport."""

    __tablename__ = "identity_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: The attendee whose invitation was just scanned
    attendee_id: Mapped[int] = mapped_column(ForeignKey("attendees.id"), index=True)
    #: "cccd" or "passport" (``attendees.models.CCCD``, ``PASSPORT``)
    document: Mapped[str] = mapped_column(String(8), default="cccd")
    #: The document's number: a CCCD's 12 digits, a passport's 6–9 letters or digits
    id_number: Mapped[str] = mapped_column(String(12))
    matched: Mapped[bool] = mapped_column(Boolean)
    #: Why not: "number" (another person's card, or not the number on the list) or "name"
    mismatch: Mapped[str | None] = mapped_column(String(8))
    clerk_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Made on the tablet: a double tap or a retry finds this row
    key: Mapped[str] = mapped_column(String(40), unique=True)

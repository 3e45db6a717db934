"""Attendees of a meeting and the files imported into the list."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingsec.core.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from meetingsec.door.models import CheckIn

#: The identity documents the door checks (``Attendee.id_document``, ``IdentityCheck.document``)
CCCD, PASSPORT = "cccd", "passport"


class Attendee(Base):
    """A person on a meeting's list. The chair's approval admits them at the door; a removal
    keeps the row (the list's history and the records need it)."""

    __tablename__ = "attendees"
    __table_args__ = (
        Index("ix_attendees_meeting_folded", "meeting_id", "name_folded"),
        # The door's counters (and the meetings list's) count a meeting's list by state
        # from this index alone, without reading a row
        Index(
            "ix_attendees_meeting_state",
            "meeting_id",
            "removed_at",
            "approved_at",
            "removal_requested_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    #: The name without case, tones or hats (đ → d): what the door's search compares
    name_folded: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_name: Mapped[str] = mapped_column(String(300))
    #: Staff number or citizen ID number, optional
    id_number: Mapped[str] = mapped_column(String(40), default="")
    #: A foreign guest's passport number as on the approved list (6–9 capital letters or
    #: digits, ``attendees.values.passport``); the door then checks the passport instead of
    #: a CCCD. Never together with a CCCD number (``id_number``)
    passport_number: Mapped[str] = mapped_column(String(9), default="")
    #: As the list gives it ("Lào", "Nhật Bản"); shown beside the passport
    nationality: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    #: The random code printed in the invitation's QR
    invitation_code: Mapped[str] = mapped_column(String(11), unique=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The chair's approval of this person; None while the addition awaits it
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The organiser asked to remove an approved person; the chair's approval removes them
    removal_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removal_reason: Mapped[str] = mapped_column(Text, default="")
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    check_in: Mapped["CheckIn | None"] = relationship(back_populates="attendee", lazy="raise")

    @property
    def admitted(self) -> bool:
        """On the approved list: the door lets this person in."""
        return self.approved_at is not None and self.removed_at is None

    @property
    def id_document(self) -> str:
        """The identity document the door checks: "passport" when the list gives a
        passport number, else "cccd" (the citizen identity card)."""
        return PASSPORT if self.passport_number else CCCD

    @property
    def list_status(self) -> str:
        if self.removed_at is not None:
            return "removed"
        if self.approved_at is None:
            return "pending_addition"
        if self.removal_requested_at is not None:
            return "pending_removal"
        return "approved"


class AttendeeImport(Base):
    """An uploaded list, kept between the preview and the organiser's confirmation."""

    __tablename__ = "attendee_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    #: How the file was read (xlsx, xls, utf-8, utf-16, cp1258, tcvn3)
    encoding: Mapped[str] = mapped_column(String(16))
    #: JSON: the sheets that hold the list, as read ({"sheets": [{"name", "rows"}]}), the
    #: organiser's choice of each column's meaning ("columns", null until chosen) and
    #: whether the text was TCVN3 ("tcvn3": "detected", "converted" or null). The preview
    #: is understood from it again each time it is shown (``importing.understand``).
    rows: Mapped[str] = mapped_column(Text)
    #: People rows found when the file was read
    row_count: Mapped[int] = mapped_column(Integer)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    imported_count: Mapped[int] = mapped_column(Integer, default=0)


class ColumnChoice(Base):
    """What an organiser chose each column of a list to mean, remembered for the next file
    whose header reads the same (offices fill the same template again and again)."""

    __tablename__ = "attendee_column_choices"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the header's texts as compared (``tables.Layout.signature``)
    header_digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: The header's texts, for people reading the table
    header: Mapped[str] = mapped_column(Text)
    #: JSON: each column's meaning (``tables.Meaning``), in order
    meanings: Mapped[str] = mapped_column(Text)
    chosen_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

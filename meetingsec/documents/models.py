"""Secret documents of a meeting and their numbered copies (the register of copies,
Thông tư 24/2020/TT-BCA Mẫu 08 and 12)."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingsec.core.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from meetingsec.attendees.models import Attendee
    from meetingsec.incidents.models import Incident
    from meetingsec.users.models import User


class SecretDocument(Base):
    """A document carrying state secrets that the meeting uses."""

    __tablename__ = "secret_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: Its number and symbol, e.g. "12/BC-CAT"
    number: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    #: Classification (mat, toi_mat, tuyet_mat)
    classification: Mapped[str] = mapped_column(String(16))
    copy_count: Mapped[int] = mapped_column(Integer)
    #: Who allowed the copies to be made, and by which document (Luật 29/2018 Điều 11);
    #: empty until recorded
    copy_authorisation: Mapped[str] = mapped_column(Text, default="")
    #: The meeting's invitations themselves, when they carry the secret content (one a
    #: meeting): a copy is an attendee's invitation, its code that invitation's QR code
    is_invitation: Mapped[bool] = mapped_column(Boolean, default=False)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    copies: Mapped[list["DocumentCopy"]] = relationship(
        back_populates="document", order_by="DocumentCopy.copy_number", lazy="selectin"
    )


class DocumentCopy(Base):
    """One numbered copy: its QR label, to whom it was handed, its recovery or its loss."""

    __tablename__ = "document_copies"
    __table_args__ = (UniqueConstraint("document_id", "copy_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("secret_documents.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    copy_number: Mapped[int] = mapped_column(Integer)
    #: The random code printed in the copy's QR label
    code: Mapped[str] = mapped_column(String(11), unique=True)
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendees.id"), index=True)
    handed_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handed_out_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: The form keys of the hand-out and the recovery: a retry finds what it did
    handout_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    recover_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    recovered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recovered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: A loss reported instead of a recovery: the incident says what happened
    lost_incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))

    document: Mapped[SecretDocument] = relationship(back_populates="copies", lazy="joined")
    attendee: Mapped["Attendee | None"] = relationship(lazy="joined")
    handed_out_by: Mapped["User | None"] = relationship(
        foreign_keys=[handed_out_by_id], lazy="raise"
    )
    recovered_by: Mapped["User | None"] = relationship(foreign_keys=[recovered_by_id], lazy="raise")
    lost_incident: Mapped["Incident | None"] = relationship(lazy="raise")

    @property
    def state(self) -> str:
        """in_hand (with the organiser), handed_out, recovered or lost."""
        if self.lost_incident_id is not None:
            return "lost"
        if self.recovered_at is not None:
            return "recovered"
        if self.handed_out_at is not None:
            return "handed_out"
        return "in_hand"

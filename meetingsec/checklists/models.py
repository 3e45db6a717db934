"""A meeting's checklist items and the administrators' citation corrections."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingsec.core.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from meetingsec.meetings.models import Meeting
    from meetingsec.users.models import User


class ChecklistItem(Base):
    """One applicable rule of a meeting. Manual items carry their state here; derived items
    are computed on every view and never stored as done."""

    __tablename__ = "checklist_items"
    __table_args__ = (UniqueConstraint("meeting_id", "rule_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    #: open, done or not_applicable (manual items only)
    state: Mapped[str] = mapped_column(String(16), default="open")
    #: What was done (e.g. the protection plan's reference) or why it does not apply
    note: Mapped[str] = mapped_column(Text, default="")
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    meeting: Mapped["Meeting"] = relationship(back_populates="items", lazy="raise")
    #: Loaded by ``checklists.queries.items_of``
    marked_by: Mapped["User | None"] = relationship(lazy="raise")


class RuleCitation(Base):
    """An administrator's confirmation or correction of a rule's citation."""

    __tablename__ = "rule_citations"

    ruleset_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    citation: Mapped[str] = mapped_column(Text)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The article's text as read in the official source, pasted in when confirming
    article_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

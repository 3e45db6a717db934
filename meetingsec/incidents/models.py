"""An incident of a meeting, recorded by the service of the package where it happened
(``incidents.services.record_incident``)."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingsec.core.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from meetingsec.users.models import User


class Incident(Base):
    """Something that went wrong at a meeting (a broken seal, a refused entry, …)."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: seal_broken, seal_mismatch, entry_refused
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    meeting_device_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_devices.id"))
    #: The person concerned (a refused entry): who they said they were
    person_name: Mapped[str | None] = mapped_column(String(200))
    person_unit: Mapped[str | None] = mapped_column(String(300))
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendees.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The form key of a recorded refusal (a double tap records one incident)
    key: Mapped[str | None] = mapped_column(String(40), unique=True)

    recorded_by: Mapped["User"] = relationship(lazy="raise")

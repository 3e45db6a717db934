"""The registry, a meeting's devices, and the checks recorded on them."""

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingsec.core.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from meetingsec.devices.choices import DeviceState
    from meetingsec.org.models import Unit
    from meetingsec.users.models import User


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random code printed in the device's QR tag (meetingsec.core.codes)
    tag_code: Mapped[str] = mapped_column(String(11), unique=True)
    #: DeviceKind
    kind: Mapped[str] = mapped_column(String(24))
    make: Mapped[str] = mapped_column(String(100), default="")
    model: Mapped[str] = mapped_column(String(100), default="")
    serial: Mapped[str] = mapped_column(String(100), default="")
    owner_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    #: Supplied by Ban Cơ yếu Chính phủ: exempt from the police inspection
    ban_co_yeu: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    owner_unit: Mapped["Unit | None"] = relationship(lazy="joined")

    @property
    def name(self) -> str:
        from meetingsec.devices.choices import DeviceKind

        kind = DeviceKind(self.kind)
        words = [p for p in (self.make, self.model) if p]
        if kind is DeviceKind.OTHER:  # "Other" says nothing: its make and model do
            return " ".join(words) or str(kind.title)
        return " ".join([str(kind.title), *words])

    @property
    def never_passes(self):
        """Why this device can never pass its inspection (``DeviceKind.never_passes``)."""
        from meetingsec.devices.choices import DeviceKind

        return DeviceKind(self.kind).never_passes


class MeetingDevice(Base):
    """A device to be installed for a meeting."""

    __tablename__ = "meeting_devices"
    __table_args__ = (UniqueConstraint("meeting_id", "device_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: Installed in the room; only after a passing inspection (or Ban Cơ yếu exemption)
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    installed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: Withdrawn from the meeting by its organiser (it failed, or will not be used): its
    #: checks stay in the history and the records, it no longer counts for the checklist
    #: (who did it: the audit event ``meeting.device_withdrawn``)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    device: Mapped[Device] = relationship(lazy="joined")
    inspections: Mapped[list["Inspection"]] = relationship(
        back_populates="meeting_device", lazy="selectin", order_by="Inspection.id"
    )
    seal_checks: Mapped[list["SealCheck"]] = relationship(
        back_populates="meeting_device", lazy="selectin", order_by="SealCheck.id"
    )

    @property
    def latest_inspection(self) -> "Inspection | None":
        return self.inspections[-1] if self.inspections else None

    @property
    def cleared(self) -> bool:
        """Passed its latest inspection, or exempt."""
        last = self.latest_inspection
        return last is not None and last.result in ("pass", "exempt")

    @property
    def seal_broken(self) -> bool:
        """A seal check since the latest (passing) inspection found the seal broken or
        another number: the device must be inspected again with a new seal."""
        last = self.latest_inspection
        return (
            last is not None
            and last.result == "pass"
            and any(not c.ok for c in self.seal_checks if c.at >= last.at)
        )

    @property
    def state(self) -> "DeviceState":
        """Where the device stands, as every page shows it (``templates/devices/_status.html``)."""
        from meetingsec.devices.choices import DeviceState

        last = self.latest_inspection
        if self.withdrawn_at is not None:
            return DeviceState.WITHDRAWN
        if last is None:
            return DeviceState.NOT_INSPECTED
        if last.result == "fail":
            return DeviceState.FAILED
        if self.seal_broken:
            return DeviceState.SEAL_BROKEN
        return DeviceState.EXEMPT if last.result == "exempt" else DeviceState.PASSED


class Inspection(Base):
    """A technician's inspection of a meeting device before installation."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_device_id: Mapped[int] = mapped_column(ForeignKey("meeting_devices.id"), index=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: InspectionResult
    result: Mapped[str] = mapped_column(String(8))
    #: Number of the security seal put on the device (passing inspections)
    seal_number: Mapped[str] = mapped_column(String(40), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    #: Who inspected (``org.choices.FunctionalBody``): the police, or the functional body
    #: of the Ministry of Defence or Ban Cơ yếu Chính phủ for their own units
    body: Mapped[str] = mapped_column(String(16), default="police", server_default="police")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Made when the device card is shown: a double tap or a retry records one inspection
    key: Mapped[str] = mapped_column(String(40), unique=True)

    meeting_device: Mapped[MeetingDevice] = relationship(back_populates="inspections", lazy="raise")
    technician: Mapped["User"] = relationship(lazy="joined")


class SealCheck(Base):
    """On the day: the seal re-scanned, its number compared, its state seen."""

    __tablename__ = "seal_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_device_id: Mapped[int] = mapped_column(ForeignKey("meeting_devices.id"), index=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    seal_number: Mapped[str] = mapped_column(String(40))
    intact: Mapped[bool] = mapped_column(Boolean)
    #: Intact and the number matches the inspection's seal
    ok: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Made when the form is shown: a double tap or a retry records one check
    key: Mapped[str] = mapped_column(String(40), unique=True)

    meeting_device: Mapped[MeetingDevice] = relationship(back_populates="seal_checks", lazy="raise")
    technician: Mapped["User"] = relationship(lazy="joined")


class VenueCheck(Base):
    """The police security check of a venue outside headquarters, inside and around it."""

    __tablename__ = "venue_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    #: pass or fail
    result: Mapped[str] = mapped_column(String(8))
    inside_notes: Mapped[str] = mapped_column(Text, default="")
    outside_notes: Mapped[str] = mapped_column(Text, default="")
    #: Who checked (``org.choices.FunctionalBody``), as for an inspection
    body: Mapped[str] = mapped_column(String(16), default="police", server_default="police")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Made when the form is shown: a double tap or a retry records one check
    key: Mapped[str] = mapped_column(String(40), unique=True)

    technician: Mapped["User"] = relationship(lazy="joined")

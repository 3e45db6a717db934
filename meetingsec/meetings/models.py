"""The meeting and its team (its checklist items: ``checklists.models``)."""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from meetingsec.core.db import Base, UTCDateTime, utcnow
from meetingsec.meetings.lifecycle import MeetingStatus

if TYPE_CHECKING:
    from meetingsec.org.models import Unit, Venue
    from meetingsec.users.models import User


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    #: MeetingKind
    kind: Mapped[str] = mapped_column(String(16))
    #: Classification (mat, toi_mat, tuyet_mat)
    classification: Mapped[str] = mapped_column(String(16), index=True)
    #: MeetingFormat
    format: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue_id: Mapped[int] = mapped_column(ForeignKey("venues.id"), index=True)
    host_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    chair_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: The organiser who created the meeting and keeps it
    organiser_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    #: Where the meeting is in its life; what each status allows is ``meetings.lifecycle``
    status: Mapped[MeetingStatus] = mapped_column(
        Enum(
            MeetingStatus,
            native_enum=False,  # stored as VARCHAR(16) holding the value, as before
            length=16,
            values_callable=lambda statuses: [s.value for s in statuses],
        ),
        index=True,
        default=MeetingStatus.DRAFT,
    )
    #: The host plans to record (ND 26/2020 Điều 6 khoản 2 điểm c applies)
    recording_planned: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Foreign parties attend (Luật 29/2018 Điều 18): the written consent of the person
    #: competent under Điều 16 khoản 1 — who gave it (name, position), its number and date
    foreign_participation: Mapped[bool] = mapped_column(Boolean, default=False)
    foreign_consent_by: Mapped[str | None] = mapped_column(String(200))
    foreign_consent_number: Mapped[str | None] = mapped_column(String(100))
    foreign_consent_date: Mapped[date | None] = mapped_column(Date)
    #: The door asks for the citizen identity card (CCCD) after the invitation; always at
    #: Tuyệt mật (``door.identity.identity_required``)
    identity_check: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The invitations carry the secret content (the organiser's choice; off by default):
    #: each is then a numbered copy, with the mark and the title, of one registered
    #: document, recovered like any copy (``documents.invitations``); off, they are neutral
    invitations_secret: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The ruleset (and its version) that generated the checklist
    ruleset_id: Mapped[str] = mapped_column(String(32))
    ruleset_version: Mapped[int] = mapped_column(Integer)

    #: Approval of the use of the secret content (Luật 29/2018 Điều 17 khoản 1 điểm a)
    approver_name: Mapped[str | None] = mapped_column(String(200))
    approver_position: Mapped[str | None] = mapped_column(String(200))
    approval_number: Mapped[str | None] = mapped_column(String(100))
    approval_date: Mapped[date | None] = mapped_column(Date)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: DevicePolicy decided by the chair for a Mật meeting; NULL until decided
    device_policy: Mapped[str | None] = mapped_column(String(16))

    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Optimistic lock: a save based on an older version is refused
    version: Mapped[int] = mapped_column(Integer, default=1)

    venue: Mapped["Venue"] = relationship(lazy="joined")
    host_unit: Mapped["Unit"] = relationship(lazy="joined")
    # Never loaded on access (a template reading one would query): the pages that show the
    # people load them (``meetings.queries.load_people``); every scan at the door reads the
    # meeting and needs only their ids.
    chair: Mapped["User"] = relationship(foreign_keys=[chair_id], lazy="raise")
    organiser: Mapped["User"] = relationship(foreign_keys=[organiser_id], lazy="raise")
    members: Mapped[list["MeetingMember"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", lazy="selectin"
    )
    # Loaded by the queries that need them (``checklists.queries.checklist_loads``, the
    # devices pages), never on access: the door reads a meeting on every scan and needs none.
    items: Mapped[list["ChecklistItem"]] = relationship(  # noqa: F821
        back_populates="meeting", cascade="all, delete-orphan", lazy="raise"
    )
    devices: Mapped[list["MeetingDevice"]] = relationship(  # noqa: F821
        lazy="raise", order_by="MeetingDevice.id"
    )
    venue_checks: Mapped[list["VenueCheck"]] = relationship(  # noqa: F821
        lazy="raise", order_by="VenueCheck.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("status")
    def _as_status(self, _key, value) -> MeetingStatus:
        # A status set from a string (a form, a fixture) is the enum at once, not only
        # after the row is read again
        return MeetingStatus(value)

    def member_ids(self, role: str) -> set[int]:
        return {m.user_id for m in self.members if m.role == role}


class MeetingMember(Base):
    """A technician or door clerk on the meeting's team."""

    __tablename__ = "meeting_members"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    #: technician or clerk
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    meeting: Mapped[Meeting] = relationship(back_populates="members", lazy="raise")
    user: Mapped["User"] = relationship(lazy="raise")


class RoomSeal(Base):
    """A meeting of several days: its room sealed after a day (ND 26/2020 Điều 6 khoản 3
    điểm b), and the seal found next morning — intact and with the same number, or not."""

    __tablename__ = "room_seals"
    __table_args__ = (UniqueConstraint("meeting_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id"), index=True)
    #: The day after which the room was sealed (the agency's calendar)
    day: Mapped[date] = mapped_column(Date)
    seal_number: Mapped[str] = mapped_column(String(40))
    sealed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    key: Mapped[str] = mapped_column(String(40), unique=True)
    #: Next morning: the seal scanned again, whether it was intact and the same number
    found_number: Mapped[str | None] = mapped_column(String(40))
    found_intact: Mapped[bool | None] = mapped_column(Boolean)
    found_ok: Mapped[bool | None] = mapped_column(Boolean)
    found_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    found_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    found_key: Mapped[str | None] = mapped_column(String(40), unique=True)

"""Units of the agency and the venues where meetings are held."""

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingsec.core.db import Base, UTCDateTime, utcnow


class Unit(Base):
    """An organisational unit (đơn vị); units form a tree through ``parent_id``."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: ``name`` case-folded: unique, so "Sở Nội vụ" and "SỞ NỘI VỤ" cannot both exist
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    #: Units are retired, never deleted: users and records keep pointing at them
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: A unit of the Ministry of Defence or Ban Cơ yếu Chính phủ (``org.choices
    #: .FunctionalBody``): its units' meetings are inspected by its own functional body.
    #: NULL: as its parent (the police when no parent is marked)
    functional_body: Mapped[str | None] = mapped_column(String(16))

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], lazy="raise")


class Venue(Base):
    __tablename__ = "venues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: ``name`` case-folded, unique
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    #: At the agency's headquarters (trụ sở); outside HQ needs a police security check
    at_hq: Mapped[bool] = mapped_column(Boolean, default=True)
    #: A closed meeting room (phòng họp kín)
    closed_room: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AgencySettings(Base):
    """How the agency names itself on its official records (Nghị định 30/2020/NĐ-CP,
    Phụ lục I), set once by the administrator: one row (id 1)."""

    __tablename__ = "agency_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The governing agency (cơ quan chủ quản), printed above the agency's name
    parent_agency: Mapped[str] = mapped_column(String(200), default="")
    #: The agency issuing the records; one printed line per line of the text, so the name
    #: breaks where the agency breaks it
    agency: Mapped[str] = mapped_column(String(200), default="")
    #: Its abbreviation in every record's symbol ("Số: 12/BB-UBND")
    abbreviation: Mapped[str] = mapped_column(String(30), default="")
    #: The place name before the date ("Bình Minh, ngày 02 tháng 12 năm 2026")
    place: Mapped[str] = mapped_column(String(100), default="")
    #: Who signs the agency's reports: the head's position and name
    head_position: Mapped[str] = mapped_column(String(200), default="")
    head_name: Mapped[str] = mapped_column(String(200), default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

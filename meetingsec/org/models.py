"""Units of the agency and the venues where meetings are held."""

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingsec.core.db import Base


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

    parent: Mapped["Unit | None"] = relationship(remote_side=[id])


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

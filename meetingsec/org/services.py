"""Changes to units and venues. Each flushes and audits; the caller commits."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.audit.services import create_or_update, record
from meetingsec.core.changes import apply_changes
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from meetingsec.org.choices import FunctionalBody
from meetingsec.org.models import AgencySettings, Unit, Venue
from meetingsec.org.queries import AGENCY_ROW, parent_of


def name_key(name: str) -> str:
    """The form of a name that uniqueness is judged on (Unicode case folding: SQLite's
    lower() folds only ASCII)."""
    return " ".join(name.casefold().split())


def _name_taken(model, name: str, exclude_id: int | None) -> bool:
    stmt = select(model.id).where(model.name_key == name_key(name))
    if exclude_id is not None:
        stmt = stmt.where(model.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


def _check_parent(unit_id: int | None, parent: Unit | None) -> None:
    """A unit cannot sit below itself (no cycle in the tree)."""
    node = parent
    while node is not None:
        if unit_id is not None and node.id == unit_id:
            raise DomainError(
                _l("A unit cannot be placed under itself or one of its own sub-units."),
                "unit_cycle",
                field="parent_id",
            )
        node = parent_of(node)


def save_unit(
    unit: Unit | None,
    *,
    actor,
    name: str,
    parent: Unit | None,
    active: bool = True,
    functional_body: str | None = None,
) -> Unit:
    """Create a unit (``unit`` None) or change one. ``functional_body`` marks a unit of the
    Ministry of Defence or Ban Cơ yếu Chính phủ (and so every unit under it)."""
    if functional_body and functional_body not in (
        FunctionalBody.DEFENCE,
        FunctionalBody.BAN_CO_YEU,
    ):
        raise DomainError(
            _l("Choose one of the options in the list."), "bad_body", field="functional_body"
        )
    if _name_taken(Unit, name, unit.id if unit else None):
        raise DomainError(
            _l("A unit with this name already exists."), "duplicate_name", field="name"
        )
    _check_parent(unit.id if unit else None, parent)
    values = {
        "name": name,
        "name_key": name_key(name),
        "parent_id": parent.id if parent else None,
        "active": active,
        "functional_body": functional_body or None,
    }
    return create_or_update(Unit, unit, values, actor=actor, kind="unit")


def save_venue(
    venue: Venue | None,
    *,
    actor,
    name: str,
    address: str,
    at_hq: bool,
    closed_room: bool,
    active: bool = True,
) -> Venue:
    """Create a venue (``venue`` None) or change one."""
    if _name_taken(Venue, name, venue.id if venue else None):
        raise DomainError(
            _l("A venue with this name already exists."), "duplicate_name", field="name"
        )
    values = {
        "name": name,
        "name_key": name_key(name),
        "address": address,
        "at_hq": at_hq,
        "closed_room": closed_room,
        "active": active,
    }
    return create_or_update(Venue, venue, values, actor=actor, kind="venue")


def save_agency(
    *,
    actor,
    parent_agency: str,
    agency: str,
    abbreviation: str,
    place: str,
    head_position: str = "",
    head_name: str = "",
    now: datetime | None = None,
) -> AgencySettings:
    """How the agency names itself on its official records (Nghị định 30/2020/NĐ-CP,
    Phụ lục I) and who signs its reports, audited as ``agency.updated`` with what changed
    (with the records' number series: ``records.services.save_letterhead``)."""
    now = now or utcnow()
    lines = [" ".join(line.split()) for line in agency.splitlines()]
    values = {
        "parent_agency": " ".join(parent_agency.split()),
        "agency": "\n".join(line for line in lines if line),
        "abbreviation": "".join(abbreviation.split()).upper(),
        "place": " ".join(place.split()),
        "head_position": " ".join(head_position.split()),
        "head_name": " ".join(head_name.split()),
    }
    settings = db.session.get(AgencySettings, AGENCY_ROW, with_for_update=True)
    if settings is None:
        settings = AgencySettings(id=AGENCY_ROW)
        db.session.add(settings)
    changed = apply_changes(settings, values)
    if changed:
        settings.updated_by_id, settings.updated_at = actor.id, now
        db.session.flush()
        record("agency.updated", settings, actor=actor, now=now, data=changed)
    return settings

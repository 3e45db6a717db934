"""Reading units and venues."""

from sqlalchemy import inspect, select
from sqlalchemy.orm.base import NO_VALUE

from meetingsec.extensions import db
from meetingsec.org.choices import FunctionalBody
from meetingsec.org.models import AgencySettings, Unit, Venue


def list_units(*, active_only: bool = False) -> list[Unit]:
    stmt = select(Unit).order_by(Unit.name)
    if active_only:
        stmt = stmt.where(Unit.active.is_(True))
    return list(db.session.scalars(stmt))


def unit_paths(units: list[Unit]) -> dict[int, str]:
    """ "Parent › Child" labels for every unit, computed from one list (no query per unit)."""
    by_id = {u.id: u for u in units}
    paths: dict[int, str] = {}
    for u in units:
        names, node, seen = [], u, set()
        while node is not None and node.id not in seen:
            seen.add(node.id)
            names.append(node.name)
            node = by_id.get(node.parent_id) if node.parent_id else None
        paths[u.id] = " › ".join(reversed(names))
    return paths


def unit_tree() -> list[tuple[Unit, str]]:
    """Every unit with its path, parents before their children."""
    units = list_units()
    paths = unit_paths(units)
    return sorted(((u, paths[u.id]) for u in units), key=lambda up: up[1].casefold())


def list_venues() -> list[Venue]:
    return list(db.session.scalars(select(Venue).order_by(Venue.name)))


def agency_settings() -> AgencySettings:
    """How the agency names itself on its records (an unsaved, empty row until the
    administrator sets it)."""
    return db.session.get(AgencySettings, AGENCY_ROW) or AgencySettings(
        id=AGENCY_ROW,
        parent_agency="",
        agency="",
        abbreviation="",
        place="",
        head_position="",
        head_name="",
    )


#: The one row of ``agency_settings``
AGENCY_ROW = 1


def parent_of(unit: Unit) -> Unit | None:
    """The unit above ``unit``: as set on it, or read by its id (from the identity map when
    it is loaded already)."""
    loaded = inspect(unit).attrs.parent.loaded_value
    if loaded is not NO_VALUE:
        return loaded
    return db.session.get(Unit, unit.parent_id) if unit.parent_id is not None else None


def body_of(unit) -> FunctionalBody:
    """The body that inspects for ``unit``: its own mark or its nearest marked parent's
    (a unit under the Ministry of Defence is one of its units); the police otherwise."""
    seen = set()
    while unit is not None and unit.id not in seen:
        if unit.functional_body:
            return FunctionalBody(unit.functional_body)
        seen.add(unit.id)
        unit = parent_of(unit)
    return FunctionalBody.POLICE

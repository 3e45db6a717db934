"""Administration of units and venues."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec.core.auth import roles
from meetingsec.core.transactions import by_id, by_id_or_404, reloaded
from meetingsec.core.views import form_status, submit
from meetingsec.org import queries, services
from meetingsec.org.forms import UnitForm, VenueForm
from meetingsec.org.models import Unit, Venue
from meetingsec.records import queries as records_queries
from meetingsec.records import services as record_services
from meetingsec.records.forms import AgencyForm
from meetingsec.users.roles import Role

bp = Blueprint("org", __name__, url_prefix="/admin")


@bp.get("/units")
@roles(Role.ADMIN)
def unit_list():
    return render_template("org/units.html", tree=queries.unit_tree())


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def unit_edit(unit_id: int | None):
    unit = by_id_or_404(Unit, unit_id) if unit_id is not None else None
    data = (
        {"parent_id": unit.parent_id or 0, "body": unit.functional_body or ""}
        if unit and request.method == "GET"
        else None
    )
    form = UnitForm(obj=unit, data=data)
    units = queries.list_units()
    form.set_parents(units, queries.unit_paths(units), exclude_id=unit_id)
    done = submit(
        form,
        lambda: services.save_unit(
            unit,
            actor=current_user,
            name=form.name.data,
            parent=by_id(Unit, form.parent_id.data) if form.parent_id.data else None,
            active=form.active.data,
            functional_body=form.body.data or None,
        ),
        success=lambda u: _("Unit %(name)s saved.", name=u.name),
        redirect_to=lambda _u: url_for("org.unit_list"),
    )
    return done or (
        render_template("org/unit_form.html", form=form, unit=reloaded(unit)),
        form_status(form),
    )


@bp.get("/venues")
@roles(Role.ADMIN)
def venue_list():
    return render_template("org/venues.html", venues=queries.list_venues())


@bp.route("/venues/new", methods=["GET", "POST"], defaults={"venue_id": None})
@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def venue_edit(venue_id: int | None):
    venue = by_id_or_404(Venue, venue_id) if venue_id is not None else None
    form = VenueForm(obj=venue)
    done = submit(
        form,
        lambda: services.save_venue(
            venue,
            actor=current_user,
            name=form.name.data,
            address=form.address.data or "",
            at_hq=form.at_hq.data,
            closed_room=form.closed_room.data,
            active=form.active.data,
        ),
        success=lambda v: _("Venue %(name)s saved.", name=v.name),
        redirect_to=lambda _v: url_for("org.venue_list"),
    )
    return done or (
        render_template("org/venue_form.html", form=form, venue=reloaded(venue)),
        form_status(form),
    )


@bp.route("/agency", methods=["GET", "POST"])
@roles(Role.ADMIN)
def agency():
    """How the agency names itself on its records, and each record's number series."""
    settings, series = queries.agency_settings(), records_queries.number_series()
    data = None
    if request.method == "GET":
        data = {
            "parent_agency": settings.parent_agency,
            "agency": settings.agency,
            "abbreviation": settings.abbreviation,
            "place": settings.place,
            "head_position": settings.head_position,
            "head_name": settings.head_name,
        }
        for kind, row in series.items():
            data[f"symbol_{kind.value}"] = row.symbol
            data[f"next_{kind.value}"] = row.next_number
    form = AgencyForm(data=data)
    done = submit(
        form,
        lambda: record_services.save_letterhead(
            actor=current_user,
            parent_agency=form.parent_agency.data or "",
            agency=form.agency.data,
            abbreviation=form.abbreviation.data,
            place=form.place.data,
            head_position=form.head_position.data or "",
            head_name=form.head_name.data or "",
            series=form.series(),
        ),
        success=lambda _s: _("The agency's settings are saved."),
        redirect_to=lambda _s: url_for("org.agency"),
    )
    return done or (render_template("org/agency.html", form=form), form_status(form))

"""The device registry, QR labels, a meeting's device list, the technician's inspection
screen (scan → device card → inspect, install, re-check the seal) and the venue check."""

import secrets

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec.core.auth import authenticated, roles
from meetingsec.core.htmx import is_partial, redirect_after_post
from meetingsec.core.pdf import pdf_response, render_pdf
from meetingsec.core.priority import serves_a_queue
from meetingsec.core.transactions import attempt, by_id, by_id_or_404, commit, reloaded
from meetingsec.core.views import flash_refusal, form_status, page_number, scanned, submit
from meetingsec.devices import queries, services
from meetingsec.devices.forms import (
    AddDeviceForm,
    CodeForm,
    DeviceForm,
    DeviceSearchForm,
    InspectionForm,
    LabelsForm,
    MeetingDeviceFilterForm,
    SealCheckForm,
    VenueCheckForm,
)
from meetingsec.devices.models import Device, MeetingDevice
from meetingsec.meetings.access import READERS as FILE_READERS
from meetingsec.meetings.access import Reading, audited_file, get_meeting_for, readable
from meetingsec.meetings.lifecycle import Action
from meetingsec.org import queries as org_queries
from meetingsec.org.models import Unit
from meetingsec.records import queries as record_queries
from meetingsec.records import services as record_services
from meetingsec.records.choices import RecordKind
from meetingsec.records.previews import record_now
from meetingsec.users.roles import Role

bp = Blueprint("devices", __name__)

REGISTRY = (Role.ADMIN, Role.ORGANISER)


# -- registry -------------------------------------------------------------------------------


@bp.get("/devices/")
@roles(*REGISTRY)
def registry():
    form = DeviceSearchForm(request.args)
    q = form.q.data if form.validate() else ""
    page = queries.list_devices(q=q or "", page=page_number())
    kept = {d.id for d in page.items if services.can_manage_device(current_user, d.owner_unit_id)}
    return render_template(
        "devices/registry.html",
        form=form,
        page=page,
        kept=kept,
        bad=queries.bad_states([d.id for d in page.items]),
        args={"q": q} if q else {},
    ), (200 if not form.errors else 422)


@bp.route("/devices/new", methods=["GET", "POST"], defaults={"device_id": None})
@bp.route("/devices/<int:device_id>", methods=["GET", "POST"])
@roles(*REGISTRY)
def device_edit(device_id: int | None):
    device = by_id_or_404(Device, device_id) if device_id is not None else None
    services.require_device_manager(device, actor=current_user)
    data = (
        {"owner_unit_id": device.owner_unit_id or 0} if device and request.method == "GET" else None
    )
    form = DeviceForm(obj=device, data=data)
    units = org_queries.list_units(active_only=True)
    form.set_units(
        [u for u in units if services.can_manage_device(current_user, u.id)],
        none=services.can_manage_device(current_user, None),
    )
    done = submit(
        form,
        lambda: services.save_device(
            device,
            actor=current_user,
            kind=form.kind.data,
            make=form.make.data or "",
            model=form.model.data or "",
            serial=form.serial.data or "",
            owner_unit=by_id(Unit, form.owner_unit_id.data) if form.owner_unit_id.data else None,
            ban_co_yeu=form.ban_co_yeu.data,
            notes=form.notes.data or "",
            active=form.active.data if device else True,
        ),
        success=lambda d: _("Device saved. Its tag code is %(code)s.", code=d.tag_code),
        redirect_to=lambda d: url_for("devices.registry"),
    )
    return done or (
        render_template("devices/form.html", form=form, device=device),
        form_status(form),
    )


@bp.get("/devices/labels.pdf")
@roles(*REGISTRY)
def labels():
    form = LabelsForm(request.args)
    form.ids.choices = [(i, str(i)) for i in form.ids.data or []]
    devices = queries.devices_by_ids(form.ids.data or []) if form.validate() else []
    if not devices:
        flash_refusal(_("Choose at least one device."), "no_device_chosen")
        return redirect_after_post(url_for("devices.registry"))
    services.require_labels(devices, actor=current_user)
    data = render_pdf("records/pdf/labels.html", devices=devices)
    commit(lambda: services.open_labels(devices, actor=current_user))
    return pdf_response(data, "nhan-qr-thiet-bi.pdf")


# -- a meeting's devices ---------------------------------------------------------------------


def _md(meeting, md_id: int) -> MeetingDevice:
    return queries.get_meeting_device(meeting.id, md_id) or abort(404)


@bp.route("/meetings/<int:meeting_id>/devices/", methods=["GET", "POST"])
@authenticated
def meeting_devices(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = AddDeviceForm()
    if request.method == "POST":
        if not current_user.has_role(Role.ORGANISER):
            abort(403)
        done = submit(
            form,
            lambda: services.add_device(
                meeting, services.find_device(form.code.data), actor=current_user
            ),
            success=lambda md: _("%(name)s added.", name=md.device.name),
            redirect_to=lambda md: url_for("devices.meeting_devices", meeting_id=meeting_id),
        )
        if done:
            return done
    return _devices_page(meeting, form, form_status(form))


def _devices_page(meeting, form, status):
    """The meeting's device list, a page at a time; an htmx request of its filter gets only
    the results."""
    filters = MeetingDeviceFilterForm(request.args)
    valid = filters.validate()
    devices = queries.devices_page(
        meeting.id,
        page=page_number(),
        **({"q": filters.q.data or "", "show": filters.show.data or ""} if valid else {}),
    )
    organising = current_user.id == meeting.organiser_id and meeting.status.allows(Action.EDIT)
    results = {
        "meeting": meeting,
        "filters": filters,
        "devices": devices,
        "organising": organising,
        "reads": readable(current_user, meeting),
        "args": {k: v for k, v in request.args.items() if k != "page"},
    }
    status = status if valid else 422
    if is_partial() and request.method == "GET":
        return render_template("devices/_results.html", **results), status
    return render_template(
        "devices/meeting.html",
        **results,
        form=form,
        registry=queries.active_devices() if organising else [],
        attention=queries.count_needing_action(meeting.id),
    ), status


@bp.post("/meetings/<int:meeting_id>/devices/<int:md_id>/remove")
@roles(Role.ORGANISER)
def remove_device(meeting_id: int, md_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    md = _md(meeting, md_id)
    _result, err = attempt(lambda: services.remove_device(meeting, md, actor=current_user))
    if err:
        flash_refusal(err.message, err.code)
    else:
        flash(_("Device removed from the list."), "success")
    return redirect_after_post(url_for("devices.meeting_devices", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/devices/<int:md_id>/withdraw")
@roles(Role.ORGANISER)
def withdraw_device(meeting_id: int, md_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    md = _md(meeting, md_id)
    _result, err = attempt(lambda: services.withdraw_device(meeting, md, actor=current_user))
    if err:
        flash_refusal(err.message, err.code)
    else:
        flash(_("%(name)s withdrawn from the meeting.", name=md.device.name), "success")
    return redirect_after_post(url_for("devices.meeting_devices", meeting_id=meeting_id))


@bp.post("/meetings/<int:meeting_id>/devices/<int:md_id>/replace")
@roles(Role.ORGANISER)
def replace_device(meeting_id: int, md_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    md = _md(meeting, md_id)
    form = AddDeviceForm()
    if not form.validate_on_submit():
        flash_refusal(_("Scan or type the tag code of the device that replaces it."), "bad_code")
        return redirect_after_post(url_for("devices.meeting_devices", meeting_id=meeting_id))
    new, err = attempt(
        lambda: services.replace_device(
            meeting, md, services.find_device(form.code.data), actor=current_user
        )
    )
    if err:
        flash_refusal(err.message, err.code)
    else:
        flash(
            _(
                "%(old)s withdrawn; %(new)s added in its place.",
                old=md.device.name,
                new=new.device.name,
            ),
            "success",
        )
    return redirect_after_post(url_for("devices.meeting_devices", meeting_id=meeting_id))


# -- the technician's screen -----------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/inspection")
@roles(Role.TECHNICIAN)
def inspection(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = CodeForm(request.args)
    found = scanned(
        form,
        lambda code: services.meeting_device_for(meeting, code),
        lambda md: url_for("devices.card", meeting_id=meeting_id, md_id=md.id),
    )
    if found:
        return found
    status = 422 if form.errors or form.form_errors else 200
    queries.load_devices(meeting)
    return render_template("devices/inspection.html", meeting=meeting, form=form), status


def _card(meeting, md, *, inspect_form=None, seal_form=None, status=200):
    reloaded(meeting)  # a refused inspection or seal check rolled back: both expired
    reloaded(md)
    key = secrets.token_urlsafe(16)
    latest = md.latest_inspection
    inspect_form = inspect_form or InspectionForm(
        formdata=None,
        key=key,
        based_on=latest.id if latest else 0,
    )
    seal_form = seal_form or SealCheckForm(
        formdata=None, prefix="seal", key=secrets.token_urlsafe(16)
    )
    return render_template(
        "devices/card.html",
        meeting=meeting,
        md=md,
        inspect_form=inspect_form,
        seal_form=seal_form,
        scan_form=CodeForm(formdata=None),
    ), status


@bp.get("/meetings/<int:meeting_id>/inspection/<int:md_id>")
@roles(Role.TECHNICIAN)
def card(meeting_id: int, md_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    return _card(meeting, _md(meeting, md_id))


@bp.post("/meetings/<int:meeting_id>/inspection/<int:md_id>")
@roles(Role.TECHNICIAN)
def inspect(meeting_id: int, md_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    md = _md(meeting, md_id)
    form = InspectionForm()
    done = submit(
        form,
        lambda: services.record_inspection(
            meeting,
            md,
            actor=current_user,
            result=form.result.data,
            seal_number=form.seal_number.data or "",
            notes=form.notes.data or "",
            key=form.key.data,
            based_on=form.based_on.data or 0,
        ),
        success=lambda i: _("Inspection of %(name)s recorded.", name=md.device.name),
        redirect_to=lambda i: url_for("devices.card", meeting_id=meeting_id, md_id=md_id),
    )
    return done or _card(meeting, md, inspect_form=form, status=form_status(form))


@bp.post("/meetings/<int:meeting_id>/inspection/<int:md_id>/install")
@roles(Role.TECHNICIAN)
def install(meeting_id: int, md_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    md = _md(meeting, md_id)
    _result, err = attempt(lambda: services.install(meeting, md, actor=current_user))
    if err:
        flash_refusal(err.message, err.code)
    else:
        flash(_("Marked installed."), "success")
    return redirect_after_post(url_for("devices.card", meeting_id=meeting_id, md_id=md_id))


@bp.post("/meetings/<int:meeting_id>/inspection/<int:md_id>/uninstall")
@roles(Role.TECHNICIAN)
def uninstall(meeting_id: int, md_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    md = _md(meeting, md_id)
    _result, err = attempt(lambda: services.uninstall(meeting, md, actor=current_user))
    if err:
        flash_refusal(err.message, err.code)
    else:
        flash(_("Marked uninstalled."), "success")
    return redirect_after_post(url_for("devices.card", meeting_id=meeting_id, md_id=md_id))


@bp.post("/meetings/<int:meeting_id>/inspection/<int:md_id>/seal")
@roles(Role.TECHNICIAN)
def seal(meeting_id: int, md_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    md = _md(meeting, md_id)
    form = SealCheckForm(prefix="seal")
    done = submit(
        form,
        lambda: services.check_seal(
            meeting,
            md,
            actor=current_user,
            seal_number=form.seal_number.data,
            intact=form.state.data == "intact",
            key=form.key.data,
        ),
        success=lambda c: (
            _("Seal checked: it matches.")
            if c.ok
            else _(
                "The seal does not match or is broken: an incident was recorded; "
                "inspect the device again with a new seal."
            )
        ),
        category=lambda c: "success" if c.ok else "warning",
        redirect_to=lambda c: url_for("devices.card", meeting_id=meeting_id, md_id=md_id),
    )
    return done or _card(meeting, md, seal_form=form, status=form_status(form))


@bp.route("/meetings/<int:meeting_id>/venue-check", methods=["GET", "POST"])
@roles(Role.TECHNICIAN)
def venue_check(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = VenueCheckForm(key=secrets.token_urlsafe(16))
    done = submit(
        form,
        lambda: services.record_venue_check(
            meeting,
            actor=current_user,
            result=form.result.data,
            inside_notes=form.inside_notes.data,
            outside_notes=form.outside_notes.data,
            key=form.key.data,
        ),
        success=lambda c: _("Venue check recorded."),
        redirect_to=lambda c: url_for("meetings.detail", meeting_id=meeting_id),
    )
    if done:
        return done
    queries.load_venue_checks(meeting)
    return (
        render_template(
            "devices/venue_check.html",
            meeting=meeting,
            form=form,
            reads=readable(current_user, meeting),
        ),
        form_status(form),
    )


# -- records ---------------------------------------------------------------------------------


def _device_record(meeting, kind: RecordKind) -> bytes:
    """The frozen version once the meeting is closed (read as every stored record is,
    ``records.services.open_record``), else made now; the download is audited either way."""
    if record_queries.frozen(meeting, kind) is not None:
        rec, err = attempt(
            lambda: record_services.open_record(
                meeting, kind, actor=current_user, reading=Reading.DEVICE_RECORDS
            )
        )
        if err is not None:
            abort(403 if err.status == 403 else 404)
        return rec.data
    return audited_file(
        meeting,
        Reading.DEVICE_RECORDS,
        lambda: record_now(kind, meeting),
        actor=current_user,
        data={"kind": kind.value},
    )


@bp.get("/meetings/<int:meeting_id>/records/devices.pdf")
@roles(*FILE_READERS[Reading.DEVICE_RECORDS])
def inspection_record(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    return pdf_response(
        _device_record(meeting, RecordKind.INSPECTION),
        RecordKind.INSPECTION.entry.download_name(meeting.id),
    )


@bp.get("/meetings/<int:meeting_id>/records/venue.pdf")
@roles(*FILE_READERS[Reading.DEVICE_RECORDS])
def venue_record(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    if not queries.venue_checks_of(meeting):
        abort(404)
    return pdf_response(
        _device_record(meeting, RecordKind.VENUE_CHECK),
        RecordKind.VENUE_CHECK.entry.download_name(meeting.id),
    )


# The door comes first: record layouts pause while people wait here (core.priority)
serves_a_queue(bp, ("inspection", "card", "inspect", "install", "uninstall", "seal"))

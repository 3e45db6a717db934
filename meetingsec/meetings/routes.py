"""Meeting pages: list, create and edit, the checklist, approval, the gate, transitions."""

import secrets

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec.checklists import queries as checklist_queries
from meetingsec.checklists import services as checklist
from meetingsec.core.auth import authenticated, roles
from meetingsec.core.db import utcnow
from meetingsec.core.htmx import is_partial, redirect_after_post
from meetingsec.core.i18n import local_date, to_local, to_utc
from meetingsec.core.transactions import attempt, by_id, reloaded
from meetingsec.core.views import flash_refusal, form_status, page_number, submit
from meetingsec.devices import queries as device_queries
from meetingsec.documents import queries as document_queries
from meetingsec.door import queries as door_queries
from meetingsec.legal.choices import Phase
from meetingsec.meetings import queries, room_seals, services
from meetingsec.meetings.access import Reading, allowed_actions, get_meeting_for
from meetingsec.meetings.forms import (
    ApproveForm,
    CancelForm,
    DeviceDecisionForm,
    MeetingFilterForm,
    MeetingForm,
    RoomFoundForm,
    RoomSealForm,
)
from meetingsec.meetings.models import Meeting
from meetingsec.org.models import Unit, Venue
from meetingsec.records import queries as record_queries
from meetingsec.users.models import User
from meetingsec.users.roles import Role
from meetingsec.workflows import services as workflows

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


def list_context(role: Role | None):
    """The filtered, paginated meetings of a role's home (or of all visible meetings).
    With invalid filters the template shows the errors, not the list."""
    form = MeetingFilterForm(request.args)
    valid = form.validate()
    page = queries.list_meetings(
        current_user,
        role=role,
        today=local_date(utcnow()),
        page=page_number(),
        loads=checklist_queries.checklist_loads(),
        **(
            {
                "status": form.status.data or "",
                "date_from": form.date_from.data,
                "date_to": form.date_to.data,
            }
            if valid
            else {}
        ),
    )
    return {
        "filter_form": form,
        "page": page,
        "readiness": record_queries.readiness_by_meeting(page.items),
        "args": {k: v for k, v in request.args.items() if k != "page"},
        "list_endpoint": "home.role_home" if role else "meetings.index",
        "list_args": {"role": role.value} if role else {},
    }


@bp.get("/")
@authenticated
def index():
    ctx = list_context(None)
    return render_template("meetings/_list.html" if is_partial() else "meetings/index.html", **ctx)


def _data(form: MeetingForm) -> services.MeetingData:
    def users(ids):
        return [by_id(User, i) for i in ids or []]

    return services.MeetingData(
        title=form.title.data,
        kind=form.kind.data,
        classification=form.classification.data,
        format=form.format.data,
        starts_at=to_utc(form.starts_at.data),
        ends_at=to_utc(form.ends_at.data),
        venue=by_id(Venue, form.venue_id.data),
        host_unit=by_id(Unit, form.host_unit_id.data),
        chair=by_id(User, form.chair_id.data),
        technicians=users(form.technician_ids.data),
        clerks=users(form.clerk_ids.data),
        recording_planned=form.recording_planned.data,
        identity_check=form.identity_check.data,
        invitations_secret=form.invitations_secret.data,
        foreign_participation=form.foreign_participation.data,
        foreign_consent_by=form.foreign_consent_by.data or "",
        foreign_consent_number=form.foreign_consent_number.data or "",
        foreign_consent_date=form.foreign_consent_date.data,
    )


def _meeting_form(meeting: Meeting | None = None) -> MeetingForm:
    form = MeetingForm(obj=meeting)
    if meeting is not None and request.method == "GET":
        # WTForms takes `obj` over `data`: set the fields whose form value differs from the
        # model's here. Times are typed as the agency's wall-clock time, stored in UTC.
        form.starts_at.data = to_local(meeting.starts_at)
        form.ends_at.data = to_local(meeting.ends_at)
        form.technician_ids.data = sorted(meeting.member_ids("technician"))
        form.clerk_ids.data = sorted(meeting.member_ids("clerk"))
    form.set_choices(queries.form_choices())
    return form


@bp.route("/new", methods=["GET", "POST"])
@roles(Role.ORGANISER)
def create():
    form = _meeting_form()
    done = submit(
        form,
        lambda: workflows.create_meeting(_data(form), actor=current_user),
        success=lambda m: _("Meeting created. Its checklist is below."),
        redirect_to=lambda m: url_for("meetings.detail", meeting_id=m.id),
    )
    return done or (
        render_template("meetings/form.html", form=form, meeting=None),
        form_status(form),
    )


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles(Role.ORGANISER)
def edit(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = _meeting_form(meeting)
    done = submit(
        form,
        lambda: workflows.update_meeting(
            meeting, _data(form), actor=current_user, version=form.version.data
        ),
        success=lambda m: _("Meeting saved."),
        redirect_to=lambda m: url_for("meetings.detail", meeting_id=m.id),
    )
    return done or (
        render_template("meetings/form.html", form=form, meeting=reloaded(meeting)),
        form_status(form),
    )


def detail_context(meeting: Meeting) -> dict:
    queries.load_people(meeting)
    device_queries.devices_of(meeting)  # counted on the page, whichever rules apply
    views = record_queries.evaluate_checklist(meeting)
    can = allowed_actions(current_user, meeting, views)
    if can["read"][Reading.DEVICE_RECORDS]:
        device_queries.venue_checks_of(meeting)  # the venue record is linked when there is one
    return {
        "meeting": meeting,
        "views": views,
        "phases": list(Phase),
        "readiness": checklist.readiness(views),
        "blockers": checklist.blockers(views),
        "can": can,
        "ruleset_title": services.ruleset_title(meeting, str(get_locale())),
        "device_form": DeviceDecisionForm(formdata=None, policy=meeting.device_policy),
        "counters": door_queries.counters(meeting.id),
        "copy_counts": document_queries.copy_counts(meeting.id),
    }


@bp.get("/<int:meeting_id>")
@authenticated
def detail(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    return render_template("meetings/detail.html", **detail_context(meeting))


@bp.route("/<int:meeting_id>/room-seal", methods=["GET", "POST"])
@roles(Role.ORGANISER, Role.TECHNICIAN)
def room_seal(meeting_id: int):
    """A meeting of several days: the room sealed each evening, found intact next morning."""
    meeting = get_meeting_for(current_user, meeting_id)
    seal_form = RoomSealForm(prefix="seal", data={"key": secrets.token_urlsafe(16)})
    found_form = RoomFoundForm(prefix="found", data={"key": secrets.token_urlsafe(16)})
    form = found_form if request.form.get("found-key") else seal_form
    if form is seal_form:
        found_form = RoomFoundForm(prefix="found", formdata=None, key=secrets.token_urlsafe(16))
    else:
        seal_form = RoomSealForm(prefix="seal", formdata=None, key=secrets.token_urlsafe(16))
    done = submit(
        form,
        lambda: (
            room_seals.seal_room(
                meeting, actor=current_user, seal_number=form.seal_number.data, key=form.key.data
            )
            if form is seal_form
            else room_seals.find_seal(
                meeting,
                actor=current_user,
                seal_number=form.seal_number.data,
                intact=form.intact.data == "yes",
                key=form.key.data,
            )
        ),
        success=lambda s: _("Room seal recorded."),
        redirect_to=lambda s: url_for("meetings.room_seal", meeting_id=meeting_id),
    )
    seals = room_seals.seals_of(meeting.id)
    return done or (
        render_template(
            "meetings/room_seal.html",
            meeting=meeting,
            seal_form=seal_form,
            found_form=found_form,
            nights=[(d, seals.get(d)) for d in room_seals.nights(meeting)],
        ),
        form_status(form),
    )


@bp.route("/<int:meeting_id>/approve", methods=["GET", "POST"])
@roles(Role.CHAIR)
def approve(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = ApproveForm()
    done = submit(
        form,
        lambda: services.approve_meeting(
            meeting,
            actor=current_user,
            approver_name=form.approver_name.data,
            approver_position=form.approver_position.data,
            approval_number=form.approval_number.data,
            approval_date=form.approval_date.data,
        ),
        success=lambda m: _("Approval recorded. The meeting is now in preparation."),
        redirect_to=lambda m: url_for("meetings.detail", meeting_id=m.id),
    )
    return done or (
        render_template("meetings/approve.html", form=form, meeting=reloaded(meeting)),
        form_status(form),
    )


@bp.post("/<int:meeting_id>/devices")
@roles(Role.CHAIR)
def decide_devices(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = DeviceDecisionForm()
    done = submit(
        form,
        lambda: services.decide_devices(meeting, actor=current_user, policy=form.policy.data),
        success=lambda m: _("Decision on devices recorded."),
        redirect_to=lambda m: url_for("meetings.detail", meeting_id=m.id),
    )
    if done:
        return done
    ctx = detail_context(meeting)
    ctx["device_form"] = form
    return render_template("meetings/detail.html", **ctx), 422


@bp.get("/<int:meeting_id>/gate")
@authenticated
def gate(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    context = detail_context(meeting)  # evaluating the checklist loaded the devices
    return render_template(
        "meetings/gate.html", **context, bad_devices=device_queries.needing_action(meeting)
    )


def _transition(meeting_id: int, action, message: str):
    """Run a state change; on refusal go back to the gate, which shows why (a reload of
    that page repeats nothing)."""
    meeting = get_meeting_for(current_user, meeting_id)
    _result, err = attempt(lambda: action(meeting, actor=current_user))
    if err:
        flash_refusal(err.message, err.code)
        return redirect_after_post(url_for("meetings.gate", meeting_id=meeting_id))
    flash(message, "success")
    return redirect_after_post(url_for("meetings.detail", meeting_id=meeting_id))


@bp.post("/<int:meeting_id>/clear")
@roles(Role.CHAIR)
def clear(meeting_id: int):
    return _transition(meeting_id, workflows.clear_meeting, _("The meeting is cleared to start."))


@bp.post("/<int:meeting_id>/start")
@roles(Role.CHAIR)
def start(meeting_id: int):
    return _transition(meeting_id, services.start_session, _("The session has started."))


@bp.post("/<int:meeting_id>/end")
@roles(Role.CHAIR, Role.ORGANISER)
def end(meeting_id: int):
    return _transition(
        meeting_id, services.end_session, _("The session has ended; the meeting is closing.")
    )


@bp.route("/<int:meeting_id>/cancel", methods=["GET", "POST"])
@roles(Role.CHAIR, Role.ORGANISER)
def cancel(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = CancelForm()
    done = submit(
        form,
        lambda: services.cancel_meeting(meeting, actor=current_user, reason=form.reason.data),
        success=lambda m: _("The meeting has been cancelled."),
        redirect_to=lambda m: url_for("meetings.detail", meeting_id=m.id),
    )
    return done or (
        render_template("meetings/cancel.html", form=form, meeting=reloaded(meeting)),
        form_status(form),
    )

"""A meeting's records (generate in the background, watch the progress, download any
version), its .xlsx export, and the closing page (gate 2)."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec import jobs
from meetingsec.checklists import services as checklist
from meetingsec.core.auth import authenticated, roles
from meetingsec.core.htmx import is_partial, redirect_after_post
from meetingsec.core.pdf import pdf_response
from meetingsec.core.transactions import attempt, reloaded
from meetingsec.core.views import (
    apply_domain_error,
    flash_refusal,
    form_status,
    page_number,
    submit,
)
from meetingsec.documents import queries as documents
from meetingsec.door import deposits as door_deposits
from meetingsec.door import queries as door
from meetingsec.door import services as door_services
from meetingsec.legal.choices import Phase
from meetingsec.meetings.access import READERS as FILE_READERS
from meetingsec.meetings.access import Reading, audited_file, get_meeting_for
from meetingsec.meetings.lifecycle import Action, MeetingStatus
from meetingsec.records import queries, services, sheet_cache
from meetingsec.records.choices import JobState, RecordKind
from meetingsec.records.export import file_name, meeting_workbook
from meetingsec.records.forms import FIELDS, HeldFilterForm, SignersForm, UnclaimedForm
from meetingsec.records.signers import SIDES
from meetingsec.users.roles import Role
from meetingsec.workflows import services as workflows

bp = Blueprint("records", __name__, url_prefix="/meetings/<int:meeting_id>")

#: Who reads a meeting's records (on that meeting: meetings.access) and who makes them
READERS = tuple(FILE_READERS[Reading.RECORDS])
MAKERS = (Role.ORGANISER, Role.CHAIR)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reader(meeting):
    if not services.can_read(current_user, meeting):
        abort(403)


def _kind(value: str) -> RecordKind:
    try:
        return RecordKind(value)
    except ValueError:
        abort(404)


@bp.get("/records/")
@roles(*READERS)
def index(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    _reader(meeting)
    kinds = queries.kinds_for(meeting)
    return render_template(
        "records/index.html",
        meeting=meeting,
        kinds=kinds,
        latest=queries.latest_records(meeting.id),
        versions={k: queries.versions_of(meeting.id, k)[1:] for k in kinds},
        jobs=queries.active_jobs(meeting.id),
        missing=queries.missing_records(meeting),
        can_generate=services.can_generate(current_user, meeting)
        and meeting.status is not MeetingStatus.CLOSED,
    )


@bp.post("/records/<kind>")
@roles(*MAKERS)
def generate(meeting_id: int, kind: str):
    meeting = get_meeting_for(current_user, meeting_id)
    job_id, err = attempt(lambda: services.request_record(meeting, kind, actor=current_user).id)
    if err is not None:
        if err.code == "unknown_record":
            abort(404)
        flash_refusal(err.message, err.code)
    else:
        jobs.enqueue("render_record", job_id)
        flash(_("The record is being generated: its progress is shown below."), "success")
    return redirect_after_post(url_for("records.index", meeting_id=meeting_id))


@bp.route("/records/<kind>/signers", methods=["GET", "POST"])
@roles(*MAKERS)
def signers(meeting_id: int, kind: str):
    """Who signs the record, filled from the meeting, changed before generating it."""
    meeting = get_meeting_for(current_user, meeting_id)
    kind = _kind(kind)
    if kind not in queries.kinds_for(meeting) or not services.can_generate(current_user, meeting):
        abort(404)
    blocks = queries.signers_of(meeting, kind)
    data = None
    if request.method == "GET":
        data = {
            f"{side}_{key}": getattr(block, key)
            for side, block in zip(SIDES, blocks, strict=True)
            if block is not None
            for key in FIELDS
        }
    form = SignersForm(data=data)
    for side, block in zip(SIDES, blocks, strict=True):
        if block is None:  # the record has no signer there
            for key in FIELDS:
                delattr(form, f"{side}_{key}")
    done = submit(
        form,
        lambda: services.save_signers(meeting, kind.value, form.blocks(), actor=current_user),
        success=lambda _r: _("The signers are saved: the next version prints them."),
        redirect_to=lambda _r: url_for("records.index", meeting_id=meeting_id),
    )
    return done or (
        render_template("records/signers.html", meeting=reloaded(meeting), kind=kind, form=form),
        form_status(form),
    )


@bp.get("/records/jobs/<int:job_id>")
@roles(*READERS)
def job(meeting_id: int, job_id: int):
    """A job's progress (polled by the records page); a finished job reloads the page."""
    meeting = get_meeting_for(current_user, meeting_id)
    _reader(meeting)
    job = queries.get_job(meeting.id, job_id) or abort(404)
    state = JobState(job.state)
    resp = make_response(
        render_template("records/_job.html", meeting=meeting, job=job, state=state)
    )
    if state in (JobState.DONE, JobState.FAILED) and is_partial():
        resp.headers["HX-Refresh"] = "true"
    return resp


@bp.get("/records/<kind>.pdf")
@roles(*READERS)
def download(meeting_id: int, kind: str):
    meeting = get_meeting_for(current_user, meeting_id)
    kind = _kind(kind)
    version = request.args.get("version", type=int)
    if version is not None and not 0 < version < 100_000:
        abort(404)
    rec, err = attempt(
        lambda: services.open_record(meeting, kind, actor=current_user, version=version)
    )
    if err is not None:
        abort(403 if err.status == 403 else 404)
    return pdf_response(rec.data, kind.entry.download_name(meeting.id, rec.version))


@bp.get("/export.xlsx")
@roles(*FILE_READERS[Reading.EXPORT])
def export(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    data = audited_file(
        meeting,
        Reading.EXPORT,
        lambda: meeting_workbook(meeting),
        actor=current_user,
        data={"what": "xlsx"},
    )
    return Response(
        data,
        mimetype=XLSX,
        headers={
            "Content-Disposition": "attachment; filename="
            + file_name(meeting.classification, f"cuoc-hop-{meeting.id}.xlsx")
        },
    )


# -- closing (gate 2) ------------------------------------------------------------------------------


def _closing_page(meeting, form=None, status=200):
    """The closing page; the items still held and the copies still out a page at a time
    (an htmx request of the items' filter gets only them)."""
    filters = HeldFilterForm(request.args)
    valid = filters.validate()
    held = door.held_page(
        meeting.id, page=page_number("held"), q=(filters.q.data or "") if valid else ""
    )
    form = form or UnclaimedForm(formdata=None, deposit_ids=[d.id for d in held.items])
    form.deposit_ids.choices = [
        (
            d.id,
            _(
                "Slot %(slot)d: %(kind)s of %(name)s",
                slot=d.slot,
                kind=d.kind_title,
                name=d.attendee.full_name,
            ),
        )
        for d in held.items
    ]
    closing = meeting.status.allows(Action.CLOSE)
    results = {
        "meeting": meeting,
        "filters": filters,
        "held": held,
        "form": form,
        "can_unclaim": closing and door_services.is_desk(current_user, meeting),
        "args": dict(request.args),
    }
    status = status if valid else 422
    if is_partial() and request.method == "GET":
        return render_template("records/_held.html", **results), status
    views = queries.evaluate_checklist(meeting)
    is_lead = current_user.id in (meeting.chair_id, meeting.organiser_id)
    return render_template(
        "records/closing.html",
        **results,
        after=[v for v in views if v.rule.phase is Phase.AFTER],
        blocking=checklist.blockers(views, Phase.AFTER),
        outstanding=documents.copies_page(
            meeting.id, page=page_number("copies"), state="handed_out"
        ),
        missing=queries.missing_records(meeting),
        can_close=is_lead and closing,
        can_read=services.can_read(current_user, meeting),
    ), status


@bp.get("/closing")
@authenticated
def closing(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    return _closing_page(meeting)


@bp.post("/closing/unclaimed")
@roles(Role.ORGANISER, Role.CLERK)
def unclaimed(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = UnclaimedForm()
    form.deposit_ids.choices = [(d.id, str(d.id)) for d in door.held_deposits(meeting.id)]
    if not form.validate_on_submit():
        return _closing_page(meeting, form, 422)
    items, err = attempt(
        lambda: door_deposits.record_unclaimed(
            meeting, actor=current_user, deposit_ids=form.deposit_ids.data, note=form.note.data
        )
    )
    if err is not None:
        apply_domain_error(form, err)
        return _closing_page(meeting, form, err.status if err.status == 403 else 422)
    flash(_("%(n)d item(s) recorded as unclaimed.", n=len(items)), "success")
    return redirect_after_post(url_for("records.closing", meeting_id=meeting_id))


@bp.post("/close")
@roles(Role.ORGANISER, Role.CHAIR)
def close(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    _m, err = attempt(lambda: workflows.close_meeting(meeting, actor=current_user))
    if err is not None:
        flash_refusal(err.message, err.code)
        return redirect_after_post(url_for("records.closing", meeting_id=meeting_id))
    # its records are final: the sheet's parts laid out ahead go (the worker's sweep drops
    # them too, where it keeps them in another instance folder)
    sheet_cache.SheetCache(current_app.instance_path, meeting_id).drop()
    flash(_("The meeting is closed. Its records are frozen."), "success")
    return redirect_after_post(url_for("meetings.detail", meeting_id=meeting_id))

"""The attendee list: add, import, remove, the chair's approval, invitations."""

import io

from flask import Blueprint, Response, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from meetingsec.attendees import importing, queries, services
from meetingsec.attendees.forms import (
    ApproveListForm,
    AttendeeFilterForm,
    AttendeeForm,
    ConfirmImportForm,
    ConvertForm,
    ImportForm,
    RemoveForm,
    columns_form,
)
from meetingsec.attendees.limits import too_large_a_file
from meetingsec.attendees.tables import SKIPPED, Meaning
from meetingsec.core.auth import authenticated, roles
from meetingsec.core.db import reads_first
from meetingsec.core.errors import NotAllowed, error_response
from meetingsec.core.htmx import is_partial, redirect_after_post
from meetingsec.core.pdf import pdf_response
from meetingsec.core.transactions import attempt, outside_transaction, reloaded
from meetingsec.core.views import (
    apply_domain_error,
    flash_form_expired,
    flash_refusal,
    form_status,
    page_number,
    submit,
)
from meetingsec.door import queries as door_queries
from meetingsec.meetings.access import READERS as FILE_READERS
from meetingsec.meetings.access import Reading, audited_file, get_meeting_for, readable
from meetingsec.records.previews import invitations_pdf
from meetingsec.users.roles import Role
from meetingsec.workflows import services as workflows

bp = Blueprint("attendees", __name__)


def _attendee(meeting, attendee_id: int):
    attendee = queries.get_attendee(meeting.id, attendee_id)
    if attendee is None:
        abort(404)
    return attendee


def _list_page(meeting, form, status=200):
    """The list page; an htmx request of its filter gets only the results."""
    filters = AttendeeFilterForm(request.args)
    valid = filters.validate()
    page = queries.list_page(
        meeting.id,
        page=page_number(),
        **({"q": filters.q.data or "", "show": filters.show.data or ""} if valid else {}),
    )
    results = {
        "meeting": meeting,
        "page": page,
        "filters": filters,
        "args": {k: v for k, v in request.args.items() if k != "page"},
        "check_ins": door_queries.check_ins_by_attendee(meeting.id, [a.id for a in page.items]),
        "is_organiser": current_user.id == meeting.organiser_id,
        "reads": readable(current_user, meeting),
        "list_open": services.list_open(meeting),
    }
    if not valid and status == 200:
        status = 422
    if is_partial() and request.method == "GET":
        return render_template("attendees/_results.html", **results), status
    counters = door_queries.counters(meeting.id)
    is_chair = current_user.id == meeting.chair_id
    # The chair approves the changes the page shows: only the chair's page reads them all.
    additions, removals = (
        services.pending_changes(meeting.id)
        if is_chair and counters.pending + counters.removals
        else ([], [])
    )
    return render_template(
        "attendees/list.html",
        **results,
        form=form,
        additions=additions,
        removals=removals,
        approve_form=ApproveListForm(
            formdata=None, seen=services.shown_changes(additions, removals)
        ),
        invitation_parts=invitation_parts(counters.expected),
        counters=counters,
        is_chair=is_chair,
    ), status


@bp.route("/meetings/<int:meeting_id>/attendees/", methods=["GET", "POST"])
@authenticated
def index(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = AttendeeForm()
    if request.method == "POST":
        done = submit(
            form,
            lambda: services.add_attendee(meeting, form.values(), actor=current_user),
            success=lambda a: _("%(name)s added: awaiting the chair's approval.", name=a.full_name),
            redirect_to=lambda a: url_for("attendees.index", meeting_id=meeting_id),
        )
        if done:
            return done
    return _list_page(meeting, form, form_status(form))


@bp.route("/meetings/<int:meeting_id>/attendees/<int:attendee_id>/remove", methods=["GET", "POST"])
@roles(Role.ORGANISER)
def remove(meeting_id: int, attendee_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = _attendee(meeting, attendee_id)
    form = RemoveForm()
    done = submit(
        form,
        lambda: services.remove_attendee(
            meeting, attendee, actor=current_user, reason=form.reason.data or ""
        ),
        success=lambda a: (
            _("%(name)s removed from the list.", name=a.full_name)
            if a.removed_at
            else _("Removal of %(name)s requested: the chair approves it.", name=a.full_name)
        ),
        redirect_to=lambda a: url_for("attendees.index", meeting_id=meeting_id),
    )
    return done or (
        render_template(
            "attendees/remove.html",
            meeting=reloaded(meeting),
            attendee=reloaded(attendee),
            form=form,
        ),
        form_status(form),
    )


@bp.post("/meetings/<int:meeting_id>/attendees/approve")
@roles(Role.CHAIR)
def approve(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = ApproveListForm()
    if not form.validate_on_submit():
        flash_form_expired()
        return redirect_after_post(url_for("attendees.index", meeting_id=meeting_id))
    result, err = attempt(
        lambda: services.approve_list(meeting, actor=current_user, seen=form.seen.data or "")
    )
    if err is not None:
        flash_refusal(err.message, err.code)
    else:
        flash(
            _(
                "List approved: %(added)d added, %(removed)d removed.",
                added=result[0],
                removed=result[1],
            ),
            "success",
        )
    return redirect_after_post(url_for("attendees.index", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>/attendees/import", methods=["GET", "POST"])
@reads_first  # the upload arrives and is read with no lock held: only the save writes
@roles(Role.ORGANISER)
def upload(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = ImportForm()
    err = None
    if form.validate_on_submit():
        name, data = form.file.data.filename or "", form.file.data.read(importing.MAX_BYTES + 1)
        read, err = outside_transaction(
            lambda: importing.read_upload(meeting, actor=current_user, filename=name, data=data)
        )
        if err is None:
            batch, err = attempt(
                lambda: importing.stage_import(
                    meeting, actor=current_user, filename=name, read=read
                )
            )
        if err is None:
            return redirect_after_post(
                url_for("attendees.preview", meeting_id=meeting_id, batch_id=batch.id)
            )
        apply_domain_error(form, err)
    return _import_page(meeting, form, form_status(form))


def _import_page(meeting, form, status):
    return render_template(
        "attendees/import.html",
        meeting=meeting,
        form=form,
        expected=importing.expected_headers(),
        max_rows=importing.MAX_ROWS,
    ), status


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_err):
    """A file past the request's limit: on the import page, refused beside its field like
    any file too large (what to do next included), not on an error page."""
    if request.endpoint != "attendees.upload":
        return error_response(413)
    meeting = get_meeting_for(current_user, request.view_args["meeting_id"])
    form = ImportForm(formdata=None)
    apply_domain_error(form, too_large_a_file())
    return _import_page(meeting, form, 413)


def _batch(meeting, batch_id: int):
    batch = queries.get_import(meeting.id, batch_id)
    if batch is None:
        abort(404)
    return batch


@bp.route("/meetings/<int:meeting_id>/attendees/import/<int:batch_id>", methods=["GET", "POST"])
@roles(Role.ORGANISER)
def preview(meeting_id: int, batch_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    batch = _batch(meeting, batch_id)
    form = ConfirmImportForm()
    done = submit(
        form,
        lambda: importing.confirm_import(meeting, batch, actor=current_user),
        success=lambda n: _("%(n)d attendee(s) imported: they await the chair's approval.", n=n),
        redirect_to=lambda n: url_for("attendees.index", meeting_id=meeting_id),
    )
    if done:
        return done
    found, checks, state = importing.preview(meeting, batch)
    return render_template(
        "attendees/preview.html",
        meeting=meeting,
        batch=batch,
        form=form,
        convert_form=ConvertForm(formdata=None),
        found=found,
        tcvn3=state.get("tcvn3"),
        checks=checks,
        good=sum(c.ok for c in checks),
        skipped_reasons=SKIPPED,
        meanings=Meaning.LABELS,
    ), form_status(form)


@bp.route(
    "/meetings/<int:meeting_id>/attendees/import/<int:batch_id>/columns", methods=["GET", "POST"]
)
@roles(Role.ORGANISER)
def columns(meeting_id: int, batch_id: int):
    """The mapping step: the organiser says what each column of the file means."""
    meeting = get_meeting_for(current_user, meeting_id)
    batch = _batch(meeting, batch_id)
    found, _state = importing.understood(batch)
    form = columns_form(found.columns, request.form if request.method == "POST" else None)
    done = submit(
        form,
        lambda: importing.choose_columns(meeting, batch, form.meanings(), actor=current_user),
        success=lambda _r: _("Columns chosen: they are used for the next file like this one."),
        redirect_to=lambda _r: url_for(
            "attendees.preview", meeting_id=meeting_id, batch_id=batch_id
        ),
    )
    if done:
        return done
    return render_template(
        "attendees/columns.html",
        meeting=reloaded(meeting),
        batch=reloaded(batch),
        form=form,
        found=found,
        samples={c.index: found.samples(c.index) for c in found.columns},
    ), form_status(form)


@bp.post("/meetings/<int:meeting_id>/attendees/import/<int:batch_id>/convert")
@roles(Role.ORGANISER)
def convert(meeting_id: int, batch_id: int):
    """Convert the file's TCVN3 (.VnTime) text to Unicode."""
    meeting = get_meeting_for(current_user, meeting_id)
    batch = _batch(meeting, batch_id)
    form = ConvertForm()
    if not form.validate_on_submit():
        flash_form_expired()
    else:
        _r, err = attempt(lambda: importing.convert_tcvn3(meeting, batch, actor=current_user))
        if err is not None:
            flash_refusal(err.message, err.code)
        else:
            flash(_("The text was converted from TCVN3 to Unicode: check the names."), "success")
    return redirect_after_post(
        url_for("attendees.preview", meeting_id=meeting_id, batch_id=batch_id)
    )


@bp.get("/meetings/<int:meeting_id>/attendees/template.xlsx")
@roles(Role.ORGANISER)
def template(meeting_id: int):
    get_meeting_for(current_user, meeting_id)
    out = io.BytesIO()
    importing.template_workbook().save(out)
    return Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=mau-danh-sach-nguoi-du.xlsx"},
    )


#: Invitations per file: ~40 ms each to render, so a part stays well inside a request's
#: time (gunicorn kills a worker after 30 s; 2,000 in one file would take ~80 s)
INVITATIONS_PER_FILE = 200


def invitation_parts(count: int) -> list[tuple[int, int, int]]:
    """(part, first, last) numbers of the invitation files for ``count`` people."""
    return [
        (i // INVITATIONS_PER_FILE + 1, i + 1, min(i + INVITATIONS_PER_FILE, count))
        for i in range(0, count, INVITATIONS_PER_FILE)
    ]


def _invitations_pdf(meeting, people, back: str):
    """The invitations of ``people``: they carry entry QR codes (audited). When they carry
    the secret content they are first issued as numbered copies; a refusal goes back to
    ``back`` with its message."""
    copies, err = attempt(lambda: workflows.issue_invitations(meeting, people, actor=current_user))
    if isinstance(err, NotAllowed):
        raise err  # the 403 page
    if err is not None:
        flash_refusal(err.message, err.code)
        return redirect_after_post(back)
    return audited_file(
        meeting,
        Reading.INVITATIONS,
        lambda: invitations_pdf(meeting, people, copies),
        actor=current_user,
        data={"attendee_ids": [p.id for p in people]},
    )


@bp.get("/meetings/<int:meeting_id>/attendees/invitations.pdf")
@roles(*FILE_READERS[Reading.INVITATIONS])
def invitations(meeting_id: int):
    """Every approved attendee's invitation in one file, or one part of at most
    ``INVITATIONS_PER_FILE`` (``?part=2``) for a big list."""
    meeting = get_meeting_for(current_user, meeting_id)
    people = [a for a in services.active_attendees(meeting.id) if a.admitted]
    if not people:
        flash_refusal(
            _("No approved attendee yet: invitations are made for approved people."),
            "no_admitted_attendee",
        )
        return redirect_after_post(url_for("attendees.index", meeting_id=meeting_id))
    back = url_for("attendees.index", meeting_id=meeting_id)
    part = request.args.get("part", 1, type=int)
    parts = invitation_parts(len(people))
    if not 1 <= part <= len(parts):
        abort(404)
    _n, first, last = parts[part - 1]
    name = f"giay-moi-{meeting.id}" + (f"-{first}-{last}" if len(parts) > 1 else "")
    data = _invitations_pdf(meeting, people[first - 1 : last], back)
    return data if isinstance(data, Response) else pdf_response(data, f"{name}.pdf")


@bp.get("/meetings/<int:meeting_id>/attendees/<int:attendee_id>/invitation.pdf")
@roles(*FILE_READERS[Reading.INVITATIONS])
def invitation(meeting_id: int, attendee_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = _attendee(meeting, attendee_id)
    if not attendee.admitted:
        abort(404)
    data = _invitations_pdf(meeting, [attendee], url_for("attendees.index", meeting_id=meeting_id))
    if isinstance(data, Response):
        return data
    return pdf_response(data, f"giay-moi-{meeting.id}-{attendee.id}.pdf")

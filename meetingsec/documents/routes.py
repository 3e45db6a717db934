"""Secret documents: the register and its copies' QR labels, handing copies out
(scan the invitation, then each copy), recovering them (scan the copy), reporting a loss."""

import secrets

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec.attendees import queries as attendee_queries
from meetingsec.core.auth import authenticated, roles
from meetingsec.core.db import reads_first
from meetingsec.core.htmx import is_partial, redirect_after_post
from meetingsec.core.pdf import pdf_response, render_pdf
from meetingsec.core.priority import serves_a_queue
from meetingsec.core.transactions import attempt, reloaded
from meetingsec.core.views import (
    MAX_ID,
    apply_domain_error,
    flash_form_expired,
    flash_refusal,
    form_status,
    page_number,
    scanned,
    submit,
)
from meetingsec.documents import queries, services
from meetingsec.documents.forms import (
    AttendeeCodeForm,
    AuthorisationForm,
    CopyCodeForm,
    CopyFilterForm,
    DocumentForm,
    InvitationBackForm,
    LostForm,
)
from meetingsec.door import services as door
from meetingsec.meetings.access import READERS as FILE_READERS
from meetingsec.meetings.access import Reading, audited_file, get_meeting_for, readable
from meetingsec.meetings.lifecycle import Action
from meetingsec.users.roles import Role
from meetingsec.workflows import services as workflows

bp = Blueprint("documents", __name__, url_prefix="/meetings/<int:meeting_id>/documents")

#: Who hands copies out and takes them back: the organiser's desk and the door
DESK = (Role.ORGANISER, Role.CLERK)

#: 409: someone else (another tablet) did it first
ALREADY = 409


def _key() -> str:
    return secrets.token_urlsafe(16)


def _can(meeting) -> dict:
    status = meeting.status
    organiser = current_user.id == meeting.organiser_id
    desk = door.is_desk(current_user, meeting)
    return {
        "register": organiser and status.allows(Action.REGISTER),
        "hand_out": desk and status.allows(Action.HAND_OUT),
        "recover": desk and status.allows(Action.RECOVER),
        "report_lost": organiser and status.allows(Action.RECOVER),
    }


def _last_copy(meeting):
    copy_id = request.args.get("last", type=int)
    if copy_id is None or not 0 < copy_id <= MAX_ID:
        return None
    return queries.get_copy(meeting.id, copy_id)


@bp.route("/", methods=["GET", "POST"])
@authenticated
def index(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = DocumentForm(classification=meeting.classification)
    done = submit(
        form,
        lambda: workflows.register_document(
            meeting,
            actor=current_user,
            number=form.number.data,
            title=form.title.data,
            classification=form.classification.data,
            copy_count=form.copy_count.data,
            copy_authorisation=form.copy_authorisation.data or "",
        ),
        success=lambda d: _(
            "Document %(number)s registered: copies 1 to %(n)d numbered. Print their labels.",
            number=d.number,
            n=d.copy_count,
        ),
        redirect_to=lambda d: url_for("documents.index", meeting_id=meeting_id),
    )
    if done:
        return done
    documents = queries.documents_of(meeting.id, with_copies=False)
    filters = CopyFilterForm(request.args)
    filters.set_documents(documents)
    valid = filters.validate()
    copies = queries.copies_page(
        meeting.id,
        page=page_number(),
        **(
            {"document_id": filters.document.data or 0, "state": filters.state.data or ""}
            if valid
            else {}
        ),
    )
    results = {
        "meeting": meeting,
        "filters": filters,
        "copies": copies,
        "args": {k: v for k, v in request.args.items() if k != "page"},
    }
    status = form_status(form) if valid else 422
    if is_partial() and request.method == "GET":
        return render_template("documents/_copies.html", **results), status
    return render_template(
        "documents/index.html",
        **results,
        form=form,
        documents=documents,
        counts=queries.copy_counts(meeting.id),
        can=_can(meeting),
        reads=readable(current_user, meeting),
        auth_forms={d.id: _auth_form(d.id, formdata=None) for d in documents},
    ), status


def _auth_form(document_id: int, **kw) -> AuthorisationForm:
    """One form per document on the page: its fields' ids name the document."""
    return AuthorisationForm(prefix=f"d{document_id}", **kw)


@bp.post("/<int:document_id>/authorisation")
@authenticated
def authorise(meeting_id: int, document_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    document = queries.get_document(meeting.id, document_id) or abort(404)
    form = _auth_form(document.id)
    if form.validate_on_submit():
        _doc, err = attempt(
            lambda: services.authorise_copies(
                meeting, document, actor=current_user, text=form.copy_authorisation.data
            )
        )
        if err is None:
            flash(
                _("Permission to copy recorded for %(number)s.", number=document.number), "success"
            )
        else:
            flash_refusal(err.message, err.code)
    else:
        for errors in form.errors.values():
            for e in errors:
                flash_refusal(e, getattr(e, "code", "invalid"))
    return redirect_after_post(url_for("documents.index", meeting_id=meeting_id))


@bp.get("/<int:document_id>/labels.pdf")
@roles(*FILE_READERS[Reading.COPY_LABELS])
def labels(meeting_id: int, document_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    document = queries.get_document(meeting.id, document_id) or abort(404)
    if document.is_invitation:  # its labels are the invitations' own QR codes: no others
        abort(404)
    data = audited_file(
        meeting,
        Reading.COPY_LABELS,
        lambda: render_pdf("records/pdf/copy_labels.html", meeting=meeting, document=document),
        actor=current_user,
        obj=document,
        data={"number": document.number, "copies": document.copy_count},
    )
    return pdf_response(data, f"nhan-ban-tai-lieu-{document.id}.pdf")


# -- handing copies out --------------------------------------------------------------------------


@bp.get("/hand-out")
@roles(*DESK)
def hand_out(meeting_id: int):
    """Step 1: scan the attendee's invitation."""
    meeting = get_meeting_for(current_user, meeting_id)
    form = AttendeeCodeForm(request.args)
    found = scanned(
        form,
        lambda code: door.find_attendee(meeting, code, queries.CODE_KINDS),
        lambda a: url_for("documents.hand_out_to", meeting_id=meeting_id, attendee_id=a.id),
    )
    if found:
        return found
    return render_template(
        "documents/hand_out.html", meeting=meeting, form=form, can=_can(meeting)
    ), (422 if form.errors or form.form_errors else 200)


def _hand_out_page(meeting, attendee, form=None, status=200, notice=None):
    form = form or CopyCodeForm(formdata=None)
    return render_template(
        "documents/hand_out_to.html",
        meeting=meeting,
        attendee=attendee,
        form=form,
        key=_key(),
        last=_last_copy(meeting),
        held=[c for c in queries.copies_of(meeting.id) if c.attendee_id == attendee.id],
        can=_can(meeting),
        notice=notice,
    ), status


@bp.route("/hand-out/<int:attendee_id>", methods=["GET", "POST"])
@reads_first
@roles(*DESK)
def hand_out_to(meeting_id: int, attendee_id: int):
    """Step 2: scan each copy handed to this attendee."""
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = attendee_queries.get_attendee(meeting.id, attendee_id) or abort(404)
    if request.method == "GET":
        return _hand_out_page(meeting, attendee)
    form = CopyCodeForm()
    if not form.validate_on_submit():
        return _hand_out_page(meeting, attendee, form, 422)
    copy, err = attempt(
        lambda: (
            services.hand_out(
                meeting,
                actor=current_user,
                key=form.key.data,
                attendee_code=attendee.invitation_code,
                copy_code=form.code.data,
            ).id
        )
    )
    if isinstance(err, door.AlreadyDone):
        return _hand_out_page(meeting, attendee, status=ALREADY, notice=err.message)
    if err is not None:
        apply_domain_error(form, err)  # about the attendee: shown above the form
        return _hand_out_page(meeting, attendee, form, 422)
    return redirect_after_post(
        url_for("documents.hand_out_to", meeting_id=meeting_id, attendee_id=attendee_id, last=copy)
    )


# -- recovering them ---------------------------------------------------------------------------


def _recover_page(meeting, form=None, status=200, notice=None):
    return render_template(
        "documents/recover.html",
        meeting=meeting,
        form=form or CopyCodeForm(formdata=None),
        key=_key(),
        last=_last_copy(meeting),
        outstanding=queries.copies_of(meeting.id, outstanding=True),
        counts=queries.copy_counts(meeting.id),
        can=_can(meeting),
        notice=notice,
    ), status


@bp.route("/recover", methods=["GET", "POST"])
@reads_first
@roles(*DESK)
def recover(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    if request.method == "GET":
        return _recover_page(meeting)
    form = CopyCodeForm()
    if not form.validate_on_submit():
        return _recover_page(meeting, form, 422)
    copy, err = attempt(
        lambda: (
            services.recover(
                meeting, actor=current_user, key=form.key.data, copy_code=form.code.data
            ).id
        )
    )
    if isinstance(err, door.AlreadyDone):
        return _recover_page(meeting, status=ALREADY, notice=err.message)
    if err is not None:
        apply_domain_error(form, err)
        return _recover_page(meeting, form, 422)
    return redirect_after_post(url_for("documents.recover", meeting_id=meeting_id, last=copy))


@bp.post("/invitations/<int:attendee_id>/recover")
@roles(*DESK)
def recover_invitation(meeting_id: int, attendee_id: int):
    """The door takes back an attendee's invitation when it is a numbered copy ("Thu lại
    giấy mời bản số n"): the copy whose label is the invitation's own code."""
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = attendee_queries.get_attendee(meeting.id, attendee_id)
    if attendee is None:
        abort(404)
    form = InvitationBackForm()
    page = "door.return_card" if form.back.data == "returns" else "door.card"
    back = url_for(page, meeting_id=meeting_id, attendee_id=attendee_id)
    if not form.validate_on_submit():
        flash_form_expired()
        return redirect_after_post(back)
    number, err = attempt(
        lambda: (
            services.recover(
                meeting, actor=current_user, key=form.key.data, copy_code=attendee.invitation_code
            ).copy_number
        )
    )
    if err is not None:
        flash_refusal(err.message, err.code)
    else:
        flash(_("Invitation copy no. %(n)d taken back.", n=number), "success")
    return redirect_after_post(back)


@bp.route("/copies/<int:copy_id>/lost", methods=["GET", "POST"])
@roles(Role.ORGANISER)
def report_lost(meeting_id: int, copy_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    copy = queries.get_copy(meeting.id, copy_id) or abort(404)
    form = LostForm()
    done = submit(
        form,
        lambda: services.report_lost(meeting, copy, actor=current_user, reason=form.reason.data),
        success=lambda i: _(
            "The loss of copy %(n)d was recorded as an incident.", n=copy.copy_number
        ),
        redirect_to=lambda i: url_for("documents.recover", meeting_id=meeting_id),
    )
    return done or (
        render_template(
            "documents/lost.html", meeting=reloaded(meeting), copy=reloaded(copy), form=form
        ),
        form_status(form),
    )


# The door comes first: record layouts pause while people wait here (core.priority)
serves_a_queue(bp)

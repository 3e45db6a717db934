"""The door on a tablet: find (scan or search) → verify → devices → sign → done, and
back to the first step; refusals, exits, re-entries, returns by claim ticket; live
counters; the agency's commitment text."""

import secrets

from flask import Blueprint, abort, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec.core.auth import authenticated, roles
from meetingsec.core.db import reads_first, set_write_intent, utcnow
from meetingsec.core.errors import DomainError
from meetingsec.core.htmx import is_partial, redirect_after_post
from meetingsec.core.i18n import local_date
from meetingsec.core.pdf import pdf_response
from meetingsec.core.priority import serves_a_queue
from meetingsec.core.transactions import attempt, reloaded
from meetingsec.core.views import (
    MAX_ID,
    apply_domain_error,
    flash_form_expired,
    flash_refusal,
    form_status,
    scanned,
    submit,
)
from meetingsec.documents import invitations
from meetingsec.documents import queries as document_queries
from meetingsec.documents.forms import InvitationBackForm
from meetingsec.door import commitment as commitments
from meetingsec.door import deposits, entry, identity, queries, services
from meetingsec.door.forms import (
    CheckInForm,
    CodeForm,
    CommitmentForm,
    FindForm,
    IdentityForm,
    IdentityRefusalForm,
    LeaveForm,
    ReentryForm,
    RefusalForm,
    ReturnForm,
    SearchForm,
    TicketForm,
)
from meetingsec.door.records import SHEETS, tickets_pdf
from meetingsec.legal.rules import ruleset_for, rulesets
from meetingsec.meetings.access import READERS as FILE_READERS
from meetingsec.meetings.access import Reading, audited_file, get_meeting_for
from meetingsec.meetings.lifecycle import Action
from meetingsec.users.roles import Role
from meetingsec.workflows import services as workflows

bp = Blueprint("door", __name__)

#: 409: someone else (another tablet) did it first
ALREADY = 409


def _key() -> str:
    return secrets.token_urlsafe(16)


def _attendee(meeting, attendee_id: int):
    attendee = queries.attendee_at_door(meeting.id, attendee_id)
    if attendee is None:
        abort(404)
    return attendee


def _attendee_arg(meeting, name: str):
    """The meeting's attendee named by a request argument (``?last=`` after a check-in or
    a return, ``?attendee=`` for a refusal), or None."""
    attendee_id = request.values.get(name, type=int)
    if attendee_id is None or not 0 < attendee_id <= MAX_ID:
        return None
    return queries.attendee_at_door(meeting.id, attendee_id)


@bp.get("/meetings/<int:meeting_id>/door/")
@roles(Role.CLERK)
def index(meeting_id: int):
    """Step 1: scan an invitation, or search by name. Also the confirmation of the last
    check-in (``?last=``), so the clerk is straight back at step 1."""
    meeting = get_meeting_for(current_user, meeting_id)
    form = CodeForm(request.args)
    found = scanned(
        form,
        lambda code: services.find_attendee(meeting, code, document_queries.CODE_KINDS),
        lambda a: url_for("door.card", meeting_id=meeting_id, attendee_id=a.id),
    )
    if found:
        return found
    last = _attendee_arg(meeting, "last")
    return _door_page(meeting, form, last)  # read with its check-in (attendee_at_door)


@bp.post("/meetings/<int:meeting_id>/door/")
@reads_first
@roles(Role.CLERK)
def find(meeting_id: int):
    """Step 1 sent: an invitation opens its card; a citizen identity card (QR or number)
    opens its holder's, the card checked at once (``door.identity.identify``)."""
    meeting = get_meeting_for(current_user, meeting_id)
    form = FindForm()
    valid = form.validate_on_submit()
    code = form.code.data or ""
    is_card = identity.looks_like_card(code)
    if is_card:
        form.code.data = ""  # the card's data is never sent back to the page
    if not valid:
        if form.key.errors:
            flash_form_expired()
        return _door_page(meeting, form)
    if is_card:
        attendee, err = attempt(
            lambda: identity.identify(meeting, code, actor=current_user, key=form.key.data),
            keep_loaded=True,
        )
    else:
        try:
            attendee = services.find_attendee(meeting, code, document_queries.CODE_KINDS)
            err = None
        except DomainError as refusal:
            err = refusal
    if err is not None:
        apply_domain_error(form, err)
        return _door_page(meeting, form)
    url = url_for("door.card", meeting_id=meeting_id, attendee_id=attendee.id)
    if not is_partial():
        return redirect_after_post(url)
    # The tablet (htmx) gets the card in the same answer, its address pushed, rather than a
    # redirect and a second request; a plain form is redirected to it
    set_write_intent(False)  # what follows only reads
    resp = make_response(_card(meeting, attendee))
    resp.headers["HX-Push-Url"] = url
    return resp


def _find_form(sent=None) -> FindForm:
    """Step 1's form, fresh, with what an address's ``?code=`` sent and its refusal."""
    form = FindForm(formdata=None, key=_key())
    if sent is not None:
        form.code.data = sent.code.data
        form.code.errors = [*sent.code.errors, *sent.form_errors]
    return form


def _door_page(meeting, form=None, last=None):
    """Step 1, with the confirmation of ``last`` (the attendee just let in, their check-in
    loaded) when given; ``form`` step 1's, or the ``?code=`` one of an address."""
    if not isinstance(form, FindForm):
        form = _find_form(form)
    return render_template(
        "door/index.html",
        meeting=meeting,
        form=form,
        search_form=SearchForm(formdata=None),
        results=None,
        last=last,
        last_deposits=queries.deposits_of(last.id) if last else [],
        counters=queries.counters(meeting.id),
        door_open=services.door_open(meeting),
    ), (422 if form.errors or form.form_errors else 200)


def _back_at_the_scan(meeting, attendee):
    """After a check-in or a re-entry: the door page with its confirmation. The tablet
    (htmx) gets it in the same answer, its address pushed, rather than a redirect and a
    second request; a plain form is redirected to it. ``attendee`` as the service left it
    (``attempt(keep_loaded=True)``): their check-in loaded, nothing read again."""
    url = url_for("door.index", meeting_id=meeting.id, last=attendee.id)
    if not is_partial():
        return redirect_after_post(url)
    set_write_intent(False)  # what follows only reads
    queries.check_in_of(attendee)  # made by this request: not read again
    resp = make_response(_door_page(meeting, last=attendee))
    resp.headers["HX-Push-Url"] = url
    return resp


@bp.get("/meetings/<int:meeting_id>/door/search")
@roles(Role.CLERK)
def search(meeting_id: int):
    """Results as the clerk types (htmx), or a whole page without JavaScript."""
    meeting = get_meeting_for(current_user, meeting_id)
    form = SearchForm(request.args)
    q = form.q.data if form.validate() else ""
    results = queries.search(meeting.id, q or "")
    context = {
        "meeting": meeting,
        "q": q or "",
        "results": results,
        "check_ins": queries.check_ins_by_attendee(meeting.id, [a.id for a in results]),
    }
    status = 422 if form.errors else 200
    if is_partial():  # as the clerk types: the results only, nothing else queried
        return render_template("door/_results.html", **context), status
    return render_template(
        "door/index.html",
        **context,
        form=_find_form(),
        search_form=form,
        last=None,
        counters=queries.counters(meeting.id),
        door_open=services.door_open(meeting),
    ), status


def invitation_step(meeting, attendee, back: str) -> dict:
    """The attendee's invitation when it is a numbered copy, and the form that takes it
    back while copies are recovered."""
    copy = invitations.invitation_copy(meeting.id, attendee.id)
    recovering = copy is not None and meeting.status.allows(Action.RECOVER)
    return {
        "invitation": copy,
        "invitation_form": InvitationBackForm(formdata=None, key=_key(), back=back)
        if recovering and copy.state == "handed_out"
        else None,
    }


def _card(
    meeting,
    attendee,
    *,
    check_in_form=None,
    reentry_form=None,
    identity_form=None,
    status=200,
    notice=None,
):
    """The attendee's card, with only what its step shows built and read: the refusal for
    someone not admitted; the identity step, devices, commitment and signature before the
    entry; the history and leaving or coming back in after it."""
    door_open, exits_open = services.door_open(meeting), services.exits_open(meeting)
    check_in = queries.check_in_of(attendee)
    step = {"form": None, "commitment": None, "reentry_form": None, "leave_form": None}
    step.update(refusal_form=None, inside=False, movements=[], deposits=[])
    step.update(identity_required=False, identity=None, identity_pending=False)
    step.update(invitation_step(meeting, attendee, "card") if check_in is not None else {})
    if not attendee.admitted:
        if door_open:
            step["refusal_form"] = RefusalForm(
                formdata=None,
                key=_key(),
                name=attendee.full_name,
                unit=attendee.unit_name,
                reason=_("Not on the list approved by the chair."),
            )
    elif check_in is None:
        if door_open:
            step["commitment"], digest = commitments.commitment_for(meeting)
            step["form"] = check_in_form or CheckInForm(
                formdata=None, key=_key(), commitment_sha256=digest, code=attendee.invitation_code
            )
            step.update(_identity_step(meeting, attendee, identity_form))
    else:
        inside = queries.is_inside(attendee)
        step.update(
            inside=inside,
            movements=queries.movements_of(attendee.id),
            deposits=queries.deposits_of(attendee.id),
        )
        if inside and exits_open:
            step["leave_form"] = LeaveForm(formdata=None, key=_key())
        elif not inside and door_open:
            step["reentry_form"] = reentry_form or ReentryForm(formdata=None, key=_key())
    return render_template(
        "door/card.html",
        meeting=meeting,
        attendee=attendee,
        check_in=check_in,
        deposits_required=services.deposits_required(meeting),
        door_open=door_open,
        exits_open=exits_open,
        notice=notice,
        **step,
    ), status


@bp.get("/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>")
@roles(Role.CLERK)
def card(meeting_id: int, attendee_id: int):
    """Steps 2–4: the attendee's card, then devices and signature in one form."""
    meeting = get_meeting_for(current_user, meeting_id)
    return _card(meeting, _attendee(meeting, attendee_id))


def _refused(meeting, attendee, form, err, **kw):
    """A refusal from the service: "already done" (409) re-renders the card with the news;
    anything else shows the error on the form (422)."""
    if isinstance(err, services.AlreadyDone):
        return _card(meeting, attendee, status=ALREADY, notice=err.message)
    apply_domain_error(form, err)
    return _card(meeting, attendee, status=422, **kw)


@bp.post("/meetings/<int:meeting_id>/door/check-in")
@reads_first
@roles(Role.CLERK)
def check_in(meeting_id: int):
    """Steps 3–4 sent at once: the invitation's code, devices, signature."""
    meeting = get_meeting_for(current_user, meeting_id)
    form = CheckInForm()
    err = None
    if form.validate_on_submit():
        attendee, err = attempt(
            lambda: (
                invitations.hand_out_at_entry(
                    meeting,
                    workflows.check_in(
                        meeting,
                        form.code.data or "",
                        actor=current_user,
                        key=form.key.data,
                        items=form.items(),
                        carries_none=form.carries_none.data,
                        signature=form.signature.data or "",
                        commitment_sha256=form.commitment_sha256.data,
                    ),
                    actor=current_user,
                ).attendee
            ),
            keep_loaded=True,
        )
        if err is None:
            return _back_at_the_scan(meeting, attendee)
        set_write_intent(False)  # the refusal rolled back: its card is read without the lock
    try:
        attendee = services.find_attendee(meeting, form.code.data or "")
    except DomainError:
        abort(404)  # the form carries the code it was shown for: only tampering gets here
    if err is not None:
        return _refused(meeting, attendee, form, err, check_in_form=form)
    return _card(meeting, attendee, check_in_form=form, status=422)


@bp.post("/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/reenter")
@roles(Role.CLERK)
def reenter(meeting_id: int, attendee_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = _attendee(meeting, attendee_id)
    form = ReentryForm()
    if not form.validate_on_submit():
        return _card(meeting, attendee, reentry_form=form, status=422)
    _movement, err = attempt(
        lambda: workflows.reenter(
            meeting,
            attendee,
            actor=current_user,
            key=form.key.data,
            items=form.items(),
            carries_none=form.carries_none.data,
        ),
        keep_loaded=True,
    )
    if err is not None:
        set_write_intent(False)  # rolled back: the card is read without the lock
        return _refused(meeting, attendee, form, err, reentry_form=form)
    return _back_at_the_scan(meeting, attendee)


@bp.post("/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/leave")
@roles(Role.CLERK)
def leave(meeting_id: int, attendee_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = _attendee(meeting, attendee_id)
    form = LeaveForm()
    if not form.validate_on_submit():
        flash_form_expired()
        return redirect_after_post(
            url_for("door.card", meeting_id=meeting_id, attendee_id=attendee_id)
        )
    _movement, err = attempt(
        lambda: entry.leave(meeting, attendee, actor=current_user, key=form.key.data)
    )
    if err is not None:
        return _refused(meeting, attendee, form, err)
    flash(_("%(name)s has left the room.", name=attendee.full_name), "success")
    return redirect_after_post(url_for("door.index", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>/door/refusals", methods=["GET", "POST"])
@roles(Role.CLERK)
def refusal(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = _attendee_arg(meeting, "attendee")
    form = RefusalForm(
        key=_key(),
        name=attendee.full_name if attendee else "",
        unit=attendee.unit_name if attendee else "",
        reason=_("Not on the list approved by the chair."),
    )
    done = submit(
        form,
        lambda: entry.refuse(
            meeting,
            actor=current_user,
            key=form.key.data,
            name=form.name.data,
            unit=form.unit.data or "",
            reason=form.reason.data,
            attendee=attendee,
        ),
        success=lambda i: _("Refusal of %(name)s recorded.", name=i.person_name),
        redirect_to=lambda i: url_for("door.index", meeting_id=meeting_id),
    )
    return done or (
        render_template(
            "door/refusal.html",
            meeting=meeting,
            form=form,
            attendee=attendee,
            searched=request.args.get("searched", "")[:100],
        ),
        form_status(form),
    )


# -- identity: the citizen identity card after the invitation ------------------------------------


def _identity_step(meeting, attendee, form=None) -> dict:
    """The card's identity step: asked at Tuyệt mật (and where the organiser chose it)
    before the check-in form; the clerk may go on without a card (``?without_cccd=1``),
    which the checklist then counts as not verified."""
    required = identity.identity_required(meeting)
    if not required:  # nothing of the step is shown, nothing built
        return {"identity_required": False, "identity_pending": False}
    check = queries.latest_identity_check(attendee.id)
    if form is not None:
        form.code.data = ""  # the card's data is never sent back to the page
    return {
        "identity_required": required,
        "identity": check,
        "identity_form": form or IdentityForm(formdata=None, key=_key()),
        "identity_refusal_form": IdentityRefusalForm(formdata=None, key=_key())
        if check and not check.matched
        else None,
        "identity_pending": not (check and check.matched) and not request.args.get("without_cccd"),
    }


@bp.post("/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/identity")
@roles(Role.CLERK)
def check_identity(meeting_id: int, attendee_id: int):
    """The card scanned (camera or scanner) or its number typed, posted: its data stays out
    of addresses and logs."""
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = _attendee(meeting, attendee_id)
    form = IdentityForm()
    if not form.validate_on_submit():
        return _card(meeting, attendee, identity_form=form, status=422)
    _check, err = attempt(
        lambda: identity.check_identity(
            meeting, attendee, form.code.data, actor=current_user, key=form.key.data
        )
    )
    if err is not None:
        apply_domain_error(form, err)
        return _card(meeting, attendee, identity_form=form, status=err.status)
    return redirect_after_post(url_for("door.card", meeting_id=meeting_id, attendee_id=attendee_id))


@bp.post("/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/identity-refusal")
@roles(Role.CLERK)
def refuse_identity(meeting_id: int, attendee_id: int):
    """One tap after a card that does not match the invitation."""
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = _attendee(meeting, attendee_id)
    form = IdentityRefusalForm()
    if not form.validate_on_submit():
        flash_form_expired()
        return redirect_after_post(
            url_for("door.card", meeting_id=meeting_id, attendee_id=attendee_id)
        )
    _incident, err = attempt(
        lambda: identity.refuse_mismatch(meeting, attendee, actor=current_user, key=form.key.data)
    )
    if err is not None:
        flash_refusal(err.message, err.code)
        return redirect_after_post(
            url_for("door.card", meeting_id=meeting_id, attendee_id=attendee_id)
        )
    flash(_("Refusal of %(name)s recorded.", name=attendee.full_name), "success")
    return redirect_after_post(url_for("door.index", meeting_id=meeting_id))


# -- leaving with one's devices ------------------------------------------------------------------


@bp.get("/meetings/<int:meeting_id>/door/returns")
@roles(Role.CLERK)
def returns(meeting_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    form = TicketForm(request.args)
    found = scanned(
        form,
        lambda code: services.find_deposit(meeting, code, document_queries.CODE_KINDS),
        lambda d: url_for("door.return_card", meeting_id=meeting_id, attendee_id=d.attendee_id),
    )
    if found:
        return found
    last = _attendee_arg(meeting, "last")
    return render_template(
        "door/returns.html",
        meeting=meeting,
        form=form,
        last=last,
        last_returned=[d for d in queries.deposits_of(last.id) if d.returned_at] if last else [],
        held=queries.held_deposits(meeting.id),
        counters=queries.counters(meeting.id),
    ), (422 if form.errors or form.form_errors else 200)


def _return_card(meeting, attendee, form=None, status=200, notice=None):
    reloaded(meeting)  # a refused return rolled back: both expired
    reloaded(attendee)
    held = [d for d in queries.deposits_of(attendee.id) if d.returned_at is None]
    if form is None:
        form = ReturnForm(formdata=None, key=_key(), deposit_ids=[d.id for d in held])
    form.deposit_ids.choices = [
        (d.id, _("Slot %(slot)d: %(kind)s", slot=d.slot, kind=d.kind_title)) for d in held
    ]
    return render_template(
        "door/return_card.html",
        **invitation_step(meeting, attendee, "returns"),
        meeting=meeting,
        attendee=attendee,
        form=form,
        held=held,
        returned=[d for d in queries.deposits_of(attendee.id) if d.returned_at],
        notice=notice,
    ), status


@bp.route("/meetings/<int:meeting_id>/door/returns/<int:attendee_id>", methods=["GET", "POST"])
@reads_first
@roles(Role.CLERK)
def return_card(meeting_id: int, attendee_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = _attendee(meeting, attendee_id)
    if request.method == "GET":
        return _return_card(meeting, attendee)
    form = ReturnForm()
    form.deposit_ids.choices = [(d.id, str(d.id)) for d in queries.deposits_of(attendee.id)]
    if not form.validate_on_submit():
        return _return_card(meeting, attendee, form, status=422)
    _items, err = attempt(
        lambda: deposits.return_items(
            meeting,
            attendee,
            actor=current_user,
            key=form.key.data,
            deposit_ids=form.deposit_ids.data,
        )
    )
    if isinstance(err, services.AlreadyDone):
        return _return_card(meeting, attendee, status=ALREADY, notice=err.message)
    if err is not None:
        apply_domain_error(form, err)
        return _return_card(meeting, attendee, form, status=422)
    return redirect_after_post(url_for("door.returns", meeting_id=meeting_id, last=attendee.id))


@bp.get("/meetings/<int:meeting_id>/door/attendees/<int:attendee_id>/tickets.pdf")
@roles(*FILE_READERS[Reading.CLAIM_TICKETS])
def tickets(meeting_id: int, attendee_id: int):
    meeting = get_meeting_for(current_user, meeting_id)
    attendee = _attendee(meeting, attendee_id)
    held = [d for d in queries.deposits_of(attendee.id) if d.returned_at is None]
    sheet = request.args.get("sheet", "receipt")
    if not held or sheet not in SHEETS:
        abort(404)
    data = audited_file(
        meeting,
        Reading.CLAIM_TICKETS,
        lambda: tickets_pdf(meeting, held, sheet),
        actor=current_user,
        obj=attendee,
        data={"slots": [d.slot for d in held]},
    )
    return pdf_response(data, f"phieu-gui-{attendee.id}.pdf")


@bp.get("/meetings/<int:meeting_id>/door/counters")
@authenticated
def counters(meeting_id: int):
    """The live counters fragment (polled every few seconds)."""
    meeting = get_meeting_for(current_user, meeting_id)
    return render_template(
        "door/_counters.html", meeting=meeting, counters=queries.counters(meeting.id)
    )


# -- the agency's commitment text -------------------------------------------------------------


@bp.route("/admin/commitment", methods=["GET", "POST"])
@roles(Role.ADMIN)
def commitment():
    """One text per legal regime: ``?regime=`` (the regime in force today when absent)."""
    regimes = rulesets()
    regime = request.args.get("regime") or ruleset_for(local_date(utcnow())).id
    if regime not in regimes:
        abort(404)
    text, digest = commitments.current_commitment(regime)
    form = CommitmentForm(data={"text": text})
    done = submit(
        form,
        lambda: commitments.set_commitment(
            actor=current_user, ruleset_id=regime, text=form.text.data
        ),
        success=lambda row: _("Commitment text saved. New check-ins sign this text."),
        redirect_to=lambda row: url_for("door.commitment", regime=regime),
    )
    return done or (
        render_template(
            "door/commitment.html",
            form=form,
            digest=digest,
            regime=regimes[regime],
            regimes=list(regimes.values()),
            default=commitments.default_commitment(regime),
        ),
        form_status(form),
    )


# The door comes first: record layouts pause while people wait here (core.priority)
serves_a_queue(bp, but=("counters", "commitment"))  # polled every 5 s; the admin's text

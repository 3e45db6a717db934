"""The audit log for auditors (and administrators): browse, filter, verify the chain."""

from flask import Blueprint, current_app, render_template, request

from meetingsec.audit import queries
from meetingsec.audit.forms import AnchorForm, AuditFilterForm
from meetingsec.audit.services import verify_chain
from meetingsec.core.auth import roles
from meetingsec.core.htmx import is_partial
from meetingsec.core.views import page_number
from meetingsec.users import queries as users
from meetingsec.users.roles import Role

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@roles(Role.AUDITOR, Role.ADMIN)
def log():
    form = AuditFilterForm(request.args)
    form.set_choices(users.by_full_name(), *queries.filter_choices())
    # Invalid filters list nothing: an unfiltered list beside the error would mislead.
    valid = form.validate()
    page = None
    if valid:
        page = queries.list_events(
            actor_id=form.actor.data or 0,
            action=form.action.data or "",
            object_type=form.object_type.data or "",
            object_id=form.object_id.data or "",
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            page=page_number(),
            per_page=current_app.config["AUDIT_PAGE_SIZE"],
        )
    ctx = {
        "form": form,
        "page": page,
        "actors": users.by_ids(e.actor_id for e in (page.items if page else [])),
        "args": {k: v for k, v in request.args.items() if k != "page"},
    }
    template = "audit/_results.html" if is_partial() else "audit/log.html"
    return render_template(template, **ctx), (200 if valid else 422)


@bp.get("/verify")
@roles(Role.AUDITOR, Role.ADMIN)
def verify():
    form = AnchorForm(request.args)
    valid = form.validate()
    anchors = [form.anchor] if valid and form.code.data else []
    result = verify_chain(anchors=anchors)
    bad = queries.get_event(result.bad_seq) if result.bad_seq else None
    return render_template("audit/verify.html", result=result, bad=bad, form=form), (
        200 if valid else 422
    )

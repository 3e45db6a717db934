"""A meeting's checklist items marked by the people responsible; administrators read every
rule and confirm or correct its citation."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec.checklists import services
from meetingsec.checklists.forms import CitationForm, ItemForm
from meetingsec.core.auth import authenticated, roles
from meetingsec.core.htmx import is_partial, redirect_after_post
from meetingsec.core.transactions import attempt, by_id
from meetingsec.core.views import apply_domain_error, flash_refusal, form_status, submit
from meetingsec.legal.rules import rulesets
from meetingsec.meetings.access import get_meeting_for
from meetingsec.meetings.models import Meeting
from meetingsec.meetings.routes import detail_context
from meetingsec.users.roles import Role

bp = Blueprint("checklists", __name__)


def _tables():
    out = []
    for ruleset in sorted(rulesets().values(), key=lambda r: r.in_force_from, reverse=True):
        overrides = services.citations(ruleset.id)
        rows = []
        for rule in ruleset.rules:
            o = overrides.get(rule.id)
            rows.append(
                {
                    "rule": rule,
                    "citation": o.citation if o else rule.citation,
                    "verified": o.verified if o else rule.verified,
                    "override": o,
                }
            )
        out.append((ruleset, rows))
    return out


@bp.post("/meetings/<int:meeting_id>/items/<rule_id>")
@authenticated
def mark_item(meeting_id: int, rule_id: str):
    meeting = get_meeting_for(current_user, meeting_id)
    form = ItemForm()
    error = None
    if form.validate_on_submit():
        _item, error = attempt(
            lambda: services.mark_item(
                meeting,
                rule_id,
                actor=current_user,
                state=form.state.data,
                note=form.note.data or "",
            )
        )
        if error:
            apply_domain_error(form, error)
    ctx = detail_context(by_id(Meeting, meeting_id))
    status = (error.status if error else 422) if (error or form.errors) else 200
    if not is_partial():
        if status == 200:
            return redirect_after_post(url_for("meetings.detail", meeting_id=meeting_id))
        flash_refusal(
            " ".join(str(e) for errs in form.errors.values() for e in errs) or error.message,
            error.code if error else "invalid",
        )
        return render_template("meetings/detail.html", **ctx), status
    view = next((v for v in ctx["views"] if v.rule.id == rule_id), None)
    if view is None:
        return render_template(
            "errors/_error.html", status=404, title=_("Page not found"), hint=""
        ), 404
    return render_template("meetings/_item.html", v=view, form=form, oob=True, **ctx), status


# -- the rules and their citations (administrators) ---------------------------------------------


@bp.get("/admin/rules/")
@roles(Role.ADMIN)
def index():
    return render_template("checklists/index.html", tables=_tables(), locale=str(get_locale()))


@bp.route("/admin/rules/<ruleset_id>/<rule_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def citation(ruleset_id: str, rule_id: str):
    ruleset = rulesets().get(ruleset_id)
    rule = ruleset.rule(rule_id) if ruleset else None
    if rule is None:
        abort(404)
    current = services.citations(ruleset_id).get(rule_id)
    form = CitationForm(
        data={
            "citation": current.citation if current else rule.citation,
            "verified": current.verified if current else rule.verified,
            "article_text": current.article_text if current else "",
        }
    )
    done = submit(
        form,
        lambda: services.set_citation(
            ruleset_id,
            rule_id,
            actor=current_user,
            citation=form.citation.data,
            verified=form.verified.data,
            article_text=form.article_text.data or "",
        ),
        success=lambda _r: _("Citation saved."),
        redirect_to=lambda _r: url_for("checklists.index") + f"#rule-{ruleset_id}-{rule_id}",
    )
    return done or (
        render_template(
            "checklists/citation.html",
            form=form,
            ruleset=ruleset,
            rule=rule,
            locale=str(get_locale()),
        ),
        form_status(form),
    )

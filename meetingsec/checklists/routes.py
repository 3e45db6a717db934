"""Administrators read every rule and confirm or correct its citation."""

from flask import Blueprint, abort, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec.checklists import services
from meetingsec.checklists.rules import rulesets
from meetingsec.core.auth import roles
from meetingsec.core.views import form_status, submit
from meetingsec.meetings.forms import CitationForm
from meetingsec.users.roles import Role

bp = Blueprint("rules", __name__, url_prefix="/admin/rules")


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


@bp.get("/")
@roles(Role.ADMIN)
def index():
    return render_template("rules/index.html", tables=_tables(), locale=str(get_locale()))


@bp.route("/<ruleset_id>/<rule_id>", methods=["GET", "POST"])
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
        ),
        success=lambda _r: _("Citation saved."),
        redirect_to=lambda _r: url_for("rules.index") + f"#rule-{ruleset_id}-{rule_id}",
    )
    return done or (
        render_template(
            "rules/citation.html", form=form, ruleset=ruleset, rule=rule, locale=str(get_locale())
        ),
        form_status(form),
    )

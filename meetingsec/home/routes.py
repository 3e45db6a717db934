"""``/`` sends each user to the home of their first role; ``/home/<role>`` shows it."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from meetingsec.about.queries import failed_selfcheck
from meetingsec.audit.services import chain_head
from meetingsec.core.auth import authenticated
from meetingsec.core.db import utcnow
from meetingsec.core.htmx import is_partial
from meetingsec.core.i18n import local_date
from meetingsec.home import queries
from meetingsec.meetings.routes import list_context
from meetingsec.users import queries as users
from meetingsec.users.roles import Role

bp = Blueprint("home", __name__)


@bp.get("/")
@authenticated
def index():
    return redirect(url_for("home.role_home", role=current_user.roles[0].value))


@bp.get("/home/<role>")
@authenticated
def role_home(role: str):
    if role not in Role._value2member_map_ or not current_user.has_role(Role(role)):
        abort(403)
    role = Role(role)
    ctx = {"role": role}
    if role is Role.ADMIN:
        ctx["counts"] = queries.admin_counts()
        ctx["selfcheck_failed"] = failed_selfcheck()
    if role in (Role.ORGANISER, Role.CHAIR, Role.TECHNICIAN, Role.CLERK):
        ctx.update(list_context(role))
        if is_partial():
            return render_template("meetings/_list.html", **ctx)
        ctx["tasks"] = queries.to_do(current_user, role, local_date(utcnow()))
    if role is Role.AUDITOR:
        ctx["head"] = chain_head()
        ctx["events"] = queries.latest_events()
        ctx["actors"] = users.by_ids(e.actor_id for e in ctx["events"])
    return render_template("home/role.html", **ctx)

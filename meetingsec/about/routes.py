"""The page "Thông tin phần mềm" (administrators and auditors) and the SBOM download."""

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from meetingsec.about import queries, services
from meetingsec.about.forms import SelfcheckForm
from meetingsec.core.auth import roles
from meetingsec.core.transactions import commit, outside_transaction
from meetingsec.core.views import flash_form_expired
from meetingsec.users.roles import Role

bp = Blueprint("about", __name__, url_prefix="/about")


@bp.get("/")
@roles(Role.ADMIN, Role.AUDITOR)
def index():
    return render_template(
        "about/index.html",
        info=services.release_info(),
        components=services.sbom_summary(),
        packages=services.installed_packages(),
        last=queries.last_selfcheck(),
        form=SelfcheckForm(),
    )


@bp.get("/sbom.cdx.json")
@roles(Role.ADMIN, Role.AUDITOR)
def sbom():
    path = services.sbom_path()
    if path is None:
        abort(404)
    info = services.release_info()
    return send_file(
        path,
        mimetype="application/vnd.cyclonedx+json",
        as_attachment=True,
        download_name=f"meetingsec-{info.version}.cdx.json",
    )


@bp.post("/selfcheck")
@roles(Role.ADMIN, Role.AUDITOR)
def run_selfcheck():
    if not SelfcheckForm().validate_on_submit():
        flash_form_expired()
        return redirect(url_for("about.index"))
    # The files are read with no transaction open (SQLite's write lock would make the door
    # wait meanwhile); only the result is recorded.
    result, _err = outside_transaction(services.selfcheck)
    commit(lambda: services.record_selfcheck(result, actor=current_user))
    if not result.is_release:
        flash(_("This server does not run from a release: there is nothing to check."), "error")
    elif result.ok:
        flash(_("Every file matches the release."), "success")
    else:
        flash(_("Some files differ from the release: see the list below."), "error")
    return redirect(url_for("about.index"))

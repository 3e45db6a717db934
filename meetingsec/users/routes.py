"""Login, logout, own password and language; the administration of accounts."""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from meetingsec.core.auth import authenticated, public, roles
from meetingsec.core.errors import CodedMessage
from meetingsec.core.htmx import redirect_after_post
from meetingsec.core.i18n import date_time
from meetingsec.core.transactions import by_id, by_id_or_404, commit
from meetingsec.core.views import flash_refusal, form_status, page_number, submit
from meetingsec.org import queries as org_queries
from meetingsec.org.models import Unit
from meetingsec.users import queries, services
from meetingsec.users.forms import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    ResetPasswordForm,
    UnlockForm,
    UserCreateForm,
    UserEditForm,
)
from meetingsec.users.models import User
from meetingsec.users.roles import Role

bp = Blueprint("users", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host, no //) may be redirected to."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _login_page(form, status):
    return render_template(
        "users/login.html", form=form, lang_form=LanguageForm(next=request.full_path)
    ), status


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm(next=request.args.get("next", ""))
    if not form.validate_on_submit():
        return _login_page(form, form_status(form))
    # Failed attempts and locks are kept whatever the outcome; the language picked on the
    # login page becomes the account's.
    result = commit(
        lambda: services.login(
            form.username.data,
            form.password.data,
            address=request.remote_addr or "",
            locale=session.get("lang"),
        )
    )
    if result.refusal == "locked":
        form.form_errors.append(
            CodedMessage(
                _(
                    "Too many failed logins: this account or this device is locked until %(time)s.",
                    time=date_time(result.locked_until),
                ),
                "locked",
            )
        )
        return _login_page(form, 429)
    if result.refusal:
        form.form_errors.append(CodedMessage(_("Wrong username or password."), "bad_login"))
        return _login_page(form, 401)
    session.clear()
    login_user(result.user)
    return redirect_after_post(safe_next(form.next.data) or url_for("home.index"))


@bp.post("/logout")
@authenticated
def logout():
    commit(lambda: services.logout(current_user._get_current_object()))
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect_after_post(url_for("users.login"))


@bp.post("/language")
@public
def language():
    form = LanguageForm()
    target = safe_next(form.next.data) or url_for("home.index")
    if not form.validate_on_submit():
        flash_refusal(_("Unknown language."), "unknown_language")
        return redirect_after_post(target)
    session["lang"] = form.lang.data
    if current_user.is_authenticated:
        commit(lambda: services.set_locale(current_user._get_current_object(), form.lang.data))
    return redirect_after_post(target)


@bp.route("/account/password", methods=["GET", "POST"])
@authenticated
def change_password():
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    done = submit(
        form,
        lambda: services.change_own_password(
            user,
            current_password=form.current_password.data,
            new_password=form.new_password.data,
            keep_token=user.session_token,
        ),
        success=lambda _r: _("Your password has been changed."),
        redirect_to=lambda _r: url_for("home.index"),
    )
    return done or (render_template("users/password.html", form=form), form_status(form))


# -- administration ---------------------------------------------------------------------------


def _user_form(form_class, user: User | None = None, **kw):
    if user is not None and (request.method == "GET" or "formdata" in kw):
        kw.update(
            obj=user, data={"roles": [r.value for r in user.roles], "unit_id": user.unit_id or 0}
        )
    form = form_class(**kw)
    units = org_queries.list_units()
    form.set_units([u for u in units if u.active], org_queries.unit_paths(units))
    return form


def _unit(unit_id: int) -> Unit | None:
    return by_id(Unit, unit_id) if unit_id else None


def _user_page(form, user, reset_form=None, status=None, unlock_form=None):
    ctx = {"form": form, "user": user, "reset_form": reset_form}
    if user is not None:
        ctx["locks"] = services.get_login_locks(user)
        ctx["unlock_form"] = unlock_form or UnlockForm(prefix="unlock", formdata=None)
    return render_template("users/form.html", **ctx), status or form_status(form)


def _edit_page(user, status, **forms):
    """The user's page again, after one of its secondary forms was refused."""
    forms.setdefault("reset_form", ResetPasswordForm(prefix="reset", formdata=None))
    return _user_page(_user_form(UserEditForm, user, formdata=None), user, status=status, **forms)


@bp.get("/admin/users")
@roles(Role.ADMIN)
def user_list():
    page = queries.list_users(page=page_number(), per_page=current_app.config["ADMIN_PAGE_SIZE"])
    return render_template("users/list.html", page=page)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user_create():
    form = _user_form(UserCreateForm)
    done = submit(
        form,
        lambda: services.create_user(
            actor=current_user,
            username=form.username.data,
            full_name=form.full_name.data,
            position=form.position.data or "",
            unit=_unit(form.unit_id.data),
            roles={Role(r) for r in form.roles.data},
            password=form.password.data,
        ),
        success=lambda u: _("Account %(name)s created.", name=u.username),
        redirect_to=lambda _u: url_for("users.user_list"),
    )
    return done or _user_page(form, None)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user_edit(user_id: int):
    user = by_id_or_404(User, user_id)
    form = _user_form(UserEditForm, user)
    done = submit(
        form,
        lambda: services.update_user(
            user,
            actor=current_user,
            full_name=form.full_name.data,
            position=form.position.data or "",
            unit=_unit(form.unit_id.data),
            roles={Role(r) for r in form.roles.data},
            active=form.active.data,
        ),
        success=lambda u: _("Account %(name)s saved.", name=u.username),
        redirect_to=lambda _u: url_for("users.user_list"),
    )
    return done or _user_page(form, user, ResetPasswordForm(prefix="reset", formdata=None))


@bp.post("/admin/users/<int:user_id>/password")
@roles(Role.ADMIN)
def user_reset_password(user_id: int):
    user = by_id_or_404(User, user_id)
    reset_form = ResetPasswordForm(prefix="reset")
    done = submit(
        reset_form,
        lambda: services.reset_password(
            user, actor=current_user, new_password=reset_form.new_password.data
        ),
        success=lambda _r: _(
            "New password set for %(name)s; their sessions have ended.", name=user.username
        ),
        redirect_to=lambda _r: url_for("users.user_edit", user_id=user.id),
    )
    return done or _edit_page(user, 422, reset_form=reset_form)


@bp.post("/admin/users/<int:user_id>/unlock")
@roles(Role.ADMIN)
def user_unlock(user_id: int):
    user = by_id_or_404(User, user_id)
    unlock_form = UnlockForm(prefix="unlock")
    done = submit(
        unlock_form,
        lambda: services.unlock_user(user, actor=current_user),
        success=lambda _r: _("%(name)s can log in again from every device.", name=user.username),
        redirect_to=lambda _r: url_for("users.user_edit", user_id=user.id),
    )
    return done or _edit_page(user, 422, unlock_form=unlock_form)

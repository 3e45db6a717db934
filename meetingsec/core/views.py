"""The one shape every form view shares: validate, call a service, commit, respond."""

from collections.abc import Callable

from flask import flash, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from meetingsec.core.errors import CodedMessage, DomainError
from meetingsec.core.htmx import redirect_after_post
from meetingsec.core.transactions import attempt


def apply_domain_error(form, err: DomainError) -> None:
    """Show a service's refusal next to the field it concerns (or above the form)."""
    field = getattr(form, err.field, None) if err.field else None
    message = CodedMessage(err.message, err.code)
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors.append(message)


def flash_refusal(message, code: str) -> None:
    """Flash a refusal with its code (shown in ``data-error-code`` by base.html)."""
    flash(str(message), f"error:{code}")


def flash_form_expired() -> None:
    """The refusal of a form whose token or key no longer holds: reload, try again."""
    flash_refusal(_("The form expired. Reload the page and try again."), "form_expired")


def submit(
    form,
    action: Callable[[], object],
    *,
    success: Callable[[object], str] | None,
    redirect_to: Callable[[object], str],
    category: Callable[[object], str] | None = None,
):
    """Validate ``form``; on success run ``action`` (a service call), commit, flash and
    redirect. Returns None when the form is not valid or the service refused; the form
    then carries the errors and the caller re-renders it (with ``form_status``).
    ``category`` gives the flash's kind when a recorded result is not a success ("warning":
    a seal found broken is recorded, and is bad news)."""
    if not form.validate_on_submit():
        return None
    result, err = attempt(action)
    if err is not None:
        apply_domain_error(form, err)
        return None
    if success is not None:
        flash(success(result), category(result) if category else "success")
    return redirect_after_post(redirect_to(result))


def scanned(form, find: Callable[[str], object], url: Callable[[object], str]):
    """A scan screen's GET: when a code was sent (camera, scanner or typing) and names
    something, the redirect to it; otherwise None, and the form says why."""
    if request.args.get("code") is None or not form.validate():
        return None
    try:
        return redirect_after_post(url(find(form.code.data)))
    except DomainError as err:
        apply_domain_error(form, err)
        return None


def form_status(form) -> int:
    """422 for a form sent with errors, 200 for a fresh one."""
    return 422 if form.is_submitted() and (form.errors or form.form_errors) else 200


#: Largest id a URL may carry: PostgreSQL's INTEGER (SQLite's is larger)
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:…>`` bounded to what the database can hold: a larger number is a 404, not a
    database overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def page_number(name: str = "page") -> int:
    """The ``page`` query argument (or ``name``, for a page's second list), clamped to a
    sane range."""
    page = request.args.get(name, 1, type=int)
    return min(max(page, 1), 100_000)

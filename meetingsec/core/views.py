"""The one shape every form view shares: validate, call a service, commit, respond."""

from collections.abc import Callable

from flask import flash

from meetingsec.core.errors import DomainError
from meetingsec.core.htmx import redirect_after_post
from meetingsec.extensions import db


def apply_domain_error(form, err: DomainError) -> None:
    """Show a service's refusal next to the field it concerns (or above the form)."""
    field = getattr(form, err.field, None) if err.field else None
    if field is not None:
        field.errors = [*field.errors, err.message]
    else:
        form.form_errors.append(err.message)


def submit(form, action: Callable[[], object], *, success: Callable[[object], str] | None,
           redirect_to: Callable[[object], str]):
    """Validate ``form``; on success run ``action`` (a service call), commit, flash and
    redirect. Returns None when the form is not valid or the service refused; the form
    then carries the errors and the caller re-renders it (with ``form_status``)."""
    if not form.validate_on_submit():
        return None
    try:
        result = action()
    except DomainError as err:
        db.session.rollback()
        apply_domain_error(form, err)
        return None
    db.session.commit()
    if success is not None:
        flash(success(result), "success")
    return redirect_after_post(redirect_to(result))


def form_status(form) -> int:
    """422 for a form sent with errors, 200 for a fresh one."""
    return 422 if form.is_submitted() and (form.errors or form.form_errors) else 200

"""The request's unit of work: a service call commits as a whole, or changes nothing.

Services flush and audit; views call ``attempt`` (or ``commit`` for a change that cannot be
refused), so no view touches the session itself.
"""

from collections.abc import Callable

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from meetingsec.core.db import begin_writing, end_transaction
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db


class Conflict(DomainError):
    """Someone else saved the same thing at the same moment (a unique key raced)."""

    def __init__(self):
        from flask_babel import lazy_gettext as _l

        super().__init__(
            _l("Someone else changed this at the same moment. Check the page and save again."),
            "conflict",
        )


def attempt(
    action: Callable[[], object], *, keep_loaded: bool = False
) -> tuple[object, DomainError | None]:
    """Run ``action`` and commit; on a domain refusal or a race, roll back and return the
    error instead. Returns ``(result, None)`` or ``(None, error)``.

    ``keep_loaded``: the commit leaves what the request read and wrote loaded, as it was
    committed, for the page that answers at once to show without reading it again."""
    begin_writing(db.session)
    try:
        result = action()
        if keep_loaded:
            end_transaction(db.session)
        else:
            db.session.commit()
    except DomainError as err:
        db.session.rollback()
        return None, err
    except IntegrityError:
        db.session.rollback()
        return None, Conflict()
    return result, None


def outside_transaction(action: Callable[[], object]) -> tuple[object, DomainError | None]:
    """Run ``action``, slow pure work on what the request sent (reading an uploaded file),
    with no transaction open; returns ``(result, None)`` or ``(None, error)``. A POST's
    transaction on SQLite holds the write lock from its first query (``core.db``), so work
    done inside it would make every door tablet wait."""
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("a change is pending: it belongs in a service, with its audit")
    end_transaction(db.session)
    try:
        return action(), None
    except DomainError as err:
        return None, err


def commit(action: Callable[[], object]):
    """Run ``action`` and commit (for changes that are recorded whatever happens, such as a
    failed login)."""
    begin_writing(db.session)
    result = action()
    db.session.commit()
    return result


def reloaded(obj):
    """``obj`` read again when a refused save's rollback expired it, so the form page that
    shows it again renders without querying (templates never query). Returns ``obj``."""
    if obj is not None and inspect(obj).expired_attributes:
        db.session.refresh(obj)
    return obj


def by_id(model, ident):
    """The row of ``model`` with this primary key, or None (for a choice a form submitted)."""
    return db.session.get(model, ident) if ident is not None else None


def by_id_or_404(model, ident):
    """The row of ``model`` with this primary key, or a 404."""
    return db.get_or_404(model, ident)

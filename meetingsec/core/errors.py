"""Domain errors and the HTTP error pages (full pages, or fragments for htmx)."""

from urllib.parse import urlsplit, urlunsplit

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from meetingsec.core.htmx import is_partial


class DomainError(Exception):
    """A rule of the domain refused a change. ``code`` is stable for tests and clients;
    ``message`` is translated for people; ``field`` names the form field it concerns."""

    status = 422

    def __init__(self, message, code: str, *, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field


class CodedMessage(str):
    """An error message that keeps its ``code``: forms and flashes show the text and put the
    code in ``data-error-code``, so tests and clients match the code, not the wording."""

    code: str

    def __new__(cls, message, code: str):
        self = super().__new__(cls, str(message))
        self.code = code
        return self


class NotAllowed(DomainError):
    status = 403


_TITLES = {
    400: _l("The request could not be understood"),
    401: _l("Please log in"),
    403: _l("You do not have access to this page"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("The data sent is too large"),
    422: _l("The data sent is not valid"),
    429: _l("Too many requests"),
    500: _l("Something went wrong on the server"),
}
_HINTS = {
    400: _l("Reload the page and try again."),
    403: _l("If you need access, ask an administrator."),
    404: _l("Check the address, or go back to your home page."),
    405: _l("Go back and use the buttons on the page."),
    413: _l("Send a smaller file or shorter text."),
    500: _l("The error has been logged. Try again in a moment."),
}


#: An error answering an htmx request goes where the page's messages go: the part the
#: request meant to replace (a door step with its signature, a list) is not in the
#: answer, and swapping it for the error would lose what the person had done on it
_PARTIAL_ERROR_HEADERS = {
    "HX-Retarget": "#flashes",
    "HX-Reswap": "innerHTML show:top",
    "HX-Reselect": ".error-box",
}


def error_response(status: int, detail=None, code: str | None = None, action=None):
    """The error page (or, for htmx, its box for the page's messages); ``action`` is a
    ``(url, label)`` the person can take next, shown as a button."""
    partial = is_partial()
    html = render_template(
        "errors/_error.html" if partial else "errors/error.html",
        status=status,
        title=_TITLES.get(status, _TITLES[500]),
        hint=detail or _HINTS.get(status, ""),
        error_code=code,
        action=action,
    )
    return html, status, (_PARTIAL_ERROR_HEADERS if partial else {})


def _login_ended() -> bool:
    """The refused form was sent to a page that needs a login, by nobody logged in: the
    login ended (logged out in another tab, or timed out) while the page stayed open."""
    from flask_login import current_user

    from meetingsec.core.auth import access_rule

    rule = access_rule(request.endpoint) if request.endpoint else None
    return rule is not None and rule.roles is not None and not current_user.is_authenticated


def _page_sent_from() -> str | None:
    """The page the refused request came from (htmx names it; a form, its referrer): its
    path and query, which the login judges as any ``next`` (``users.routes.safe_next``)."""
    sent_from = urlsplit(request.headers.get("HX-Current-URL") or request.referrer or "")
    return urlunsplit(("", "", sent_from.path, sent_from.query, "")) or None


def register_error_handlers(app):
    @app.errorhandler(CSRFError)
    def _csrf(_e):
        from flask_babel import gettext as _

        if _login_ended():
            return error_response(
                401,
                _(
                    "Your login has ended (you logged out, perhaps in another tab, or it timed "
                    "out), so this was not saved. Log in again, then do it again."
                ),
                "login_ended",
                action=(url_for("users.login", next=_page_sent_from()), _("Log in again")),
            )
        return error_response(
            400, _("The form expired. Reload the page and try again."), "form_expired"
        )

    @app.errorhandler(HTTPException)
    def _http(e):
        if e.code is None or e.code < 400:
            return e
        return error_response(e.code)

    @app.errorhandler(DomainError)
    def _domain(e):
        return error_response(e.status, e.message, e.code)

    @app.errorhandler(Exception)
    def _unexpected(e):
        app.logger.exception("Unhandled error")
        from meetingsec.extensions import db

        db.session.rollback()
        return error_response(500)

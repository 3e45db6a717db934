"""Language choice and Vietnamese date formatting."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_app_context, has_request_context, session
from flask_babel import (
    Babel,
    Domain,
    format_date,
    format_datetime,
    format_time,
    get_locale,
    to_user_timezone,
)
from flask_login import current_user


def select_locale() -> str:
    """The user's saved language; before login, the one chosen on the login page; else vi."""
    langs = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in langs:
        return current_user.locale
    lang = session.get("lang")
    if lang in langs:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def translations() -> NullTranslations:
    """The catalogue of the current request's language, found once per request (and again
    under ``force_locale``). Flask-Babel looks it up anew for every string, through six
    context-local proxies and the locale's name: 20 µs a string, on pages that translate
    fifty (the door's). Kept on Flask-Babel's own state of the request, beside the locale it
    was found for."""
    if not has_app_context():
        return Domain.get_translations(_DOMAIN)
    state = getattr(g, "_flask_babel", None)
    found = getattr(state, "meetingsec_translations", None)
    if found is not None and found[0] is getattr(state, "babel_locale", None):
        return found[1]
    catalogue = Domain.get_translations(_DOMAIN)
    state = g._flask_babel  # made by the lookup
    state.meetingsec_translations = (getattr(state, "babel_locale", None), catalogue)
    return catalogue


class _Domain(Domain):
    """Flask-Babel's domain, its catalogue found by ``translations``: what ``gettext``,
    ``lazy_gettext`` (forms' labels) and the templates' ``_()`` all use."""

    def get_translations(self):
        return translations()


_DOMAIN = _Domain()


def install_translations(app: Flask, babel: Babel) -> None:
    """Strings in Python and in templates translated through ``translations``."""
    babel.domain_instance = _DOMAIN
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )


def local_date(value: datetime):
    """The calendar day of ``value`` in the agency's time zone (Asia/Ho_Chi_Minh)."""
    return value.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def to_utc(local: datetime) -> datetime:
    """A wall-clock time typed in the agency's time zone, as an aware UTC datetime."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return local.replace(tzinfo=zone).astimezone(UTC)


def to_local(value: datetime) -> datetime:
    """``value`` as a naive wall-clock time in the agency's time zone (for form inputs)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return value.astimezone(zone).replace(tzinfo=None)


def long_date(value: datetime | None) -> str:
    """ "ngày 25 tháng 11 năm 2026" in Vietnamese (the official form), "25 November 2026"
    in English; in the agency's time zone."""
    if value is None:
        return ""
    if str(get_locale()) == "vi":
        return official_date(value)
    local = to_user_timezone(value) if isinstance(value, datetime) else value
    return format_date(local, "d MMMM y")


def official_date(value) -> str:
    """The date line of an official document, always in Vietnamese (Decree 30/2020); a
    datetime is read in the agency's time zone, a date as it is."""
    local = to_user_timezone(value) if isinstance(value, datetime) else value
    month = f"{local.month:02d}" if local.month < 3 else str(local.month)
    return f"ngày {local.day:02d} tháng {month} năm {local.year}"


def date_time(value: datetime | None) -> str:
    """ "14:05, ngày 25 tháng 11 năm 2026" — time first, as Vietnamese documents write it."""
    if value is None:
        return ""
    return f"{format_time(value, 'HH:mm')}, {long_date(value)}"


def clock(value: datetime | None) -> str:
    """ "08:02": a time of day in the agency's time zone, as a clerk reads it.

    Every time shown goes through this module's formatters, which take an aware (UTC)
    datetime and convert it once: handing them a time already made local shifts it again.
    """
    if value is None:
        return ""
    return format_time(value, "HH:mm")


def short_date_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return format_datetime(value, "dd/MM/yyyy HH:mm:ss")


def time_day(value: datetime | None) -> str:
    """ "14:05 25/11/2026": a time of entry in a narrow column."""
    if value is None:
        return ""
    return format_datetime(value, "HH:mm dd/MM/yyyy")


def time_span(start: datetime, end: datetime) -> str:
    """ "08:00–11:30" for a meeting within one day; "08:00 05/12/2026 – 16:00 06/12/2026"
    for one over several days (its times alone would read as one day's)."""
    if local_date(start) == local_date(end):
        return f"{clock(start)}–{clock(end)}"
    return f"{time_day(start)} – {time_day(end)}"


def register_filters(app):
    app.jinja_env.filters["time_span"] = time_span
    app.jinja_env.filters["time_day"] = time_day
    app.jinja_env.filters["clock"] = clock
    app.jinja_env.filters["long_date"] = long_date
    app.jinja_env.filters["date_time"] = date_time
    app.jinja_env.filters["short_date_time"] = short_date_time

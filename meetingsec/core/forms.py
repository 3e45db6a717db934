"""Shared form pieces: text that is stripped and free of control characters."""

import unicodedata
from datetime import date as _date
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from meetingsec.core.errors import CodedMessage
from meetingsec.core.text import BIDI_CONTROLS, begins_as_formula, has_control_chars


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _nfc(value):
    # Vietnamese typed on different keyboards arrives composed or decomposed; store NFC
    # so the same name is the same string.
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class NoControlChars:
    """Refuse NUL, bidirectional and other control characters (tabs and newlines allowed in
    text areas); for a name (``is_name``: a person's, a unit's, a venue's, a device's…),
    also a first character a spreadsheet takes for a formula (= + - @). The import checks
    its rows with the same rules (``attendees.importing``)."""

    def __init__(self, multiline: bool = False, is_name: bool = False):
        self.allowed = frozenset("\n\r\t") if multiline else frozenset()
        self.is_name = is_name

    def __call__(self, form, field):
        value = field.data or ""
        if has_control_chars(value, self.allowed):
            if any(ch in BIDI_CONTROLS for ch in value):
                raise ValidationError(
                    _l(
                        "Contains invisible text-direction characters (often pasted from "
                        "another document): type it again."
                    )
                )
            raise ValidationError(_l("Contains characters that are not allowed."))
        if self.is_name and begins_as_formula(value):
            raise ValidationError(
                _l("Cannot begin with = + - or @: a spreadsheet would take it for a formula.")
            )


def text(
    label,
    *,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
    is_name: bool = False,
    validators=(),
    **kw,
):
    """A text field, stripped and composed; ``is_name`` for the name of someone or
    something, which may not begin as a formula does (see ``NoControlChars``)."""
    first = DataRequired(_l("This field is required.")) if required else Optional()
    field = TextAreaField if multiline else StringField
    return field(
        label,
        validators=[
            first,
            NoControlChars(multiline, is_name=is_name),
            Length(max=max_length, message=_l("At most %(max)d characters.", max=max_length)),
            *validators,
        ],
        filters=[_strip, _nfc],
        **kw,
    )


_NOT_A_CHOICE = _l("Choose one of the options in the list.")


def options(pairs) -> list[SelectChoice]:
    """Choices for a select or checkbox field from ``(value, label)`` pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def select(label, *, coerce=str, choices=None, **kw):
    return SelectField(
        label,
        coerce=coerce,
        choices=choices,
        validate_choice=True,
        invalid_choice_message=_NOT_A_CHOICE,
        invalid_value_message=_NOT_A_CHOICE,
        **kw,
    )


class _CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def bounded_id(value) -> int:
    """An id a database can hold (``coerce`` for id choices); anything else is invalid."""
    from meetingsec.core.views import MAX_ID

    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError("id out of range")
    return number


class _VerdictField(RadioField):
    """Radio buttons with none chosen at first: a technician's verdict has no default, so
    a hurried tap never records a pass (or an intact seal) nobody chose."""

    def __init__(self, label, *, required_message, **kw):
        super().__init__(label, **kw)
        self.required_message = required_message
        self.flags.required = True

    def pre_validate(self, form):
        if not self.raw_data or not self.raw_data[0]:
            raise StopValidation(CodedMessage(self.required_message, "verdict_required"))
        if not any(choice[2] for choice in self.iter_choices()):
            raise StopValidation(CodedMessage(_NOT_A_CHOICE, "invalid"))


def verdict(label, *, choices, required_message):
    """The outcome of a check, chosen by the technician (no default): a pass or fail, a
    seal intact or broken."""
    return _VerdictField(label, choices=choices, required_message=required_message)


def checkboxes(label, *, choices, required_message=None, coerce=str):
    """Checkboxes for several choices; required when ``required_message`` is given."""
    return _CheckboxesField(
        label,
        choices=choices,
        coerce=coerce,
        validators=[DataRequired(required_message) if required_message else Optional()],
        invalid_choice_message=_NOT_A_CHOICE,
        invalid_value_message=_NOT_A_CHOICE,
    )


#: The days a date field accepts. Python's calendar runs from year 1 to 9999, but a filter
#: turns a day into the UTC instant of its local midnight and the next day's, which the
#: first and last days of that calendar cannot hold (a 500, not an answer); no meeting, log
#: entry or approval of this app falls outside these years.
FIRST_DATE = _date(1900, 1, 1)
LAST_DATE = _date(2999, 12, 31)


class InDateRange:
    """Refuse a day (or a time on a day) outside ``FIRST_DATE``..``LAST_DATE``, the days
    every query and every conversion between local time and UTC can use."""

    def __call__(self, form, field):
        day = field.data.date() if isinstance(field.data, datetime) else field.data
        if day is not None and not FIRST_DATE <= day <= LAST_DATE:
            raise ValidationError(
                _l(
                    "Enter a date from %(first)s to %(last)s.",
                    first=FIRST_DATE.strftime("%d/%m/%Y"),
                    last=LAST_DATE.strftime("%d/%m/%Y"),
                )
            )


def date(label, *, required: bool = False, **kw):
    """A day typed as a date; every day it accepts can be turned into an instant."""
    first = DataRequired(_l("This field is required.")) if required else Optional()
    return DateField(
        label,
        validators=[first, InDateRange()],
        invalid_value_message=_l("Enter a date as day/month/year."),
        **kw,
    )


def form_key():
    """The key made when the form was shown (``secrets.token_urlsafe``), or on the tablet:
    a retry or a double tap sends it again. Only that shape is accepted, so nothing else
    reaches the database."""
    expired = _l("The form expired. Reload the page and try again.")
    return HiddenField(
        validators=[DataRequired(expired), Regexp(r"^[A-Za-z0-9_-]{8,40}$", message=expired)]
    )


class Form(FlaskForm):
    """Base form. Every form of the app derives from it."""


class GetForm(FlaskForm):
    """A filter form read from the query string: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

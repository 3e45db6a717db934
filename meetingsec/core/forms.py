"""Shared form pieces: text that is stripped and free of control characters."""

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from meetingsec.core.text import has_control_chars


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _nfc(value):
    # Vietnamese typed on different keyboards arrives composed or decomposed; store NFC
    # so the same name is the same string.
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class NoControlChars:
    """Refuse NUL and other control characters (tabs and newlines allowed in text areas)."""

    def __init__(self, multiline: bool = False):
        self.allowed = frozenset("\n\r\t") if multiline else frozenset()

    def __call__(self, form, field):
        if has_control_chars(field.data or "", self.allowed):
            raise ValidationError(_l("Contains characters that are not allowed."))


def text(
    label, *, max_length: int, required: bool = True, multiline: bool = False, validators=(), **kw
):
    first = DataRequired(_l("This field is required.")) if required else Optional()
    field = TextAreaField if multiline else StringField
    return field(
        label,
        validators=[
            first,
            NoControlChars(multiline),
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


def date(label, *, required: bool = False, **kw):
    first = DataRequired(_l("This field is required.")) if required else Optional()
    return DateField(
        label,
        validators=[first],
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

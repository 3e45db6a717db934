"""Shared form pieces: text that is stripped and free of control characters."""

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _nfc(value):
    # Vietnamese typed on different keyboards arrives composed or decomposed; store NFC
    # so the same name is the same string.
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


class NoControlChars:
    """Refuse NUL and other control characters (tabs and newlines allowed in text areas)."""

    def __init__(self, multiline: bool = False):
        self.allowed = {"\n", "\r", "\t"} if multiline else set()

    def __call__(self, form, field):
        value = field.data or ""
        for ch in value:
            if ch not in self.allowed and unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
                raise ValidationError(_l("Contains characters that are not allowed."))


def text(label, *, max_length: int, required: bool = True, multiline: bool = False,
         validators=(), **kw):
    first = DataRequired(_l("This field is required.")) if required else Optional()
    field = TextAreaField if multiline else StringField
    return field(
        label,
        validators=[first, NoControlChars(multiline),
                    Length(max=max_length,
                           message=_l("At most %(max)d characters.", max=max_length)),
                    *validators],
        filters=[_strip, _nfc],
        **kw,
    )


class Form(FlaskForm):
    """Base form. Every form of the app derives from it."""


class GetForm(FlaskForm):
    """A filter form read from the query string: no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

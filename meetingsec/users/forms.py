"""Forms for logging in, passwords, languages and the administration of accounts."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from meetingsec.core.forms import Form, NoControlChars, checkboxes, options, select, text
from meetingsec.users.roles import ROLE_ORDER

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def _password(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("This field is required.")),
            Length(max=256, message=_l("At most %(max)d characters.", max=256)),
            NoControlChars(),
        ],
    )


class LoginForm(Form):
    username = text(_l("Username"), max_length=64)
    password = _password(_l("Password"))
    next = HiddenField()


class ChangePasswordForm(Form):
    current_password = _password(_l("Current password"))
    new_password = _password(_l("New password"))
    confirm = _password(_l("Repeat the new password"))

    def validate_confirm(self, field):
        if field.data != self.new_password.data:
            raise ValidationError(_l("The two new passwords do not match."))


class LanguageForm(Form):
    lang = select(_l("Language"), choices=options([("vi", "Tiếng Việt"), ("en", "English")]))
    next = HiddenField()


def _role_choices():
    return options((r.value, r.title) for r in ROLE_ORDER)


class _UserDetails(Form):
    full_name = text(_l("Full name"), max_length=200, is_name=True)
    position = text(_l("Position"), max_length=200, required=False, is_name=True)
    unit_id = select(_l("Unit"), coerce=int)
    roles = checkboxes(
        _l("Roles"), choices=_role_choices, required_message=_l("Choose at least one role.")
    )

    def set_units(self, units, paths):
        self.unit_id.choices = options(
            [(0, _l("— No unit —"))] + [(u.id, paths[u.id]) for u in units]
        )


class UserCreateForm(_UserDetails):
    username = text(
        _l("Username"),
        max_length=64,
        validators=[
            Regexp(
                USERNAME_RE,
                message=_l(
                    "3 to 64 characters: lower-case letters a–z, digits, dot, "
                    "hyphen or underscore, starting with a letter or digit."
                ),
            )
        ],
    )
    password = _password(_l("Initial password"))


class UserEditForm(_UserDetails):
    active = BooleanField(_l("Account active (can log in)"))


class ResetPasswordForm(Form):
    new_password = _password(_l("New password"))


class UnlockForm(Form):
    """The administrator's "unlock now" button (its CSRF token only)."""

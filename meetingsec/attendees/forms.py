"""Forms of the attendee list."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import Length, Optional, Regexp

from meetingsec.attendees.services import PHONE_PATTERN
from meetingsec.attendees.tables import Column, Meaning
from meetingsec.core.forms import Form, GetForm, options, select, text


class AttendeeForm(Form):
    full_name = text(_l("Full name"), max_length=200, is_name=True)
    position = text(_l("Position"), max_length=200, required=False, is_name=True)
    unit_name = text(_l("Unit"), max_length=300, is_name=True)
    id_number = text(_l("Staff or ID number (optional)"), max_length=40, required=False)
    #: A foreign guest: the door checks this passport instead of a CCCD
    passport_number = text(
        _l("Passport number (foreign guest, optional)"), max_length=20, required=False
    )
    nationality = text(_l("Nationality (optional)"), max_length=60, required=False, is_name=True)
    phone = text(
        _l("Phone (optional)"),
        max_length=30,
        required=False,
        validators=[Regexp(PHONE_PATTERN, message=_l("Phone: only digits, spaces and + ( ) . -"))],
    )

    def values(self) -> dict:
        return {
            "full_name": self.full_name.data,
            "position": self.position.data or "",
            "unit_name": self.unit_name.data,
            "id_number": self.id_number.data or "",
            "phone": self.phone.data or "",
            "passport_number": self.passport_number.data or "",
            "nationality": self.nationality.data or "",
        }


class RemoveForm(Form):
    reason = text(_l("Why is this person removed?"), max_length=500, required=False)


class ApproveListForm(Form):
    #: The changes the page showed: each one's id and version (services.shown_changes)
    seen = HiddenField(validators=[Optional(), Length(max=400_000)], default="")


class ImportForm(Form):
    file = FileField(
        _l("List file (.xlsx, .xls or .csv)"),
        validators=[FileRequired(_l("Choose a file."))],
        render_kw={"accept": ".xlsx,.xls,.csv,.txt"},
    )


class ConfirmImportForm(Form):
    """Only the CSRF token: the rows are the ones shown in the preview."""


class ConvertForm(Form):
    """Only the CSRF token: converts the file's TCVN3 text."""


class ColumnsForm(Form):
    """The mapping step: a meaning for each column of the file (``columns_form``)."""

    def meanings(self) -> list[str]:
        return [f.data for f in self if f.name.startswith("column_")]


def columns_form(columns: list[Column], formdata=None) -> ColumnsForm:
    """A form of one choice per column of the file, each set to what it was understood as
    (a column not understood: ignored)."""
    choices = options(Meaning.LABELS.items())

    class _Form(ColumnsForm):
        pass

    for column in columns:
        label = column.header or _l("Column %(n)d (no header)", n=column.index + 1)
        setattr(
            _Form,
            f"column_{column.index}",
            select(label, choices=choices, default=column.meaning or Meaning.IGNORE),
        )
    return _Form(formdata=formdata) if formdata is not None else _Form()


class AttendeeFilterForm(GetForm):
    """Finding people in a long list: part of a name, and the state on the list."""

    q = text(_l("Find a name"), max_length=100, required=False)
    show = select(
        _l("Show"),
        default="",
        choices=options(
            [
                ("", _l("Everyone")),
                ("pending", _l("Changes awaiting the chair")),
                ("approved", _l("Approved")),
                ("removed", _l("Removed")),
            ]
        ),
    )

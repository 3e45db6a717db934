"""Forms of the records and closing pages."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField
from wtforms.validators import DataRequired, NumberRange, Regexp
from wtforms.widgets import NumberInput

from meetingsec.core.forms import Form, GetForm, bounded_id, checkboxes, options, select, text
from meetingsec.records.choices import RecordKind
from meetingsec.records.signers import AUTHORITIES, SIDES


class HeldFilterForm(GetForm):
    """Finding one person's items among those still held at closing."""

    q = text(_l("Find a name"), max_length=100, required=False)


class UnclaimedForm(Form):
    deposit_ids = checkboxes(
        _l("Items nobody came back for"),
        choices=[],
        coerce=bounded_id,
        required_message=_l("Choose the items left behind."),
    )
    note = text(_l("Where they are kept, and who keeps them"), max_length=500)


class SignersForm(Form):
    """Who signs a record, on its left and on its right (``records.signers``)."""

    def blocks(self) -> dict:
        return {side: {k: self[f"{side}_{k}"].data for k in FIELDS} for side in self.present()}

    def sides(self):
        return [(side, [self[f"{side}_{k}"] for k in FIELDS]) for side in self.present()]

    def present(self) -> list[str]:
        """The sides the record has a signer on (the view removes the others)."""
        return [side for side in SIDES if f"{side}_position" in self._fields]


FIELDS = ("authority", "principal", "position", "name")
for _side in SIDES:
    setattr(
        SignersForm,
        f"{_side}_authority",
        select(
            _l("Signs under"),
            choices=options([("", _l("Own name"))] + [(a, a) for a in AUTHORITIES if a]),
        ),
    )
    setattr(
        SignersForm,
        f"{_side}_principal",
        text(_l("For (the office signed for)"), max_length=200, required=False),
    )
    setattr(SignersForm, f"{_side}_position", text(_l("Position"), max_length=200))
    setattr(SignersForm, f"{_side}_name", text(_l("Name"), max_length=200, is_name=True))


#: A symbol or an abbreviation: capitals, digits and Đ, joined by hyphens ("BB", "VP", "UBND")
SYMBOL = Regexp(
    r"^[A-Za-z0-9ĐđÀ-ỹ]+(-[A-Za-z0-9ĐđÀ-ỹ]+)*$",
    message=_l("Letters and digits only, joined by hyphens."),
)
#: The highest number a series may be set to start from
MAX_NUMBER = 99_999


class AgencyForm(Form):
    """The letterhead (how the agency names itself on its records, ``org.AgencySettings``)
    and each record kind's number series."""

    parent_agency = text(_l("Governing agency"), max_length=200, required=False)
    agency = text(_l("Agency name"), max_length=200, multiline=True)
    abbreviation = text(_l("Abbreviation"), max_length=30, validators=[SYMBOL])
    place = text(_l("Place name"), max_length=100)
    head_position = text(_l("Position of the agency's head"), max_length=200, required=False)
    head_name = text(_l("Name of the agency's head"), max_length=200, required=False, is_name=True)

    def series(self) -> dict[RecordKind, tuple[str, int]]:
        return {
            k: (getattr(self, f"symbol_{k.value}").data, getattr(self, f"next_{k.value}").data)
            for k in RecordKind
        }

    def series_fields(self):
        return [
            (k, getattr(self, f"symbol_{k.value}"), getattr(self, f"next_{k.value}"))
            for k in RecordKind
        ]


for _kind in RecordKind:
    setattr(
        AgencyForm,
        f"symbol_{_kind.value}",
        text(_l("Symbol"), max_length=20, validators=[SYMBOL]),
    )
    setattr(
        AgencyForm,
        f"next_{_kind.value}",
        IntegerField(
            _l("Next number"),
            widget=NumberInput(min=1, max=MAX_NUMBER),
            validators=[
                DataRequired(_l("This field is required.")),
                NumberRange(
                    min=1, max=MAX_NUMBER, message=_l("From 1 to %(max)d.", max=MAX_NUMBER)
                ),
            ],
        ),
    )

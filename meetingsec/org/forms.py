"""Forms for units and venues."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField
from wtforms.validators import DataRequired, NumberRange, Regexp
from wtforms.widgets import NumberInput

from meetingsec.core.forms import Form, options, select, text
from meetingsec.records.choices import RecordKind


class UnitForm(Form):
    name = text(_l("Unit name"), max_length=200, is_name=True)
    parent_id = select(_l("Parent unit"), coerce=int)
    active = BooleanField(_l("In use"), default=True)

    def set_parents(self, units, paths, exclude_id=None):
        self.parent_id.choices = options(
            [(0, _l("— None (top level) —"))]
            + [(u.id, paths[u.id]) for u in units if u.id != exclude_id]
        )


class VenueForm(Form):
    name = text(_l("Venue name"), max_length=200, is_name=True)
    address = text(_l("Address"), max_length=300, required=False)
    at_hq = BooleanField(_l("At the agency's headquarters"), default=True)
    closed_room = BooleanField(_l("Closed meeting room"), default=True)
    active = BooleanField(_l("In use"), default=True)


#: A symbol or an abbreviation: capitals, digits and Đ, joined by hyphens ("BB", "VP", "UBND")
SYMBOL = Regexp(
    r"^[A-Za-z0-9ĐđÀ-ỹ]+(-[A-Za-z0-9ĐđÀ-ỹ]+)*$",
    message=_l("Letters and digits only, joined by hyphens."),
)
#: The highest number a series may be set to start from
MAX_NUMBER = 99_999


class AgencyForm(Form):
    """How the agency names itself on its records, and each record's number series."""

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

"""Forms of the device registry and the police checks."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField
from wtforms.validators import NumberRange

from meetingsec.core.forms import (
    Form,
    GetForm,
    bounded_id,
    checkboxes,
    form_key,
    options,
    select,
    text,
    verdict,
)
from meetingsec.devices.choices import DeviceKind, InspectionResult


class DeviceForm(Form):
    kind = select(_l("Kind of device"), choices=options((k.value, k.title) for k in DeviceKind))
    make = text(_l("Make"), max_length=100, required=False, is_name=True)
    model = text(_l("Model"), max_length=100, required=False, is_name=True)
    serial = text(_l("Serial number"), max_length=100, required=False)
    owner_unit_id = select(_l("Owner unit"), coerce=int)
    ban_co_yeu = BooleanField(_l("Supplied by Ban Cơ yếu Chính phủ"))
    notes = text(_l("Notes"), max_length=2000, required=False, multiline=True)
    active = BooleanField(_l("In use"), default=True)

    def set_units(self, units, *, none: bool = True):
        """The units a device may belong to (``none``: or to no unit)."""
        self.owner_unit_id.choices = options(
            ([(0, _l("— No unit —"))] if none else []) + [(u.id, u.name) for u in units]
        )


class CodeForm(GetForm):
    """What a camera, a keyboard-wedge scanner or a person's typing sends."""

    code = text(_l("Tag code"), max_length=40)


class DeviceSearchForm(GetForm):
    q = text(_l("Search the registry"), max_length=100, required=False)


class MeetingDeviceFilterForm(GetForm):
    """Finding devices in a meeting's long list: part of a make, model, serial or tag, and
    the state (``queries.DEVICES_SHOWN``)."""

    q = text(_l("Find a device"), max_length=100, required=False)
    show = select(
        _l("Show"),
        default="",
        choices=options(
            [
                ("", _l("Every device")),
                ("attention", _l("Devices failed or with a broken seal")),
                ("not_inspected", _l("Devices not yet inspected")),
                ("installed", _l("Installed devices")),
                ("withdrawn", _l("Devices withdrawn from the meeting")),
            ]
        ),
    )


class AddDeviceForm(Form):
    code = text(_l("Tag code"), max_length=40)


class LabelsForm(GetForm):
    ids = checkboxes(
        _l("Devices"),
        choices=[],
        coerce=bounded_id,
        required_message=_l("Choose at least one device."),
    )


class InspectionForm(Form):
    result = verdict(
        _l("Result"),
        choices=options((r.value, r.title) for r in InspectionResult),
        required_message=_l("Choose the result of the inspection."),
    )
    seal_number = text(_l("Security seal number"), max_length=40, required=False)
    notes = text(
        _l("Notes (the reason, when it failed)"), max_length=2000, required=False, multiline=True
    )
    key = form_key()
    based_on = IntegerField(widget=HiddenField.widget, validators=[NumberRange(min=0)], default=0)


class SealCheckForm(Form):
    seal_number = text(_l("Seal number seen on the device"), max_length=40)
    state = verdict(
        _l("State of the seal"),
        choices=options(
            [
                ("intact", _l("Intact")),
                ("broken", _l("Broken, torn or peeled off")),
            ]
        ),
        required_message=_l("Choose whether the seal is intact or broken."),
    )
    key = form_key()


class VenueCheckForm(Form):
    result = verdict(
        _l("Result"),
        choices=options([("pass", _l("Passed (đạt)")), ("fail", _l("Failed (không đạt)"))]),
        required_message=_l("Choose the result of the venue check."),
    )
    inside_notes = text(
        _l("Inside the venue: what was checked and found"), max_length=4000, multiline=True
    )
    outside_notes = text(
        _l("Around the venue: what was checked and found"), max_length=4000, multiline=True
    )
    key = form_key()

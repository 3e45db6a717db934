"""Forms of the meeting's life: create and edit, approve, decide devices, cancel; the list
filter."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange, ValidationError

from meetingsec.core.errors import CodedMessage
from meetingsec.core.forms import (
    Form,
    GetForm,
    InDateRange,
    checkboxes,
    date,
    form_key,
    options,
    select,
    text,
)
from meetingsec.legal.choices import Classification, MeetingFormat
from meetingsec.meetings.choices import DevicePolicy, MeetingKind
from meetingsec.meetings.lifecycle import MeetingStatus


def _datetime(label):
    return DateTimeLocalField(
        label,
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired(_l("This field is required.")), InDateRange()],
        invalid_value_message=_l("Enter a date and time."),
    )


class MeetingForm(Form):
    title = text(_l("Title"), max_length=300, is_name=True)
    kind = select(_l("Kind"), choices=options((k.value, k.title) for k in MeetingKind))
    classification = select(
        _l("Classification"), choices=options((c.value, c.title) for c in Classification)
    )
    format = select(_l("Format"), choices=options((f.value, f.title) for f in MeetingFormat))
    starts_at = _datetime(_l("Starts"))
    ends_at = _datetime(_l("Ends"))
    venue_id = select(_l("Venue"), coerce=int)
    host_unit_id = select(_l("Host unit"), coerce=int)
    chair_id = select(_l("Chair"), coerce=int)
    technician_ids = checkboxes(
        _l("Inspecting technicians (the police, or the host's own functional body)"),
        choices=[],
        coerce=int,
    )
    clerk_ids = checkboxes(_l("Door clerks"), choices=[], coerce=int)
    recording_planned = BooleanField(_l("The host plans to record (audio or video)"))
    identity_check = BooleanField(_l("Check each CCCD at the door (always at Tuyệt mật)"))
    invitations_secret = BooleanField(_l("The invitations carry secret content"))
    foreign_participation = BooleanField(_l("Foreign parties attend"))
    foreign_consent_by = text(
        _l("Written consent given by (name and position)"),
        max_length=200,
        required=False,
        is_name=True,
    )
    foreign_consent_number = text(_l("Number of the consent"), max_length=100, required=False)
    foreign_consent_date = date(_l("Date of the consent"), render_kw={"type": "date"})
    version = IntegerField(widget=HiddenField.widget, validators=[NumberRange(min=0)], default=0)

    def set_choices(self, c):
        self.venue_id.choices = options((v.id, v.name) for v in c["venues"])
        self.host_unit_id.choices = options((u.id, u.name) for u in c["units"])
        self.chair_id.choices = options(
            (u.id, f"{u.full_name} — {u.position}") for u in c["chairs"]
        )
        self.technician_ids.choices = options((u.id, u.full_name) for u in c["technicians"])
        self.clerk_ids.choices = options((u.id, u.full_name) for u in c["clerks"])

    def validate_ends_at(self, field):
        # A start that was refused compares with nothing (on an edit its data may still be
        # the meeting's stored UTC time, since WTForms keeps ``obj`` for a missing input).
        if self.starts_at.errors:
            return
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The end must come after the start."))


class ApproveForm(Form):
    approver_name = text(_l("Approved by (full name)"), max_length=200, is_name=True)
    approver_position = text(_l("Position of the approver"), max_length=200, is_name=True)
    approval_number = text(_l("Number of the approval document"), max_length=100)
    approval_date = date(
        _l("Date of the approval document"), required=True, render_kw={"type": "date"}
    )


class DeviceDecisionForm(Form):
    policy = select(
        _l("Devices at this Mật meeting"), choices=options((p.value, p.title) for p in DevicePolicy)
    )


class CancelForm(Form):
    reason = text(_l("Reason for cancelling"), max_length=2000, multiline=True)


class MeetingFilterForm(GetForm):
    status = select(
        _l("Status"),
        default="",
        choices=options([("", _l("All statuses"))] + [(s.value, s.title) for s in MeetingStatus]),
    )
    date_from = date(_l("From (date)"), render_kw={"type": "date"})
    date_to = date(_l("To (date)"), render_kw={"type": "date"})

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(
                CodedMessage(_l("The end date is before the start date."), "dates_reversed")
            )


class RoomSealForm(Form):
    """The evening: the seal put on the room's door, its number scanned or typed."""

    seal_number = text(_l("Seal number (scan or type)"), max_length=40)
    key = form_key()


class RoomFoundForm(Form):
    """Next morning: the seal scanned again, and whether it is intact."""

    seal_number = text(_l("Seal number found on the door (scan or type)"), max_length=40)
    intact = select(
        _l("The seal is"),
        choices=options([("yes", _l("Intact")), ("no", _l("Broken or torn"))]),
    )
    key = form_key()

"""Forms of the door."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, IntegerField
from wtforms.validators import NumberRange, Optional, Regexp
from wtforms.widgets import NumberInput

from meetingsec.core.forms import Form, GetForm, bounded_id, checkboxes, form_key, text
from meetingsec.door.choices import MAX_ITEMS, DepositKind


class CodeForm(GetForm):
    code = text(_l("Invitation code: scan, or type it"), max_length=40)


class FindForm(Form):
    """Step 1 sent: an invitation's code, or a citizen identity card (the QR on its front,
    or its 12-digit number) — posted, so a card's data stays out of addresses and logs."""

    key = form_key()
    code = text(_l("Invitation or citizen identity card (CCCD): scan, or type"), max_length=300)


class TicketForm(GetForm):
    code = text(_l("Claim ticket code: scan, or type it"), max_length=40)


class SearchForm(GetForm):
    q = text(_l("Or search by name"), max_length=100, required=False)


class DevicesForm(Form):
    """One count per kind of device, and the explicit "carries none"."""

    carries_none = BooleanField(_l("Carries no device"))

    def items(self) -> dict[str, int]:
        return {k.value: getattr(self, f"n_{k.value}").data or 0 for k in DepositKind}

    #: The most of one kind at one entry (the steppers' bound)
    max_items = MAX_ITEMS

    def count_fields(self):
        return [getattr(self, f"n_{k.value}") for k in DepositKind]

    def counts(self) -> list[tuple[str, str, str, str, list]]:
        """Each kind's stepper as plain data, (id, name, label, value as sent, errors), for
        the template to draw as HTML of its own: WTForms' widgets cost more than the
        rest of the card."""
        return [(f.id, f.name, f.label.text, f._value(), f.errors) for f in self.count_fields()]


for _kind in DepositKind:
    setattr(
        DevicesForm,
        f"n_{_kind.value}",
        IntegerField(
            _kind.title,
            widget=NumberInput(min=0, max=MAX_ITEMS),
            validators=[
                Optional(),
                NumberRange(min=0, max=MAX_ITEMS, message=_l("From 0 to %(max)d.", max=MAX_ITEMS)),
            ],
            default=0,
        ),
    )


class CheckInForm(DevicesForm):
    #: The invitation's code, as scanned: the check-in finds the attendee by it (its id is
    #: not the scan field's: the door page that follows a check-in replaces this step)
    code = HiddenField(id="attendee-code")
    key = form_key()
    signature = HiddenField()
    commitment_sha256 = HiddenField(
        validators=[
            Regexp(
                r"^[0-9a-f]{64}$",
                message=_l("The form expired. Reload the page and try again."),
            )
        ]
    )


class ReentryForm(DevicesForm):
    key = form_key()


class LeaveForm(Form):
    key = form_key()


class RefusalForm(Form):
    key = form_key()
    name = text(_l("Full name"), max_length=200, is_name=True)
    unit = text(_l("Unit"), max_length=300, required=False, is_name=True)
    reason = text(_l("Reason for refusal"), max_length=500)


class ReturnForm(Form):
    key = form_key()
    deposit_ids = checkboxes(
        _l("Items handed back"),
        choices=[],
        coerce=bounded_id,
        required_message=_l("Choose the items handed back."),
    )


class CommitmentForm(Form):
    text = text(_l("Commitment text attendees sign"), max_length=4000, multiline=True)


class IdentityForm(Form):
    """The citizen identity card's QR (camera or scanner), or its 12-digit number typed."""

    key = form_key()
    code = text(_l("Citizen identity card (CCCD): scan its QR, or type its number"), max_length=300)


class IdentityRefusalForm(Form):
    key = form_key()

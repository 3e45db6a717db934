"""Forms of the documents screens."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, DataRequired, NumberRange
from wtforms.widgets import NumberInput

from meetingsec.core.forms import Form, GetForm, form_key, options, select, text
from meetingsec.documents.services import MAX_COPIES
from meetingsec.legal.choices import Classification


class DocumentForm(Form):
    number = text(_l("Number and symbol (e.g. 12/BC-CAT)"), max_length=100)
    title = text(_l("Summary of the content (trích yếu)"), max_length=300, is_name=True)
    classification = select(
        _l("Classification"), choices=options((c.value, c.title) for c in Classification)
    )
    copy_count = IntegerField(
        _l("Number of copies"),
        widget=NumberInput(min=1, max=MAX_COPIES),
        validators=[
            DataRequired(_l("Enter a whole number from 1 to %(max)d.", max=MAX_COPIES)),
            NumberRange(min=1, max=MAX_COPIES, message=_l("From 1 to %(max)d.", max=MAX_COPIES)),
        ],
    )
    copy_authorisation = text(
        _l("Permission to copy: who allowed it, document number and date"),
        max_length=500,
        required=False,
    )


class AuthorisationForm(Form):
    copy_authorisation = text(
        _l("Permission to copy: who allowed it, document number and date"), max_length=500
    )


class AttendeeCodeForm(GetForm):
    code = text(_l("Invitation code of the attendee: scan, or type it"), max_length=40)


class CopyCodeForm(Form):
    """A copy's label scanned (POST: it changes something)."""

    key = form_key()
    code = text(_l("Copy label: scan, or type it"), max_length=40)


class InvitationBackForm(Form):
    """The door takes an invitation copy back from its holder; ``back``: the page it was
    on (the attendee's card, or the card of devices handed back at the end)."""

    key = form_key()
    back = HiddenField(validators=[AnyOf(("card", "returns"))], default="card")


class LostForm(Form):
    reason = text(_l("What happened (when, where, who was told)"), max_length=1000, multiline=True)


class CopyFilterForm(GetForm):
    """Finding copies in a long register: of one document, in one state."""

    document = select(_l("Document"), coerce=int, default=0)
    state = select(
        _l("State"),
        default="",
        choices=options(
            [
                ("", _l("Every copy")),
                ("in_hand", _l("Not handed out")),
                ("handed_out", _l("Handed out, still out")),
                ("recovered", _l("Recovered")),
                ("lost", _l("Reported lost")),
            ]
        ),
    )

    def set_documents(self, documents) -> None:
        self.document.choices = options(
            [(0, _l("Every document"))] + [(d.id, f"{d.number}: {d.title}") for d in documents]
        )

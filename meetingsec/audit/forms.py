"""The audit log's filter form (read from the query string)."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from meetingsec.audit.checkpoints import AnchorError, parse_anchor
from meetingsec.audit.labels import action_label, object_label
from meetingsec.core.errors import CodedMessage
from meetingsec.core.forms import GetForm, date, options, select, text


def _by_label(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Choices in the order people read them: by their translated label."""
    return sorted(choices, key=lambda c: c[1].casefold())


class AuditFilterForm(GetForm):
    actor = select(_l("Who"), coerce=int, default=0)
    action = select(_l("What"), default="")
    object_type = select(_l("Object type"), default="")
    object_id = text(_l("Object id"), max_length=64, required=False)
    date_from = date(_l("From (date)"), render_kw={"type": "date"})
    date_to = date(_l("To (date)"), render_kw={"type": "date"})

    def set_choices(self, actors, actions, object_types):
        self.actor.choices = options(
            [(0, _l("Everyone")), (-1, _l("System or anonymous"))]
            + [(u.id, f"{u.full_name} ({u.username})") for u in actors]
        )
        self.action.choices = options(
            [("", _l("All actions"))] + _by_label([(a, action_label(a)) for a in actions])
        )
        self.object_type.choices = options(
            [("", _l("All objects"))] + _by_label([(t, object_label(t)) for t in object_types])
        )

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(
                CodedMessage(_l("The end date is before the start date."), "dates_reversed")
            )


class AnchorForm(GetForm):
    """An anchor kept off the machine: a paper record's QR (scanned or typed) or the content
    of a file ``flask audit export-head`` wrote (pasted)."""

    code = text(
        _l("A record's audit QR, or an exported checkpoint"),
        max_length=4000,
        required=False,
        multiline=True,
    )

    def validate_code(self, field):
        if not field.data:
            return
        try:
            self.anchor = parse_anchor(field.data)
        except AnchorError as exc:
            raise ValidationError(
                _l(
                    "Not an audit anchor: scan the QR beside the chain's head on a printed "
                    "record, or paste a file made by 'flask audit export-head'."
                )
            ) from exc

"""The audit log's filter form (read from the query string)."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField
from wtforms.validators import Optional, ValidationError

from meetingsec.core.forms import GetForm, text


class AuditFilterForm(GetForm):
    actor = SelectField(_l("Who"), coerce=int, validate_choice=True, default=0)
    action = SelectField(_l("What"), validate_choice=True, default="")
    object_type = SelectField(_l("Object type"), validate_choice=True, default="")
    object_id = text(_l("Object id"), max_length=64, required=False)
    date_from = DateField(_l("From (date)"), validators=[Optional()],
                          render_kw={"type": "date"})
    date_to = DateField(_l("To (date)"), validators=[Optional()], render_kw={"type": "date"})

    def set_choices(self, actors, actions, object_types):
        self.actor.choices = [(0, _l("Everyone")), (-1, _l("System or anonymous"))] + [
            (u.id, f"{u.full_name} ({u.username})") for u in actors]
        self.action.choices = [("", _l("All actions"))] + [(a, a) for a in actions]
        self.object_type.choices = [("", _l("All objects"))] + [(t, t) for t in object_types]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

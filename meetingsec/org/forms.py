"""Forms for units and venues."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from meetingsec.core.forms import Form, options, select, text


class UnitForm(Form):
    name = text(_l("Unit name"), max_length=200, is_name=True)
    parent_id = select(_l("Parent unit"), coerce=int)
    #: not named as the model's column: a unit without a mark holds None, not a choice
    body = select(
        _l("Inspected by"),
        choices=options(
            [
                ("", _l("As its parent unit (the police when none is marked)")),
                ("defence", _l("A unit of the Ministry of Defence: its own functional body")),
                ("ban_co_yeu", _l("A unit of Ban Cơ yếu Chính phủ: its own functional body")),
            ]
        ),
        default="",
    )
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

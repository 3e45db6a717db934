"""Forms of the records and closing pages."""

from flask_babel import lazy_gettext as _l

from meetingsec.core.forms import Form, bounded_id, checkboxes, text


class UnclaimedForm(Form):
    deposit_ids = checkboxes(
        _l("Items nobody came back for"),
        choices=[],
        coerce=bounded_id,
        required_message=_l("Choose the items left behind."),
    )
    note = text(_l("Where they are kept, and who keeps them"), max_length=500)

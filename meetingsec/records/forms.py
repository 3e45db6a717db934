"""Forms of the records and closing pages."""

from flask_babel import lazy_gettext as _l

from meetingsec.core.forms import Form, bounded_id, checkboxes, options, select, text
from meetingsec.records.signers import AUTHORITIES, SIDES


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

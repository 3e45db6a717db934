"""The report's period."""

from flask_babel import lazy_gettext as _l

from meetingsec.core.forms import Form, GetForm, options, select, text
from meetingsec.reports.narrative import KEYS, PARTS
from meetingsec.reports.services import MAX_CHARS

PERIOD_TITLES = (
    ("q1", _l("1st quarter")),
    ("q2", _l("2nd quarter")),
    ("q3", _l("3rd quarter")),
    ("q4", _l("4th quarter")),
    ("year", _l("Whole year")),
)


class PeriodForm(GetForm):
    year = select(_l("Year"), coerce=int)
    period = select(_l("Period"), choices=options(PERIOD_TITLES))

    def __init__(self, *args, years=(), **kw):
        super().__init__(*args, **kw)
        self.year.choices = options((y, str(y)) for y in years)


class NarrativeForm(Form):
    """What the agency writes in the report (``reports.narrative.PARTS``), one text a
    part; the button pressed says whether to keep a draft or generate."""

    def texts(self) -> dict[str, str]:
        return {k: self[k].data or "" for k in KEYS}


for _part in PARTS:
    setattr(
        NarrativeForm,
        _part.key,
        text(_part.label, max_length=MAX_CHARS, required=False, multiline=True),
    )

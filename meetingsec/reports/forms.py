"""The report's period."""

from flask_babel import lazy_gettext as _l

from meetingsec.core.forms import GetForm, options, select

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

"""The periodic report's narrative: saved as a draft per period, editable until the report
is generated, each change audited."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from meetingsec.reports.figures import Period, Report
from meetingsec.reports.models import ReportNarrative
from meetingsec.reports.narrative import KEYS, missing, narrative_of, texts_of

#: The longest a part may be
MAX_CHARS = 20_000


def save_narrative(
    period: Period, texts: dict[str, str], *, actor, now: datetime | None = None
) -> ReportNarrative | None:
    """Keep what the agency wrote for the period (a draft); audited as
    ``report.narrative_saved`` with the parts that changed. Refused once generated."""
    now = now or utcnow()
    narrative = narrative_of(period)
    if narrative is not None and narrative.generated_at is not None:
        raise DomainError(
            _l("This period's report has been generated: its text is kept as printed."),
            "report_generated",
        )
    values = {k: _clean(texts.get(k)) for k in KEYS}
    for key, value in values.items():
        if len(value) > MAX_CHARS:
            raise DomainError(
                _l("At most %(max)d characters.", max=MAX_CHARS), "too_long", field=key
            )
    before = texts_of(narrative)
    changed = [k for k in KEYS if before[k] != values[k]]
    if narrative is None and not changed:
        return None  # nothing written yet: nothing to keep
    if narrative is None:
        narrative = ReportNarrative(year=period.year, period=period.period, **before)
        db.session.add(narrative)
    for key in changed:
        setattr(narrative, key, values[key])
    if changed:
        narrative.updated_by_id, narrative.updated_at = actor.id, now
        db.session.flush()
        record(
            "report.narrative_saved",
            narrative,
            actor=actor,
            now=now,
            data={"period": f"{period.year}-{period.period}", "parts": changed},
        )
    return narrative


def generate_report(
    report: Report, texts: dict[str, str], *, actor, now: datetime | None = None
) -> ReportNarrative:
    """Save the text, then generate: every part the report asks for written (the first
    one missing is named), the text kept as printed from now on; audited as
    ``report.generated``."""
    now = now or utcnow()
    period = report.period
    narrative = save_narrative(period, texts, actor=actor, now=now)
    gaps = missing(texts_of(narrative), report)
    if gaps:
        raise DomainError(
            _l("Write this part of the report before generating it: %(part)s.", part=gaps[0].label),
            "part_missing",
            field=gaps[0].key,
        )
    narrative.generated_by_id, narrative.generated_at = actor.id, now
    db.session.flush()
    record(
        "report.generated",
        narrative,
        actor=actor,
        now=now,
        data={
            "period": f"{period.year}-{period.period}",
            "meetings": [r.meeting.id for r in report.rows],
            "cases": [c.incident.id for c in report.cases],
        },
    )
    return narrative


def _clean(value) -> str:
    """Lines kept, spaces at their ends and empty lines at the ends dropped."""
    lines = [line.rstrip() for line in str(value or "").replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()

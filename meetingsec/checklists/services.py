"""A meeting's checklist: generated from the ruleset, marked by people, evaluated live."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.audit.services import record
from meetingsec.checklists import queries
from meetingsec.checklists.derived import CHECKS, Figures
from meetingsec.checklists.models import ChecklistItem, RuleCitation
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.core.i18n import local_date
from meetingsec.documents import queries as documents
from meetingsec.door import queries as door
from meetingsec.extensions import db
from meetingsec.legal.choices import Classification, MeetingFormat, Phase, RuleKind
from meetingsec.legal.rules import MeetingFacts, Rule, applicable_rules, rulesets
from meetingsec.meetings.access import responsible_ids
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.models import Meeting

#: Manual marks
OPEN, DONE, NOT_APPLICABLE = "open", "done", "not_applicable"


#: The meeting's columns its facts are read from: a change to one re-derives the items
FACT_FIELDS = (
    "classification",
    "venue_id",
    "format",
    "starts_at",
    "ends_at",
    "recording_planned",
    "foreign_participation",
)


def fact_values(meeting: Meeting) -> tuple:
    """The meeting's values of ``FACT_FIELDS`` (compared before and after a change)."""
    return tuple(getattr(meeting, name) for name in FACT_FIELDS)


def facts_of(meeting: Meeting) -> MeetingFacts:
    return MeetingFacts(
        classification=Classification(meeting.classification),
        at_hq=meeting.venue.at_hq,
        format=MeetingFormat(meeting.format),
        recording_planned=meeting.recording_planned,
        foreign_participation=meeting.foreign_participation,
        multi_day=local_date(meeting.starts_at) != local_date(meeting.ends_at),
        devices_deposited=door.has_deposits(meeting.id) if meeting.id else False,
        # documents registered in meetingsec are the ones handed out to attendees
        documents_handed_out=documents.has_documents(meeting.id) if meeting.id else False,
    )


def meeting_rules(meeting: Meeting) -> list[Rule]:
    return applicable_rules(rulesets()[meeting.ruleset_id], facts_of(meeting))


def sync_items(meeting: Meeting, *, actor, now: datetime | None = None) -> None:
    """Make the items match the rules that apply now. Items whose rule still applies keep
    their state; new ones open; the others go (their state stays in the audit log)."""
    wanted = [r.id for r in meeting_rules(meeting)]
    items = queries.items_of(meeting)
    have = {i.rule_id: i for i in items}
    added = [rid for rid in wanted if rid not in have]
    removed = [have[rid] for rid in have if rid not in wanted]
    for rid in added:
        items.append(ChecklistItem(rule_id=rid, state=OPEN, note=""))
    for item in removed:
        items.remove(item)
    if added or removed:
        record(
            "checklist.generated",
            meeting,
            actor=actor,
            now=now,
            data={
                "ruleset": f"{meeting.ruleset_id}@{meeting.ruleset_version}",
                "added": added,
                "removed": [{"rule": i.rule_id, "state": i.state, "note": i.note} for i in removed],
            },
        )


def mark_item(
    meeting: Meeting, rule_id: str, *, actor, state: str, note: str, now: datetime | None = None
) -> ChecklistItem:
    """Mark a manual item done (with a note), not applicable (with a reason), or open again."""
    item = next((i for i in queries.items_of(meeting) if i.rule_id == rule_id), None)
    rule = rulesets()[meeting.ruleset_id].rule(rule_id)
    if item is None or rule is None:
        raise DomainError(_l("This item is not on the meeting's checklist."), "unknown_item")
    if rule.kind is RuleKind.DERIVED:
        raise DomainError(
            _l("This item is computed from the meeting's data and cannot be ticked by hand."),
            "derived_item",
        )
    if actor.id not in responsible_ids(meeting, rule.who):
        raise NotAllowed(
            _l("Only the person responsible (%(role)s) can mark this item.", role=rule.who.title),
            "not_responsible",
        )
    if not meeting.status.allows(Action.mark(rule.phase)):
        raise DomainError(
            _l("This item can no longer be changed at this stage of the meeting."), "item_locked"
        )
    if state not in (OPEN, DONE, NOT_APPLICABLE):
        raise DomainError(_l("Choose one of the options in the list."), "bad_state")
    if state != OPEN and not note:
        message = (
            _l("Write what was done (for example the document's number).")
            if state == DONE
            else _l("Write why this item does not apply.")
        )
        raise DomainError(message, "note_required", field="note")
    now = now or utcnow()
    record(
        "checklist.item_marked",
        item,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "rule": rule_id,
            "state": [item.state, state],
            "note": note,
        },
    )
    item.state, item.note = state, note if state != OPEN else ""
    item.marked_by_id, item.marked_at = actor.id, now
    return item


# -- evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    rule: Rule
    item: ChecklistItem
    citation: str
    verified: bool
    #: done, not_applicable, open (manual); met, unmet (derived)
    status: str
    reason: object = None

    @property
    def satisfied(self) -> bool:
        return self.status in (DONE, NOT_APPLICABLE, "met")

    @property
    def is_manual(self) -> bool:
        return self.rule.kind is RuleKind.MANUAL


def citations(ruleset_id: str) -> dict[str, RuleCitation]:
    rows = db.session.scalars(select(RuleCitation).where(RuleCitation.ruleset_id == ruleset_id))
    return {r.rule_id: r for r in rows}


def evaluate(meeting: Meeting, figures: Figures, overrides: dict | None = None) -> list[ItemView]:
    """Every item of the meeting with its current status, in the ruleset's order.
    ``figures`` what the derived checks count (the records missing among them: the whole
    evaluation is ``records.queries.evaluate_checklist``); ``overrides`` the admins'
    citation corrections (looked up when not given)."""
    ruleset = rulesets()[meeting.ruleset_id]
    if overrides is None:
        overrides = citations(ruleset.id)
    items = {i.rule_id: i for i in queries.items_of(meeting)}
    views = []
    for rule in ruleset.rules:
        item = items.get(rule.id)
        if item is None:
            continue
        o = overrides.get(rule.id)
        cite, verified = (o.citation, o.verified) if o else (rule.citation, rule.verified)
        if rule.kind is RuleKind.DERIVED:
            outcome = CHECKS[rule.check](meeting, figures)
            status, reason = ("met", None) if outcome.met else ("unmet", outcome.reason)
        else:
            status = item.state
            reason = _l("Not marked yet.") if status == OPEN else None
        views.append(ItemView(rule, item, cite, verified, status, reason))
    return views


def readiness(views: list[ItemView]) -> dict[Phase, tuple[int, int]]:
    """(satisfied, total) per phase."""
    out = {}
    for phase in Phase:
        in_phase = [v for v in views if v.rule.phase is phase]
        out[phase] = (sum(v.satisfied for v in in_phase), len(in_phase))
    return out


def blockers(views: list[ItemView], phase: Phase = Phase.BEFORE) -> list[ItemView]:
    return [v for v in views if v.rule.phase is phase and not v.satisfied]


def set_citation(
    ruleset_id: str,
    rule_id: str,
    *,
    actor,
    citation: str,
    verified: bool,
    article_text: str = "",
    now: datetime | None = None,
) -> RuleCitation:
    """An administrator confirms or corrects a rule's citation. Confirming a citation the
    ruleset ships as "to be checked" needs the article's text, pasted from the official
    source: it is kept with the citation and in the audit log."""
    ruleset = rulesets().get(ruleset_id)
    rule = ruleset.rule(rule_id) if ruleset else None
    if rule is None:
        raise DomainError(_l("Unknown rule."), "unknown_rule")
    article_text = article_text.strip()
    if verified and not rule.verified and not article_text:
        raise DomainError(
            _l("Paste the article's text as read in the official source to confirm it."),
            "article_text_required",
            field="article_text",
        )
    now = now or utcnow()
    row = db.session.get(RuleCitation, (ruleset_id, rule_id))
    old = (row.citation, row.verified) if row else (rule.citation, rule.verified)
    if row is None:
        row = RuleCitation(ruleset_id=ruleset_id, rule_id=rule_id)
        db.session.add(row)
    row.citation, row.verified, row.article_text, row.updated_by_id, row.updated_at = (
        citation,
        verified,
        article_text,
        actor.id,
        now,
    )
    record(
        "rule.citation_updated",
        actor=actor,
        now=now,
        object_type="rule",
        object_id=f"{ruleset_id}/{rule_id}",
        data={
            "citation": [old[0], citation],
            "verified": [old[1], verified],
            "article_text": article_text,
        },
    )
    return row


def readiness_by_meeting(meetings, missing_records: dict[int, list]) -> dict[int, dict]:
    """Done/total per phase for a page of meetings (loaded with ``queries.checklist_loads()``):
    the door's, entries' and documents' figures counted for all at once, a few queries
    whatever the number of meetings; ``missing_records`` the records missing of each
    (``records.queries.readiness_by_meeting`` gives them)."""
    ids = [m.id for m in meetings]
    door_counts = door.counters_by_meeting(ids)
    # only meetings someone entered have entries to check
    entries = door.entry_gaps_by_meeting([i for i in ids if door_counts[i].checked_in])
    copy_counts = documents.copy_counts_by_meeting(ids)
    return {
        m.id: readiness(
            evaluate(
                m,
                Figures(
                    m,
                    door=door_counts[m.id],
                    copies=copy_counts[m.id],
                    entries=entries.get(m.id, door.EntryGaps()),
                    missing_records=missing_records[m.id],
                ),
                overrides={},
            )
        )
        for m in meetings
    }

"""Each rule of the table, on real meetings, in both regimes: its item appears on exactly
the meetings it applies to, and while it is not satisfied it blocks the gate of its phase
(before: "cleared to start"; after: closing) and no other."""

from dataclasses import dataclass, field

import pytest

from meetingsec.checklists.services import blockers
from meetingsec.extensions import db
from meetingsec.legal.choices import Phase
from meetingsec.legal.rules import rulesets
from meetingsec.records.queries import evaluate_checklist
from tests.factories import organiser_of


@dataclass(frozen=True)
class Case:
    """The rule's phase as the table of legal-rules.md says it, a meeting it applies to
    (where it is not satisfied yet) and one it does not apply to (None: applies to all)."""

    phase: Phase
    applies: dict = field(default_factory=dict)
    not_applies: dict | None = None
    #: the meeting is built as ``ended_meeting`` (check-ins, deposits, a copy out)
    ended: bool = False


B, S, A = Phase.BEFORE, Phase.DURING, Phase.AFTER
TABLE = {
    "approve-use": Case(B),
    "head-accountable": Case(B),
    "attendee-list": Case(B),
    "foreign-participation": Case(
        B, {"foreign_participation": True}, {"foreign_participation": False}
    ),
    "attendee-control": Case(S),
    "tm-attendee-screening": Case(
        S, {"classification": "tuyet_mat"}, {"classification": "toi_mat"}
    ),
    "safe-venue": Case(B),
    "closed-room-hq": Case(B, {"at_hq": True, "closed_room": False}, {"at_hq": False}),
    "offsite-police-check": Case(B, {"at_hq": False}, {"at_hq": True}),
    "wired-mic": Case(B),
    "equip-inspected": Case(B),
    "seals-intact": Case(B),
    "online-link": Case(B, {"format": "online"}, {"format": "in_person"}),
    "no-devices": Case(S, {"classification": "toi_mat"}, {"classification": "mat"}),
    "mat-devices-chair": Case(B, {"classification": "mat"}, {"classification": "toi_mat"}),
    "host-recording": Case(B, {"recording_planned": True}, {"recording_planned": False}),
    "protection-plan": Case(B),
    "outside-guards": Case(B, {"classification": "tuyet_mat"}, {"classification": "mat"}),
    "attendee-duty": Case(S),
    "room-sealed-overnight": Case(S, {"multi_day": True}, {}),
    "copy-control": Case(B, {"unauthorised_copies": True}, {}),
    "recover-docs": Case(A, ended=True),
    "devices-returned": Case(A, ended=True, not_applies={}),
    "records-made": Case(A, ended=True),
}


def test_the_table_names_every_rule_of_both_regimes():
    for ruleset in rulesets().values():
        assert {r.id for r in ruleset.rules} == set(TABLE)
        assert {r.id: r.phase for r in ruleset.rules} == {k: c.phase for k, c in TABLE.items()}


def _meeting(make_meeting, ended_meeting, regime, kw, ended):
    kw = dict(kw)
    unauthorised = kw.pop("unauthorised_copies", False)
    multi_day = kw.pop("multi_day", False)
    if ended:
        meeting = ended_meeting(**kw)[0]
    else:
        meeting = make_meeting(**kw)
    if multi_day:
        from datetime import timedelta

        from meetingsec.checklists.services import sync_items

        meeting.ends_at = meeting.starts_at + timedelta(days=2)
        sync_items(meeting, actor=None)
        db.session.commit()
    if unauthorised:
        from meetingsec.workflows.services import register_document

        register_document(
            meeting,
            actor=organiser_of(meeting),
            number="01/TB",
            title="Thông báo",
            classification=meeting.classification,
            copy_count=1,
        )
        db.session.commit()
    # new meetings start in a week (vn-2026); a vn-2020 one is one generated before 01/3/2026
    if meeting.ruleset_id != regime:
        from meetingsec.checklists.services import sync_items

        meeting.ruleset_id, meeting.ruleset_version = regime, rulesets()[regime].version
        sync_items(meeting, actor=None)
        db.session.commit()
    return meeting


@pytest.mark.parametrize("regime", ["vn-2020", "vn-2026"])
@pytest.mark.parametrize("rule_id", list(TABLE))
def test_each_rule_applies_and_blocks_as_its_phase_says(
    rule_id, regime, make_meeting, ended_meeting
):
    case = TABLE[rule_id]
    meeting = _meeting(make_meeting, ended_meeting, regime, case.applies, case.ended)
    views = evaluate_checklist(meeting)
    view = next((v for v in views if v.rule.id == rule_id), None)
    assert view is not None, f"{rule_id} should apply"
    assert view.citation
    if regime == "vn-2026":  # the new law's articles are still to be checked
        assert not view.verified
    assert not view.satisfied
    for phase in (B, A):
        blocking = {v.rule.id for v in blockers(views, phase)}
        assert (rule_id in blocking) is (phase is case.phase)
    if case.not_applies is not None:
        other = _meeting(make_meeting, ended_meeting, regime, case.not_applies, False)
        assert rule_id not in {v.rule.id for v in evaluate_checklist(other)}

"""Meetings through their services: checklist generation, regeneration, marks, the gate."""

from datetime import date, timedelta

import pytest

from meetingsec.checklists import services as checklist
from meetingsec.checklists.queries import items_of
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from meetingsec.legal.rules import rulesets
from meetingsec.meetings import services
from meetingsec.meetings.services import MeetingData
from meetingsec.records.queries import evaluate_checklist
from meetingsec.workflows import services as workflows
from tests.factories import chair_of, organiser_of
from tests.helpers import actions


def _data(meeting, **changes):
    values = dict(
        title=meeting.title,
        kind=meeting.kind,
        classification=meeting.classification,
        format=meeting.format,
        starts_at=meeting.starts_at,
        ends_at=meeting.ends_at,
        venue=meeting.venue,
        host_unit=meeting.host_unit,
        chair=chair_of(meeting),
        technicians=[],
        clerks=[],
        recording_planned=meeting.recording_planned,
    )
    values.update(changes)
    return MeetingData(**values)


def _ids(meeting):
    return {i.rule_id for i in items_of(meeting)}


def test_checklist_is_generated_at_once_from_the_regime_in_force(make_meeting):
    meeting = make_meeting(classification="tuyet_mat", at_hq=False)
    assert meeting.ruleset_id == "vn-2026" and meeting.ruleset_version == 2
    assert {"offsite-police-check", "no-devices", "outside-guards"} <= _ids(meeting)
    assert "closed-room-hq" not in _ids(meeting)
    assert actions()[-2:] == ["meeting.created", "checklist.generated"]


def test_changing_facts_regenerates_and_keeps_done_items(make_meeting, make_user):
    meeting = make_meeting(classification="tuyet_mat", at_hq=False)
    organiser = organiser_of(meeting)
    checklist.mark_item(
        meeting, "protection-plan", actor=organiser, state="done", note="Phương án số 12/PA-VP"
    )
    db.session.commit()
    from meetingsec.org.services import save_venue

    hq = save_venue(
        None, actor=None, name="Phòng họp kín", address="", at_hq=True, closed_room=True
    )
    workflows.update_meeting(
        meeting,
        _data(meeting, classification="mat", venue=hq),
        actor=organiser,
        version=meeting.version,
    )
    db.session.commit()
    ids = _ids(meeting)
    assert "closed-room-hq" in ids and "mat-devices-chair" in ids
    assert not ids & {"offsite-police-check", "no-devices", "outside-guards"}
    kept = next(i for i in items_of(meeting) if i.rule_id == "protection-plan")
    assert kept.state == "done" and kept.note == "Phương án số 12/PA-VP"
    assert actions()[-1] == "checklist.generated"


def test_stale_version_is_refused_and_nothing_is_overwritten(make_meeting):
    meeting = make_meeting()
    version = meeting.version
    workflows.update_meeting(
        meeting,
        _data(meeting, title="Tiêu đề của người thứ nhất"),
        actor=organiser_of(meeting),
        version=version,
    )
    db.session.commit()
    with pytest.raises(DomainError) as e:
        workflows.update_meeting(
            meeting,
            _data(meeting, title="Tiêu đề người thứ hai"),
            actor=organiser_of(meeting),
            version=version,
        )
    assert e.value.code == "stale_version"
    db.session.rollback()
    assert meeting.title == "Tiêu đề của người thứ nhất"


@pytest.mark.parametrize(
    "change,code",
    [
        (lambda m: {"ends_at": m.starts_at}, "end_before_start"),
        (lambda m: {"starts_at": utcnow() - timedelta(hours=1)}, "start_in_past"),
    ],
)
def test_bad_times_are_refused(make_meeting, change, code):
    meeting = make_meeting()
    with pytest.raises(DomainError) as e:
        workflows.update_meeting(
            meeting,
            _data(meeting, **change(meeting)),
            actor=organiser_of(meeting),
            version=meeting.version,
        )
    assert e.value.code == code


def test_derived_items_cannot_be_ticked_and_say_why(make_meeting):
    meeting = make_meeting(classification="mat", at_hq=True, closed_room=False)
    with pytest.raises(DomainError) as e:
        checklist.mark_item(meeting, "approve-use", actor=chair_of(meeting), state="done", note="x")
    assert e.value.code == "derived_item"
    views = {v.rule.id: v for v in evaluate_checklist(meeting)}
    assert str(views["approve-use"].reason) == "Việc sử dụng nội dung bí mật chưa được phê duyệt."
    assert str(views["closed-room-hq"].reason) == "Địa điểm không phải phòng họp kín."
    assert views["mat-devices-chair"].status == "unmet"


def test_only_the_responsible_person_marks_a_manual_item(make_meeting, make_user):
    meeting = make_meeting()
    with pytest.raises(DomainError) as e:
        checklist.mark_item(
            meeting, "head-accountable", actor=organiser_of(meeting), state="done", note="x"
        )
    assert e.value.code == "not_responsible"
    with pytest.raises(DomainError) as e:
        checklist.mark_item(
            meeting, "protection-plan", actor=organiser_of(meeting), state="done", note=""
        )
    assert e.value.code == "note_required"
    checklist.mark_item(
        meeting, "head-accountable", actor=chair_of(meeting), state="done", note="Quyết định số 5"
    )
    checklist.mark_item(meeting, "head-accountable", actor=chair_of(meeting), state="open", note="")
    item = next(i for i in items_of(meeting) if i.rule_id == "head-accountable")
    assert item.state == "open"
    assert actions()[-2:] == ["checklist.item_marked", "checklist.item_marked"]


def test_approval_then_device_decision(make_meeting):
    meeting = make_meeting(classification="mat", at_hq=True)
    chair = chair_of(meeting)
    with pytest.raises(DomainError) as e:
        services.approve_meeting(
            meeting,
            actor=organiser_of(meeting),
            approver_name="A",
            approver_position="B",
            approval_number="1",
            approval_date=date.today(),
        )
    assert e.value.code == "not_chair"
    services.approve_meeting(
        meeting,
        actor=chair,
        approver_name="Nguyễn Văn Chủ",
        approver_position="Chủ tịch UBND tỉnh",
        approval_number="15/QĐ-UBND",
        approval_date=date(2026, 11, 20),
    )
    services.decide_devices(meeting, actor=chair, policy="deposit")
    db.session.commit()
    views = {v.rule.id: v for v in evaluate_checklist(meeting)}
    assert views["approve-use"].status == "met"
    assert views["mat-devices-chair"].status == "met"
    assert meeting.status == "preparing"
    assert actions()[-2:] == ["meeting.approved", "meeting.device_decision"]


def test_gate_refuses_while_derived_items_block(make_meeting):
    meeting = make_meeting()
    services.approve_meeting(
        meeting,
        actor=chair_of(meeting),
        approver_name="A",
        approver_position="B",
        approval_number="1",
        approval_date=date(2026, 11, 1),
    )
    with pytest.raises(DomainError) as e:
        workflows.clear_meeting(meeting, actor=chair_of(meeting))
    assert e.value.code == "blocked"
    blockers = checklist.blockers(evaluate_checklist(meeting))
    assert "attendee-list" in {b.rule.id for b in blockers}


def test_life_of_a_meeting_with_a_ruleset_of_manual_rules(make_meeting, monkeypatch):
    """Clear → start → end, with a ruleset whose only before-rule is manual (rulesets are
    data: the gate follows whatever the ruleset says)."""
    from dataclasses import replace

    real = rulesets()["vn-2026"]
    manual_only = replace(
        real,
        rules=tuple(
            r for r in real.rules if r.kind.value == "manual" and r.id == "protection-plan"
        ),
    )
    monkeypatch.setitem(rulesets(), "vn-2026", manual_only)
    meeting = make_meeting()
    chair, organiser = chair_of(meeting), organiser_of(meeting)
    services.approve_meeting(
        meeting,
        actor=chair,
        approver_name="A",
        approver_position="B",
        approval_number="1",
        approval_date=date(2026, 11, 1),
    )
    with pytest.raises(DomainError):
        workflows.clear_meeting(meeting, actor=chair)
    checklist.mark_item(meeting, "protection-plan", actor=organiser, state="done", note="PA 12")
    workflows.clear_meeting(meeting, actor=chair)
    with pytest.raises(DomainError) as e:
        checklist.mark_item(meeting, "protection-plan", actor=organiser, state="open", note="")
    assert e.value.code == "item_locked"  # undo only until the gate
    services.start_session(meeting, actor=chair)
    services.end_session(meeting, actor=organiser)
    db.session.commit()
    assert meeting.status == "closing"
    assert actions()[-3:] == ["meeting.cleared", "meeting.started", "meeting.ended"]


def test_cancel_needs_the_session_not_started(make_meeting):
    meeting = make_meeting()
    services.cancel_meeting(meeting, actor=organiser_of(meeting), reason="Hoãn theo chỉ đạo")
    assert meeting.status == "cancelled" and meeting.cancel_reason == "Hoãn theo chỉ đạo"
    with pytest.raises(DomainError) as e:
        services.cancel_meeting(meeting, actor=organiser_of(meeting), reason="again")
    assert e.value.code == "not_cancellable"


def test_every_saved_change_moves_the_version_on_by_one(make_meeting, make_user):
    """The optimistic lock's version moves on once per save, whatever changed: a field, only
    the team, the status, the chair's device decision; a form built before is then stale."""
    meeting = make_meeting(classification="mat")
    organiser, chair = organiser_of(meeting), chair_of(meeting)
    versions = [meeting.version]

    def saved():
        db.session.commit()
        db.session.expire_all()
        versions.append(meeting.version)

    workflows.update_meeting(
        meeting, _data(meeting, title="Đổi tiêu đề"), actor=organiser, version=meeting.version
    )
    saved()
    technician = make_user("technician")
    workflows.update_meeting(
        meeting, _data(meeting, technicians=[technician]), actor=organiser, version=meeting.version
    )
    saved()
    with pytest.raises(DomainError) as e:  # built before the team changed
        workflows.update_meeting(
            meeting, _data(meeting, title="Cũ"), actor=organiser, version=versions[1]
        )
    assert e.value.code == "stale_version"
    db.session.rollback()
    services.decide_devices(meeting, actor=chair, policy="deposit")
    saved()
    services.cancel_meeting(meeting, actor=organiser, reason="Hoãn")
    saved()
    assert versions == list(range(versions[0], versions[0] + 5))


def test_foreign_participation_needs_the_written_consent(make_meeting):
    """Luật 29/2018 Điều 18: the organiser marks that foreign parties attend; the written
    consent (who, number, date) is then a blocking item; attendees sign that nothing goes to
    a third party."""
    from meetingsec.door import commitment as commitments

    meeting = make_meeting()
    organiser = organiser_of(meeting)
    assert "foreign-participation" not in _ids(meeting)
    plain = commitments.commitment_for(meeting)[0]

    def save(**kw):
        workflows.update_meeting(
            meeting, _data(meeting, **kw), actor=organiser, version=meeting.version
        )
        db.session.commit()

    save(foreign_participation=True)
    item = next(v for v in evaluate_checklist(meeting) if v.rule.id == "foreign-participation")
    assert item.status == "unmet" and item in checklist.blockers(evaluate_checklist(meeting))
    foreign = commitments.commitment_for(meeting)[0]
    assert foreign.startswith(plain) and "bên thứ ba" in foreign
    with pytest.raises(DomainError) as e:
        save(foreign_participation=True, foreign_consent_number="12/CV-BCA")
    assert e.value.code == "consent_incomplete"
    db.session.rollback()
    with pytest.raises(DomainError) as e:
        save(
            foreign_participation=True,
            foreign_consent_by="Nguyễn Văn B, Bộ trưởng",
            foreign_consent_number="12/CV-BCA",
            foreign_consent_date=date.today() + timedelta(days=30),
        )
    assert e.value.code == "future_date"
    db.session.rollback()
    save(
        foreign_participation=True,
        foreign_consent_by="Nguyễn Văn B, Bộ trưởng",
        foreign_consent_number="12/CV-BCA",
        foreign_consent_date=date(2026, 11, 20),
    )
    item = next(v for v in evaluate_checklist(meeting) if v.rule.id == "foreign-participation")
    assert item.status == "met"
    save(foreign_participation=False, foreign_consent_number="12/CV-BCA")
    assert "foreign-participation" not in _ids(meeting)
    assert meeting.foreign_consent_number is None
    assert commitments.commitment_for(meeting)[0] == plain


def test_only_the_gates_move_a_meeting_to_cleared_or_closed():
    """Clearing and closing are passed only behind the checklist's gates
    (``workflows.services``): no other code moves a meeting to those statuses."""
    import ast
    from pathlib import Path

    package = Path(services.__file__).resolve().parents[1]
    gated = {"CLEARED", "CLOSED"}
    movers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "transition":
                    targets = node.args[1:2] + [k.value for k in node.keywords if k.arg == "to"]
            elif isinstance(node, ast.Assign) and any(
                getattr(t, "attr", None) == "status" for t in node.targets
            ):
                targets = [node.value]
            for value in targets:
                if isinstance(value, ast.Attribute) and value.attr in gated:
                    movers.add(path.relative_to(package).as_posix())
                if isinstance(value, ast.Constant) and str(value.value).upper() in gated:
                    movers.add(path.relative_to(package).as_posix())
    assert movers == {"workflows/services.py"}

"""Devices through their services: inspection rules, idempotency, seals, derived items."""

from datetime import timedelta

import pytest

from meetingsec.core.codes import normalize
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.devices import services
from meetingsec.devices.models import Inspection
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident
from meetingsec.records.queries import evaluate_checklist
from tests.factories import organiser_of
from tests.helpers import actions


@pytest.fixture
def setup(make_meeting, make_user, make_device):
    tech = make_user("technician")
    meeting = make_meeting(technicians=[tech], starts_in=timedelta(hours=2))
    return meeting, tech, make_device


def _add(meeting, device):
    md = services.add_device(meeting, device, actor=organiser_of(meeting))
    db.session.commit()
    return md


def _inspect(
    meeting, md, tech, result="pass", seal="TEM-0001", notes="", key=None, based_on=None, now=None
):
    latest = md.latest_inspection
    return services.record_inspection(
        meeting,
        md,
        actor=tech,
        result=result,
        seal_number=seal,
        notes=notes,
        key=key or f"n-{utcnow().timestamp()}-{len(md.inspections)}",
        based_on=based_on if based_on is not None else (latest.id if latest else 0),
        now=now,
    )


def _status(meeting, rule_id):
    return next(v for v in evaluate_checklist(meeting) if v.rule.id == rule_id)


def test_registered_devices_get_checkable_codes(make_device):
    device = make_device()
    assert normalize(device.tag_code) == device.tag_code
    assert actions()[-1] == "device.created"
    assert services.find_device(device.tag_code.lower()).id == device.id


@pytest.mark.parametrize("typed,code", [("ABC", "bad_code"), ("0000000000Z", None)])
def test_bad_or_unknown_codes_are_refused(app, typed, code):
    with pytest.raises(DomainError) as e:
        services.find_device(typed)
    assert e.value.code in ("bad_code", "unknown_code")


def test_code_of_another_meeting_is_refused(setup, make_meeting):
    meeting, tech, make_device = setup
    other = make_meeting()
    device = make_device()
    _add(other, device)
    with pytest.raises(DomainError) as e:
        services.meeting_device_for(meeting, device.tag_code)
    assert e.value.code == "other_meeting"


def test_wireless_microphone_can_never_pass(setup):
    meeting, tech, make_device = setup
    md = _add(meeting, make_device("wireless_mic"))
    with pytest.raises(DomainError) as e:
        _inspect(meeting, md, tech)
    assert e.value.code == "wireless_mic"
    assert "micro có dây" in str(e.value.message) or "wired" in str(e.value.message)
    assert _status(meeting, "wired-mic").status == "unmet"


def test_ban_co_yeu_equipment_is_exempt_not_inspected(setup):
    meeting, tech, make_device = setup
    md = _add(meeting, make_device("conference_unit", ban_co_yeu=True))
    with pytest.raises(DomainError) as e:
        _inspect(meeting, md, tech, result="pass")
    assert e.value.code == "ban_co_yeu"
    _inspect(meeting, md, tech, result="exempt", seal="")
    assert md.cleared


def test_fail_needs_a_reason_and_seal_format_is_checked(setup):
    meeting, tech, make_device = setup
    md = _add(meeting, make_device())
    with pytest.raises(DomainError) as e:
        _inspect(meeting, md, tech, result="fail")
    assert e.value.code == "reason_required"
    with pytest.raises(DomainError) as e:
        _inspect(meeting, md, tech, seal="??")
    assert e.value.code == "bad_seal"


def test_double_tap_records_one_inspection(setup):
    meeting, tech, make_device = setup
    md = _add(meeting, make_device())
    first = _inspect(meeting, md, tech, key="same", based_on=0)
    again = _inspect(meeting, md, tech, key="same", based_on=0)
    db.session.commit()
    assert first.id == again.id and len(md.inspections) == 1
    assert actions().count("device.inspected") == 1


def test_second_technician_on_a_stale_card_is_refused(setup, make_user):
    meeting, tech, make_device = setup
    md = _add(meeting, make_device())
    _inspect(meeting, md, tech, key="a", based_on=0)
    with pytest.raises(DomainError) as e:
        _inspect(meeting, md, tech, key="b", based_on=0)
    assert e.value.code == "already_inspected"


def test_install_only_after_passing(setup):
    meeting, tech, make_device = setup
    md = _add(meeting, make_device())
    with pytest.raises(DomainError) as e:
        services.install(meeting, md, actor=tech)
    assert e.value.code == "not_passed"
    _inspect(meeting, md, tech)
    services.install(meeting, md, actor=tech)
    assert md.installed_at is not None


def test_derived_items_follow_inspections_and_seals(setup):
    meeting, tech, make_device = setup
    assert (
        str(_status(meeting, "equip-inspected").reason) == "Chưa đăng ký thiết bị nào cho cuộc họp."
    )
    mics = [_add(meeting, make_device()) for _ in range(2)]
    assert str(_status(meeting, "equip-inspected").reason) == "2 thiết bị chưa được kiểm tra."
    assert _status(meeting, "wired-mic").status == "met"
    for n, md in enumerate(mics):
        _inspect(meeting, md, tech, seal=f"TEM-00{n}")
    assert _status(meeting, "equip-inspected").status == "met"
    assert (
        str(_status(meeting, "seals-intact").reason)
        == "2 tem chưa được kiểm tra lại trong ngày họp."
    )
    for n, md in enumerate(mics):
        services.check_seal(
            meeting,
            md,
            actor=tech,
            seal_number=f"tem-00{n}",
            intact=True,
            key=f"s{n}",
            now=meeting.starts_at,
        )
    assert _status(meeting, "seals-intact").status == "met"


def test_broken_seal_is_an_incident_and_blocks_until_a_new_seal(setup):
    meeting, tech, make_device = setup
    md = _add(meeting, make_device())
    _inspect(meeting, md, tech, seal="TEM-1")
    check = services.check_seal(
        meeting, md, actor=tech, seal_number="TEM-2", intact=True, key="x", now=meeting.starts_at
    )
    db.session.commit()
    assert not check.ok
    incident = db.session.query(Incident).one()
    assert incident.kind == "seal_mismatch" and "TEM-1" in incident.description
    assert _status(meeting, "seals-intact").status == "unmet"
    with pytest.raises(DomainError) as e:
        _inspect(meeting, md, tech, seal="TEM-1")
    assert e.value.code == "seal_reused"
    on_the_day = meeting.starts_at + timedelta(minutes=1)
    _inspect(meeting, md, tech, seal="TEM-3", now=on_the_day)
    services.check_seal(
        meeting, md, actor=tech, seal_number="TEM-3", intact=True, key="y", now=on_the_day
    )
    assert _status(meeting, "seals-intact").status == "met"
    assert "incident.recorded" in actions()


def test_seal_checked_on_another_day_does_not_count(setup):
    meeting, tech, make_device = setup
    md = _add(meeting, make_device())
    _inspect(meeting, md, tech, seal="TEM-9")
    services.check_seal(
        meeting,
        md,
        actor=tech,
        seal_number="TEM-9",
        intact=True,
        key="z",
        now=meeting.starts_at - timedelta(days=2),
    )
    assert _status(meeting, "seals-intact").status == "unmet"


def test_only_the_meetings_technicians_record_checks(setup, make_user):
    meeting, tech, make_device = setup
    md = _add(meeting, make_device())
    with pytest.raises(DomainError) as e:
        _inspect(meeting, md, make_user("technician"))
    assert e.value.code == "not_technician"
    assert db.session.query(Inspection).count() == 0


def test_venue_check_drives_the_offsite_item(setup):
    meeting, tech, make_device = setup
    assert _status(meeting, "offsite-police-check").status == "unmet"
    services.record_venue_check(
        meeting,
        actor=tech,
        result="fail",
        inside_notes="Có camera lạ",
        outside_notes="Ổn",
        key="v1",
    )
    assert (
        str(_status(meeting, "offsite-police-check").reason)
        == "Lần kiểm tra an ninh địa điểm gần nhất không đạt."
    )
    services.record_venue_check(
        meeting, actor=tech, result="pass", inside_notes="Đã gỡ", outside_notes="Ổn", key="v2"
    )
    assert _status(meeting, "offsite-police-check").status == "met"


# -- the registry: kept per owner unit; a device in an open meeting is its team's ---------------


def _change(device, actor, **changes):
    values = {
        "kind": device.kind,
        "make": device.make,
        "model": device.model,
        "serial": device.serial,
        "owner_unit": device.owner_unit,
        "ban_co_yeu": device.ban_co_yeu,
        "notes": device.notes,
        "active": device.active,
    }
    return services.save_device(device, actor=actor, **{**values, **changes})


def _register(actor, owner_unit):
    return services.save_device(
        None,
        actor=actor,
        kind="wired_mic",
        make="Bosch",
        model="CCS 1000",
        serial="SN-NEW",
        owner_unit=owner_unit,
        ban_co_yeu=False,
        notes="",
    )


@pytest.fixture
def units(app):
    from meetingsec.org.services import save_unit

    return (
        save_unit(None, actor=None, name="Văn phòng", parent=None),
        save_unit(None, actor=None, name="Sở Công an", parent=None),
    )


def test_the_registry_is_kept_per_owner_unit(units, make_user, make_device):
    ours, theirs = units
    device = make_device()
    device.owner_unit_id = ours.id
    db.session.commit()
    mine = make_user("organiser", unit=ours)
    other = make_user("organiser", unit=theirs)
    no_unit = make_user("organiser")
    tech = make_user("technician", unit=ours)
    events = len(actions())
    for actor, act, code in (
        (other, lambda a: _change(device, a, kind="wireless_mic"), "not_owner_unit"),
        (other, lambda a: _register(a, ours), "not_owner_unit"),
        (mine, lambda a: _change(device, a, owner_unit=theirs), "not_owner_unit"),
        (no_unit, lambda a: _register(a, None), "not_owner_unit"),
        (tech, lambda a: _register(a, ours), "not_owner_unit"),
    ):
        with pytest.raises(DomainError) as e:
            act(actor)
        assert e.value.code == code
        db.session.rollback()
    assert len(actions()) == events and device.kind == "wired_mic"

    assert _change(device, mine, serial="SN-2").serial == "SN-2"
    assert _register(mine, ours).owner_unit_id == ours.id
    admin = make_user("admin")
    assert _change(device, admin, owner_unit=theirs).owner_unit_id == theirs.id
    assert _register(admin, None).owner_unit_id is None


def test_a_device_in_an_open_meeting_is_changed_by_its_team_only(
    units, make_user, make_meeting, make_device
):
    """The pen-test: another organiser of the owner unit, or an administrator, turns an
    installed, inspected and sealed microphone into a wireless one: refused, and the
    meeting's checklist and inspection stay as they were."""
    ours, _theirs = units
    organiser = make_user("organiser", unit=ours)
    tech = make_user("technician")
    meeting = make_meeting(organiser=organiser, technicians=[tech], starts_in=timedelta(hours=2))
    device = make_device()
    device.owner_unit_id = ours.id
    md = _add(meeting, device)
    _inspect(meeting, md, tech)
    services.install(meeting, md, actor=tech)
    db.session.commit()
    assert _status(meeting, "wired-mic").status == "met"
    others = (make_user("organiser", unit=ours), make_user("admin"))
    events = len(actions())
    for actor in others:
        with pytest.raises(DomainError) as e:
            _change(device, actor, kind="wireless_mic", serial="SN-X")
        assert e.value.code == "device_in_use"
        db.session.rollback()
    assert (device.kind, device.serial) == ("wired_mic", "")
    assert _status(meeting, "wired-mic").status == "met" and len(actions()) == events

    # the meeting's own organiser keeps its registry entry
    assert _change(device, organiser, serial="SN-1").serial == "SN-1"
    db.session.commit()
    # once the meeting is over, the registry is the unit's again
    meeting.status = "closed"
    db.session.commit()
    assert _change(device, make_user("organiser", unit=ours), notes="Kho 2").notes == "Kho 2"


def test_a_kind_that_never_passes_names_its_reason_and_rule_in_one_place():
    from meetingsec.devices.choices import DeviceKind
    from meetingsec.legal.rules import rulesets

    never = DeviceKind.WIRELESS_MIC.never_passes
    assert never.code == "wireless_mic" and "ND 26/2020" in str(never.reason)
    for ruleset in rulesets().values():
        assert ruleset.rule(never.rule_id).check == "no_wireless_microphone"
    assert [k for k in DeviceKind if k.never_passes] == [DeviceKind.WIRELESS_MIC]


# -- a defence or Ban Cơ yếu host: its own functional body inspects ----------------------------


@pytest.mark.parametrize("body", ["defence", "ban_co_yeu"])
def test_a_defence_or_ban_co_yeu_host_is_inspected_by_its_own_body(
    body, make_meeting, make_user, make_device
):
    """ND 26/2020 Điều 6 khoản 1 and khoản 2 điểm a: the host's checks are done by the
    functional body of the Ministry of Defence or Ban Cơ yếu for their units (a unit under a
    marked one is one of them); a police technician cannot record them, nor the reverse."""
    from meetingsec.org.services import save_unit
    from meetingsec.records import builders

    top = save_unit(None, actor=None, name=f"Cơ quan {body}", parent=None, functional_body=body)
    own = make_user("technician", unit=save_unit(None, actor=None, name="Phòng KT", parent=top))
    police = make_user("technician")
    meeting = make_meeting(technicians=[own, police], starts_in=timedelta(hours=2))
    meeting.host_unit_id = save_unit(None, actor=None, name="Cục A", parent=top).id
    db.session.commit()
    db.session.refresh(meeting, ["host_unit"])
    md = _add(meeting, make_device())
    with pytest.raises(DomainError) as e:
        _inspect(meeting, md, police)
    assert e.value.code == "wrong_body"
    with pytest.raises(DomainError) as e:
        services.record_venue_check(
            meeting, actor=police, result="pass", inside_notes="a", outside_notes="b", key="v"
        )
    assert e.value.code == "wrong_body"
    assert _inspect(meeting, md, own).body == body
    check = services.record_venue_check(
        meeting, actor=own, result="pass", inside_notes="a", outside_notes="b", key="v1"
    )
    assert check.body == body
    db.session.commit()
    assert _status(meeting, "equip-inspected").status == "met"
    assert _status(meeting, "offsite-police-check").status == "met"
    named = {"defence": "Bộ Quốc phòng", "ban_co_yeu": "Ban Cơ yếu Chính phủ"}[body]
    assert named in builders.inspection(meeting)["body"].official_name
    assert named in builders.venue_check(meeting)["body"].official_name
    assert named in builders.security(meeting)["body"].official_name  # the security record


def test_the_security_record_names_the_body_that_inspected(make_meeting, make_user, make_device):
    """Its devices section says who inspected: the police for an ordinary host."""
    from meetingsec.records import builders

    tech = make_user("technician")
    meeting = make_meeting(technicians=[tech], starts_in=timedelta(hours=2))
    assert builders.security(meeting)["body"].official_name == "Cơ quan Công an"
    _inspect(meeting, _add(meeting, make_device()), tech)
    db.session.commit()
    assert builders.security(meeting)["body"].official_name == "Cơ quan Công an"


def test_a_police_host_is_not_inspected_by_a_defence_technician(setup, make_user):
    from meetingsec.org.services import save_unit

    meeting, tech, make_device = setup
    defence = save_unit(None, actor=None, name="Bộ X", parent=None, functional_body="defence")
    soldier = make_user("technician", unit=defence)
    meeting.members.append(type(meeting.members[0])(user_id=soldier.id, role="technician"))
    db.session.commit()
    md = _add(meeting, make_device())
    with pytest.raises(DomainError) as e:
        _inspect(meeting, md, soldier)
    assert e.value.code == "wrong_body"
    assert _inspect(meeting, md, tech).body == "police"

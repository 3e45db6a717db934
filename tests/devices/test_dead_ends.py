"""No device state the gate can never leave: a failed, broken-seal or unwanted device is
inspected again, withdrawn (its history kept) or replaced; an installed one is uninstalled
by a technician first. And no verdict is recorded that the technician did not choose."""

from datetime import timedelta

import pytest

from meetingsec.core.errors import DomainError
from meetingsec.devices import services
from meetingsec.devices.choices import DeviceState
from meetingsec.devices.models import MeetingDevice
from meetingsec.extensions import db
from meetingsec.records.queries import evaluate_checklist
from tests.factories import organiser_of
from tests.helpers import actions

#: The rules about devices the gate waits for (legal/rulesets/*.json)
DEVICE_RULES = ("wired-mic", "equip-inspected", "seals-intact")


@pytest.fixture
def setup(make_meeting, make_user, make_device):
    tech = make_user("technician")
    meeting = make_meeting(technicians=[tech], starts_in=timedelta(hours=2))
    return meeting, tech, make_device


class Walk:
    """A meeting's devices driven through their states by the services, as people do."""

    def __init__(self, meeting, tech, make_device):
        self.meeting, self.tech, self.make_device = meeting, tech, make_device
        self.organiser = organiser_of(meeting)
        self.n = 0

    def _key(self) -> str:
        self.n += 1
        return f"walk-{self.n}"

    def now(self):
        """One clock for every step, a second apart, on the meeting's day."""
        self.n += 1
        return self.meeting.starts_at + timedelta(seconds=self.n)

    def add(self, kind="wired_mic", **kw) -> MeetingDevice:
        md = services.add_device(
            self.meeting, self.make_device(kind, **kw), actor=self.organiser, now=self.now()
        )
        db.session.commit()
        return md

    def inspect(self, md, result="pass", seal=None, notes=""):
        latest = md.latest_inspection
        services.record_inspection(
            self.meeting,
            md,
            actor=self.tech,
            result=result,
            seal_number=seal or f"TEM-{self.n + 1:04d}",
            notes=notes,
            key=self._key(),
            based_on=latest.id if latest else 0,
            now=self.now(),
        )
        db.session.commit()

    def install(self, md):
        services.install(self.meeting, md, actor=self.tech, now=self.now())
        db.session.commit()

    def check_seal(self, md, *, intact=True, seal=None):
        services.check_seal(
            self.meeting,
            md,
            actor=self.tech,
            seal_number=seal or md.latest_inspection.seal_number,
            intact=intact,
            key=self._key(),
            now=self.now(),
        )
        db.session.commit()

    def ready(self, md):
        """A device that passed, installed, its seal checked on the day."""
        if md.device.ban_co_yeu:
            self.inspect(md, "exempt", seal="")
            self.install(md)
            return
        if md.state is not DeviceState.PASSED:
            self.inspect(md)
        if not md.installed_at:
            self.install(md)
        self.check_seal(md)

    def blocking(self) -> list[str]:
        db.session.expire_all()
        return [
            v.rule.id
            for v in evaluate_checklist(self.meeting)
            if v.rule.id in DEVICE_RULES and v.status != "met"
        ]


# Every state a device can reach, and each way out the pages offer.
def _not_inspected(w):
    return w.add()


def _failed(w):
    md = w.add()
    w.inspect(md, "fail", notes="Có bộ phát sóng lạ")
    return md


def _installed_then_failed(w):
    md = w.add()
    w.ready(md)
    w.inspect(md, "fail", notes="Hỏng khi kiểm tra lại")  # a failed device comes out
    return md


def _passed(w):
    md = w.add()
    w.inspect(md)
    return md


def _installed(w):
    md = w.add()
    w.inspect(md)
    w.install(md)
    return md


def _seal_broken(w):
    md = w.add()
    w.ready(md)
    w.check_seal(md, intact=False)
    return md


def _seal_mismatch(w):
    md = w.add()
    w.ready(md)
    w.check_seal(md, seal="TEM-9999")
    return md


def _wireless(w):
    return w.add("wireless_mic")


def _wireless_failed(w):
    md = w.add("wireless_mic")
    w.inspect(md, "fail", notes="Micro không dây")
    return md


def _exempt(w):
    return w.add("conference_unit", ban_co_yeu=True)


def _reinspect(w, md):
    w.ready(md)


def _withdraw_and_add(w, md):
    if md.installed_at:
        services.uninstall(w.meeting, md, actor=w.tech, now=w.now())
    if md.inspections:
        services.withdraw_device(w.meeting, md, actor=w.organiser, now=w.now())
    else:
        services.remove_device(w.meeting, md, actor=w.organiser)
    db.session.commit()
    w.ready(w.add())


def _replace(w, md):
    if md.installed_at:
        services.uninstall(w.meeting, md, actor=w.tech, now=w.now())
        db.session.commit()
    new = services.replace_device(w.meeting, md, w.make_device(), actor=w.organiser, now=w.now())
    db.session.commit()
    w.ready(new)


STATES = {
    "not_inspected": (_not_inspected, DeviceState.NOT_INSPECTED),
    "failed": (_failed, DeviceState.FAILED),
    "installed_then_failed": (_installed_then_failed, DeviceState.FAILED),
    "passed": (_passed, DeviceState.PASSED),
    "installed": (_installed, DeviceState.PASSED),
    "seal_broken": (_seal_broken, DeviceState.SEAL_BROKEN),
    "seal_mismatch": (_seal_mismatch, DeviceState.SEAL_BROKEN),
    "wireless": (_wireless, DeviceState.NOT_INSPECTED),
    "wireless_failed": (_wireless_failed, DeviceState.FAILED),
    "exempt": (_exempt, DeviceState.NOT_INSPECTED),
}
WAYS_OUT = {"reinspect": _reinspect, "withdraw": _withdraw_and_add, "replace": _replace}
#: A wireless microphone never passes (rule wired-mic): it can only leave the list.
NO_WAY = {("wireless", "reinspect"), ("wireless_failed", "reinspect")}


@pytest.mark.parametrize("way", sorted(WAYS_OUT))
@pytest.mark.parametrize("state", sorted(STATES))
def test_every_device_state_still_reaches_the_gate(setup, state, way):
    if (state, way) in NO_WAY:
        return _wireless_only_leaves(setup, state)
    w = Walk(*setup)
    reach, expected = STATES[state]
    keep = w.add()  # another device, ready: the gate waits for the one in trouble
    w.ready(keep)
    md = reach(w)
    assert md.state is expected
    if expected is not DeviceState.PASSED or not md.installed_at:
        assert w.blocking(), "the device in trouble blocks the gate until it is dealt with"
    WAYS_OUT[way](w, md)
    assert w.blocking() == []


def _wireless_only_leaves(setup, state):
    w = Walk(*setup)
    md = STATES[state][0](w)
    with pytest.raises(DomainError) as e:
        w.inspect(md)
    assert e.value.code == "wireless_mic"
    db.session.rollback()
    _replace(w, md)
    assert w.blocking() == []


def test_a_withdrawn_device_keeps_its_history_and_takes_no_more_checks(setup):
    w = Walk(*setup)
    md = w.add()
    w.inspect(md, "fail", notes="Có bộ phát sóng lạ")
    services.withdraw_device(w.meeting, md, actor=w.organiser)
    db.session.commit()
    assert md.state is DeviceState.WITHDRAWN and len(md.inspections) == 1
    assert actions()[-1] == "meeting.device_withdrawn"
    for attempt in (
        lambda: w.inspect(md),
        lambda: services.withdraw_device(w.meeting, md, actor=w.organiser),
    ):
        with pytest.raises(DomainError) as e:
            attempt()
        assert e.value.code == "withdrawn"
        db.session.rollback()
    with pytest.raises(DomainError) as e:  # and it does not come back on the list
        services.add_device(w.meeting, md.device, actor=w.organiser)
    assert e.value.code == "withdrawn"


def test_an_installed_device_is_uninstalled_before_it_is_withdrawn(setup):
    w = Walk(*setup)
    md = w.add()
    w.ready(md)
    w.check_seal(md, intact=False)
    with pytest.raises(DomainError) as e:
        services.withdraw_device(w.meeting, md, actor=w.organiser)
    assert e.value.code == "installed"
    db.session.rollback()
    with pytest.raises(DomainError) as e:  # nor re-installed with a broken seal
        services.uninstall(w.meeting, md, actor=w.tech, now=w.now())
        services.install(w.meeting, md, actor=w.tech)
    assert e.value.code == "not_passed"
    db.session.rollback()
    services.uninstall(w.meeting, md, actor=w.tech, now=w.now())
    services.withdraw_device(w.meeting, md, actor=w.organiser)
    db.session.commit()
    assert actions()[-2:] == ["device.uninstalled", "meeting.device_withdrawn"]


def test_only_the_organiser_withdraws_and_only_before_clearing(setup):
    w = Walk(*setup)
    md = w.add()
    w.inspect(md, "fail", notes="x")
    with pytest.raises(DomainError) as e:
        services.withdraw_device(w.meeting, md, actor=w.tech)
    assert e.value.code == "not_organiser"
    db.session.rollback()
    w.meeting.status = "cleared"
    with pytest.raises(DomainError) as e:
        services.withdraw_device(w.meeting, md, actor=w.organiser)
    assert e.value.code == "frozen"


def test_the_device_lists_filters_find_each_state_as_the_pages_show_it(setup):
    """``queries.DEVICES_SHOWN`` (SQL, for a meeting's long device list) finds the devices
    in the state ``MeetingDevice.state`` gives them, whatever way they reached it."""
    from meetingsec.devices import queries

    w = Walk(*setup)
    made = {name: build(w) for name, (build, _state) in STATES.items()}
    withdrawn = w.add()
    w.inspect(withdrawn, "fail", notes="Có bộ phát sóng lạ")
    services.withdraw_device(w.meeting, withdrawn, actor=w.organiser, now=w.now())
    db.session.commit()
    db.session.expire_all()
    everyone = [*made.values(), withdrawn]
    expected = {
        "attention": {md.id for md in everyone if md.state.is_bad},
        "not_inspected": {md.id for md in everyone if md.state is DeviceState.NOT_INSPECTED},
        "installed": {md.id for md in everyone if md.installed_at and not md.withdrawn_at},
        "withdrawn": {withdrawn.id},
    }
    assert expected["attention"] and expected["not_inspected"] and expected["installed"]
    for show, ids in expected.items():
        page = queries.devices_page(w.meeting.id, page=1, show=show)
        assert {md.id for md in page.items} == ids, show
    assert queries.count_needing_action(w.meeting.id) == len(expected["attention"])
    tagged = made["passed"].device
    found = queries.devices_page(w.meeting.id, page=1, q=tagged.tag_code[2:7].lower())
    assert made["passed"].id in {md.id for md in found.items}

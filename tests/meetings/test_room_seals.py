"""A meeting of two days or more seals its room after each day (ND 26/2020 Điều 6 khoản 3
điểm b): sealed in the evening, found intact next morning."""

from datetime import datetime, timedelta

import pytest

from meetingsec.checklists import services as checklist
from meetingsec.core.errors import DomainError
from meetingsec.core.i18n import local_date, to_utc
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident
from meetingsec.meetings import room_seals
from meetingsec.records.queries import evaluate_checklist
from tests.factories import organiser_of
from tests.helpers import actions, error_codes


@pytest.fixture
def three_days(make_meeting, make_user):
    """A Tuyệt mật meeting over three days, under way, with a technician."""
    tech = make_user("technician")
    meeting = make_meeting(technicians=[tech])
    # 08:00 to 17:00 (the agency's time), three days in a row
    day = local_date(meeting.starts_at)
    meeting.starts_at = to_utc(datetime(day.year, day.month, day.day, 8))
    meeting.ends_at = meeting.starts_at + timedelta(days=2, hours=9)
    checklist.sync_items(meeting, actor=None)
    meeting.status = "in_session"
    db.session.commit()
    return meeting, tech


def _item(meeting):
    return next(
        (v for v in evaluate_checklist(meeting) if v.rule.id == "room-sealed-overnight"), None
    )


def _evening(meeting, day: int):
    """17:30 of the meeting's ``day`` (0 its first)."""
    return meeting.starts_at + timedelta(days=day, hours=9, minutes=30)


def _morning(meeting, day: int):
    """07:30 of the meeting's ``day``."""
    return meeting.starts_at + timedelta(days=day, minutes=-30)


def test_applies_only_to_meetings_over_several_days(make_meeting, three_days):
    one_day = make_meeting()
    assert _item(one_day) is None
    meeting, _tech = three_days
    assert _item(meeting).status == "unmet"
    assert room_seals.nights(meeting) == room_seals.meeting_days(meeting)[:-1]
    assert len(room_seals.nights(meeting)) == 2


def test_sealed_each_night_and_found_intact(three_days):
    meeting, tech = three_days
    first, second = room_seals.nights(meeting)
    s1 = room_seals.seal_room(
        meeting, actor=tech, seal_number="TEM-1001", key="seal-key-1", now=_evening(meeting, 0)
    )
    assert s1.day == first == local_date(_evening(meeting, 0))
    db.session.commit()
    # a double tap: the same seal
    assert (
        room_seals.seal_room(
            meeting, actor=tech, seal_number="TEM-1001", key="seal-key-1", now=_evening(meeting, 0)
        )
        is s1
    )
    with pytest.raises(DomainError) as e:
        room_seals.seal_room(
            meeting, actor=tech, seal_number="TEM-1002", key="seal-key-x", now=_evening(meeting, 0)
        )
    assert e.value.code == "already_sealed"
    db.session.rollback()
    assert _item(meeting).status == "unmet"  # not yet found intact, a night to come
    room_seals.find_seal(
        meeting,
        actor=organiser_of(meeting),
        seal_number="tem-1001 ",  # typed: case and spaces aside
        intact=True,
        key="found-key-1",
        now=_morning(meeting, 1),
    )
    room_seals.seal_room(
        meeting, actor=tech, seal_number="TEM-1002", key="seal-key-2", now=_evening(meeting, 1)
    )
    room_seals.find_seal(
        meeting,
        actor=tech,
        seal_number="TEM-1002",
        intact=True,
        key="found-2",
        now=_morning(meeting, 2),
    )
    db.session.commit()
    assert room_seals.seals_of(meeting.id)[second].found_ok
    assert _item(meeting).status == "met"
    assert actions()[-1] == "room.seal_found"
    # the last day is not a night
    with pytest.raises(DomainError) as e:
        room_seals.seal_room(
            meeting, actor=tech, seal_number="TEM-1003", key="seal-key-3", now=_evening(meeting, 2)
        )
    assert e.value.code == "not_a_night"


@pytest.mark.parametrize(
    "found,intact,kind", [("TEM-9999", True, "seal_mismatch"), ("TEM-1001", False, "seal_broken")]
)
def test_a_broken_or_changed_seal_is_an_incident(three_days, found, intact, kind):
    meeting, tech = three_days
    room_seals.seal_room(
        meeting, actor=tech, seal_number="TEM-1001", key="seal-key-1", now=_evening(meeting, 0)
    )
    seal = room_seals.find_seal(
        meeting,
        actor=tech,
        seal_number=found,
        intact=intact,
        key="found-1",
        now=_morning(meeting, 1),
    )
    db.session.commit()
    assert seal.found_ok is False
    assert db.session.query(Incident).filter_by(meeting_id=meeting.id, kind=kind).count() == 1
    assert actions()[-1] == "room.seal_broken"
    assert _item(meeting).status == "unmet"


def test_only_the_team_seals_and_only_while_under_way(three_days, make_user):
    meeting, tech = three_days
    with pytest.raises(DomainError) as e:
        room_seals.seal_room(
            meeting, actor=make_user("technician"), seal_number="TEM-1", key="k-12345678"
        )
    assert e.value.code == "not_sealer"
    db.session.rollback()
    with pytest.raises(DomainError) as e:
        room_seals.seal_room(
            meeting, actor=tech, seal_number="!!", key="k-12345678", now=_evening(meeting, 0)
        )
    assert e.value.code == "bad_seal"
    db.session.rollback()
    meeting.status = "closing"
    db.session.commit()
    with pytest.raises(DomainError) as e:
        room_seals.seal_room(meeting, actor=tech, seal_number="TEM-1", key="k-12345678")
    assert e.value.code == "not_under_way"


def test_the_room_seal_page(client, login, three_days):
    import re

    meeting, tech = three_days
    login(tech)
    detail = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f"/meetings/{meeting.id}/room-seal" in detail
    page = client.get(f"/meetings/{meeting.id}/room-seal").get_data(as_text=True)
    key = re.search(r'name="seal-key"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="seal-key"', page
    )
    resp = client.post(
        f"/meetings/{meeting.id}/room-seal",
        data={"seal-seal_number": "??", "seal-key": key.group(1)},
    )
    assert resp.status_code == 422 and "bad_seal" in error_codes(resp)

"""What each status of a meeting allows, asked of one table: every status × every action,
as the services allowed it when each package kept its own tuple of statuses."""

import pytest
from sqlalchemy import text

from meetingsec.meetings.lifecycle import ALLOWS, Action, MeetingStatus, statuses
from meetingsec.meetings.models import Meeting

D, P, CL, S, CG, C, X = (
    MeetingStatus.DRAFT,
    MeetingStatus.PREPARING,
    MeetingStatus.CLEARED,
    MeetingStatus.IN_SESSION,
    MeetingStatus.CLOSING,
    MeetingStatus.CLOSED,
    MeetingStatus.CANCELLED,
)

#: action → the statuses that allow it (from the tuples this table replaced)
EXPECTED = {
    Action.EDIT: {D, P},  # meetings EDITABLE: details, device list, the chair's decision
    Action.LIST: {D, P, CL, S},  # attendees LIST_OPEN
    Action.CHECK: {D, P},  # devices _CHECKING: inspections, seals, venue checks
    Action.DOOR: {CL, S},  # door DOOR_OPEN: check-in, re-entry, refusal
    Action.EXIT: {CL, S, CG},  # door EXITS_OPEN: exits and returns
    Action.SEAL_ROOM: {CL, S},  # meetings.room_seals: between the days of the meeting
    Action.REGISTER: {D, P, CL, S},  # documents REGISTERING
    Action.HAND_OUT: {CL, S},  # documents HANDING_OUT
    Action.RECOVER: {CL, S, CG},  # documents RECOVERING (and reporting lost)
    Action.MARK_BEFORE: {D, P},  # checklists MARKABLE[before]
    Action.MARK_DURING: {CL, S},  # MARKABLE[during]
    Action.MARK_AFTER: {CG},  # MARKABLE[after]
    Action.RECORDS: {P, CL, S, CG},  # records: approved, not cancelled, not frozen
    Action.CLOSE: {CG},  # closing summary, unclaimed items, gate 2
    Action.CLOSING_PAGE: {CG, C},
    Action.APPROVE: {D},
    Action.CLEAR: {P},
    Action.START: {CL},
    Action.END: {S},
    Action.CANCEL: {D, P, CL},  # meetings CANCELLABLE
}


def test_every_action_is_in_the_table():
    assert set(EXPECTED) == set(Action)
    assert set(ALLOWS) == set(MeetingStatus)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("status", list(MeetingStatus))
def test_each_status_allows_what_it_did(status, action):
    assert status.allows(action) is (status in EXPECTED[action])
    assert status.allows(action.value) is (status in EXPECTED[action])  # as templates ask


@pytest.mark.parametrize("action", list(Action))
def test_statuses_lists_them_in_lifecycle_order(action):
    assert statuses(action) == [s for s in MeetingStatus if s in EXPECTED[action]]


def test_marking_follows_the_rules_phase():
    assert [Action.mark(p) for p in ("before", "during", "after")] == [
        Action.MARK_BEFORE,
        Action.MARK_DURING,
        Action.MARK_AFTER,
    ]


def test_a_misspelt_action_raises_rather_than_reading_as_not_allowed():
    with pytest.raises(ValueError):
        MeetingStatus.CLEARED.allows("dor")


def test_the_status_column_is_the_enum_and_stores_its_value(make_meeting, db):
    meeting = make_meeting()
    assert meeting.status is MeetingStatus.DRAFT
    meeting.status = "cleared"  # set from a string: the enum at once
    assert meeting.status is MeetingStatus.CLEARED
    db.session.commit()
    stored = db.session.scalar(
        text("SELECT status FROM meetings WHERE id = :id"), {"id": meeting.id}
    )
    assert stored == "cleared"
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status is MeetingStatus.CLEARED
    with pytest.raises(ValueError):
        meeting.status = "opened"

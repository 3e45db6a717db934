"""Invitations that carry the secret content (the organiser's choice, off by default): each
a numbered copy of one registered document, issued when printed (at the latest at the
door), recovered like any copy, and closing waits for them (recover-docs)."""

import pytest

from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.documents import queries, services
from meetingsec.documents.invitations import (
    CopyNumber,
    hand_out_at_entry,
    invitation_copy,
    invitation_document,
    issue_invitations,
)
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import MeetingStatus
from tests.helpers import actions, check_in, item_status, snapshot


def _secret(meeting):
    meeting.invitations_secret = True
    db.session.commit()
    return meeting


def test_neutral_invitations_register_nothing(open_door):
    meeting, _clerk, people = open_door()
    assert meeting.invitations_secret is False  # the default
    before = snapshot()
    assert issue_invitations(meeting, people, actor=meeting.organiser) == {}
    db.session.commit()
    assert snapshot() == before
    assert invitation_document(meeting.id) is None
    assert item_status(meeting, "recover-docs").status == "met"  # nothing to recover


def test_printing_numbers_the_whole_list_and_issues_the_printed_copies(open_door):
    meeting, _clerk, people = open_door(n=3)
    _secret(meeting)
    printed = issue_invitations(meeting, [people[1]], actor=meeting.organiser)
    db.session.commit()
    assert printed == {people[1].id: CopyNumber(2, 3)}  # "Bản số 2/3"
    document = invitation_document(meeting.id)
    assert document.is_invitation and document.classification == meeting.classification
    assert document.number == "Giấy mời" and document.title == meeting.title
    assert [(c.copy_number, c.attendee_id) for c in document.copies] == [
        (n, p.id) for n, p in enumerate(people, start=1)
    ]
    # the invitation's own QR is the copy's label
    assert [c.code for c in document.copies] == [p.invitation_code for p in people]
    assert [c.state for c in document.copies] == ["in_hand", "handed_out", "in_hand"]
    assert actions()[-2:] == ["invitation.numbered", "document.handed_out"]
    # the copy rules apply, and its copying needs no other authorisation
    assert item_status(meeting, "copy-control").status == "met"

    # printing everyone's issues the rest; the same copy prints again with its number
    again = issue_invitations(meeting, people, actor=meeting.organiser)
    db.session.commit()
    assert again == {p.id: CopyNumber(n, 3) for n, p in enumerate(people, start=1)}
    assert [c.state for c in document.copies] == ["handed_out"] * 3
    assert actions().count("document.handed_out") == 3
    assert actions().count("invitation.numbered") == 1
    issue_invitations(meeting, [people[0]], actor=meeting.organiser)
    db.session.commit()
    assert actions().count("document.handed_out") == 3  # a reprint is not a second hand-out


def test_someone_approved_later_gets_the_next_number(open_door):
    meeting, _clerk, people = open_door(n=2)
    _secret(meeting)
    issue_invitations(meeting, people, actor=meeting.organiser)
    db.session.commit()
    meeting.status = MeetingStatus.PREPARING  # the list changes before the door opens
    late = add_attendees(
        meeting,
        [{"full_name": "Trần Văn Muộn", "unit_name": "Sở Tư pháp", "position": ""}],
        actor=meeting.organiser,
        source="test",
    )
    approve_list(meeting, actor=meeting.chair, seen=shown_changes(late, []))
    db.session.commit()
    assert issue_invitations(meeting, late, actor=meeting.organiser) == {
        late[0].id: CopyNumber(3, 3)
    }
    db.session.commit()
    assert invitation_document(meeting.id).copy_count == 3


def test_only_the_organiser_issues_them_and_not_once_closing(open_door):
    meeting, clerk, people = open_door()
    _secret(meeting)
    before = snapshot()
    with pytest.raises(NotAllowed):
        issue_invitations(meeting, people, actor=clerk)
    meeting.status = MeetingStatus.CLOSING
    with pytest.raises(DomainError) as err:
        issue_invitations(meeting, people, actor=meeting.organiser)
    assert err.value.code == "wrong_stage"
    db.session.rollback()
    assert snapshot() == before


def test_a_copy_not_yet_issued_is_handed_out_at_the_door(open_door):
    meeting, clerk, people = open_door(n=2)
    _secret(meeting)
    issue_invitations(meeting, [people[0]], actor=meeting.organiser)
    db.session.commit()
    assert invitation_copy(meeting.id, people[1].id).state == "in_hand"
    entry = hand_out_at_entry(meeting, check_in(meeting, clerk, people[1]), actor=clerk)
    db.session.commit()
    copy = invitation_copy(meeting.id, people[1].id)
    assert copy.state == "handed_out" and copy.handed_out_at == entry.at
    assert copy.handed_out_by_id == clerk.id
    # the copy issued when printed is not handed out twice
    hand_out_at_entry(meeting, check_in(meeting, clerk, people[0]), actor=clerk)
    db.session.commit()
    assert actions().count("document.handed_out") == 2


def test_an_invitation_goes_to_no_one_else(open_door):
    meeting, clerk, people = open_door(n=2)
    _secret(meeting)
    issue_invitations(meeting, [people[0]], actor=meeting.organiser)
    check_in(meeting, clerk, people[0])
    db.session.commit()
    with pytest.raises(DomainError) as err:
        services.hand_out(
            meeting,
            actor=clerk,
            key="handout-someone-else",
            attendee_code=people[0].invitation_code,
            copy_code=people[1].invitation_code,  # the other person's invitation
        )
    assert err.value.code == "someone_elses_invitation"


def test_closing_waits_for_every_invitation_copy(open_door):
    meeting, clerk, people = open_door(n=2)
    _secret(meeting)
    issue_invitations(meeting, people, actor=meeting.organiser)
    for p in people:
        check_in(meeting, clerk, p)
    db.session.commit()
    meeting.status = MeetingStatus.CLOSING
    db.session.commit()
    item = item_status(meeting, "recover-docs")
    assert item.status == "unmet" and str(item.reason).startswith("2 ")
    out = queries.copies_of(meeting.id, outstanding=True)
    assert [(c.document.number, c.copy_number) for c in out] == [("Giấy mời", 1), ("Giấy mời", 2)]
    # taken back at the door: the invitation's own code is the copy's label
    copy = services.recover(
        meeting, actor=clerk, key="recover-invitation-1", copy_code=people[0].invitation_code
    )
    assert copy.copy_number == 1 and copy.state == "recovered"
    db.session.commit()
    assert item_status(meeting, "recover-docs").status == "unmet"
    services.report_lost(
        meeting,
        invitation_copy(meeting.id, people[1].id),
        actor=meeting.organiser,
        reason="Đại biểu để quên tại khách sạn, đã báo cáo.",
    )
    db.session.commit()
    assert item_status(meeting, "recover-docs").status == "met"
    assert queries.copy_counts(meeting.id).outstanding == 0

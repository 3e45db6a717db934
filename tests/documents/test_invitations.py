"""Invitations that carry the secret content (the organiser's choice, off by default): each
a numbered copy of one registered document, issued when printed (at the latest at the
door), recovered like any copy, and closing waits for them (recover-docs)."""

import re

import pytest

from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.documents import queries, services
from meetingsec.documents.invitations import (
    CopyNumber,
    hand_out_at_entry,
    invitation_copy,
    invitation_document,
)
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import MeetingStatus
from meetingsec.workflows.services import issue_invitations
from tests.factories import chair_of, organiser_of
from tests.helpers import actions, check_in, error_codes, item_status, snapshot


def _secret(meeting):
    meeting.invitations_secret = True
    db.session.commit()
    return meeting


def test_neutral_invitations_register_nothing(open_door):
    meeting, _clerk, people = open_door()
    assert meeting.invitations_secret is False  # the default
    before = snapshot()
    assert issue_invitations(meeting, people, actor=organiser_of(meeting)) == {}
    db.session.commit()
    assert snapshot() == before
    assert invitation_document(meeting.id) is None
    assert item_status(meeting, "recover-docs").status == "met"  # nothing to recover


def test_printing_numbers_the_whole_list_and_issues_the_printed_copies(open_door):
    meeting, _clerk, people = open_door(n=3)
    _secret(meeting)
    printed = issue_invitations(meeting, [people[1]], actor=organiser_of(meeting))
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
    again = issue_invitations(meeting, people, actor=organiser_of(meeting))
    db.session.commit()
    assert again == {p.id: CopyNumber(n, 3) for n, p in enumerate(people, start=1)}
    assert [c.state for c in document.copies] == ["handed_out"] * 3
    assert actions().count("document.handed_out") == 3
    assert actions().count("invitation.numbered") == 1
    issue_invitations(meeting, [people[0]], actor=organiser_of(meeting))
    db.session.commit()
    assert actions().count("document.handed_out") == 3  # a reprint is not a second hand-out


def test_someone_approved_later_gets_the_next_number(open_door):
    meeting, _clerk, people = open_door(n=2)
    _secret(meeting)
    issue_invitations(meeting, people, actor=organiser_of(meeting))
    db.session.commit()
    meeting.status = MeetingStatus.PREPARING  # the list changes before the door opens
    late = add_attendees(
        meeting,
        [{"full_name": "Trần Văn Muộn", "unit_name": "Sở Tư pháp", "position": ""}],
        actor=organiser_of(meeting),
        source="test",
    )
    approve_list(meeting, actor=chair_of(meeting), seen=shown_changes(late, []))
    db.session.commit()
    assert issue_invitations(meeting, late, actor=organiser_of(meeting)) == {
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
        issue_invitations(meeting, people, actor=organiser_of(meeting))
    assert err.value.code == "wrong_stage"
    db.session.rollback()
    assert snapshot() == before


def test_a_copy_not_yet_issued_is_handed_out_at_the_door(open_door):
    meeting, clerk, people = open_door(n=2)
    _secret(meeting)
    issue_invitations(meeting, [people[0]], actor=organiser_of(meeting))
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
    issue_invitations(meeting, [people[0]], actor=organiser_of(meeting))
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
    issue_invitations(meeting, people, actor=organiser_of(meeting))
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
        actor=organiser_of(meeting),
        reason="Đại biểu để quên tại khách sạn, đã báo cáo.",
    )
    db.session.commit()
    assert item_status(meeting, "recover-docs").status == "met"
    assert queries.copy_counts(meeting.id).outstanding == 0


# -- over HTTP: the organiser's choice, the printed copies, the door taking them back ----


def test_the_organiser_chooses_secret_invitations_on_the_meeting_form(client, make_meeting, login):
    import json

    from meetingsec.audit.models import AuditEvent

    meeting = make_meeting()
    login(organiser_of(meeting))
    page = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    # off by default, and the hint says what each choice means
    box = re.search(r'<input[^>]*id="invitations_secret"[^>]*>', page)[0]
    assert "checked" not in box and 'aria-describedby="invitations_secret-hint"' in box
    hint = re.search(r'<p class="hint" id="invitations_secret-hint">([^<]+)</p>', page).group(1)
    assert "Bản số n/N" in hint
    field = lambda name: re.search(rf'id="{name}" name="{name}"[^>]*value="([^"]+)"', page)[1]  # noqa: E731
    data = {
        "title": meeting.title,
        "kind": meeting.kind,
        "classification": meeting.classification,
        "format": meeting.format,
        "starts_at": field("starts_at"),
        "ends_at": field("ends_at"),
        "venue_id": str(meeting.venue_id),
        "host_unit_id": str(meeting.host_unit_id),
        "chair_id": str(meeting.chair_id),
        "invitations_secret": "y",
        "version": str(meeting.version),
    }
    resp = client.post(f"/meetings/{meeting.id}/edit", data=data)
    assert resp.status_code == 303, error_codes(resp)
    db.session.refresh(meeting)
    assert meeting.invitations_secret is True
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "meeting.updated")
    ).all()[-1]
    assert json.loads(event.payload)["invitations_secret"] == [False, True]


def test_secret_invitations_print_their_copy_number_mark_and_title(client, login, open_door):
    from tests import pdf

    meeting, _clerk, people = open_door(n=2, classification="toi_mat")
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/attendees/invitations.pdf"
    neutral = client.get(url).data
    assert "Bản số" not in pdf.plain(neutral) and meeting.title not in pdf.plain(neutral)
    assert pdf.mark_box(pdf.raster(neutral, 1)) is None
    assert invitation_document(meeting.id) is None  # neutral paper registers nothing

    _secret(meeting)
    data = client.get(url).data
    pdf.save("invitations-secret.pdf", data)
    assert int(pdf.info(data)["Pages"]) == 2
    for n, (page, person) in enumerate(zip(pdf.pages_text(data), people, strict=True), 1):
        assert person.full_name in page and meeting.title in " ".join(page.split())
        assert pdf.phrase_count(pdf_page(data, n), f"Bản số {n}/2") == 1
        assert "TỐI MẬT" in page
        mark = pdf.mark_box(pdf.raster(data, n, 200), 200)
        assert mark is not None and abs(mark["inner"][0] - 30) < 0.5  # Tối mật: 30 × 8 mm
    # printed to their holders: the copies are out
    assert [c.state for c in invitation_document(meeting.id).copies] == ["handed_out"] * 2
    # one person's invitation again: the same copy, the same number
    again = client.get(f"/meetings/{meeting.id}/attendees/{people[1].id}/invitation.pdf").data
    assert pdf.phrase_count(again, "Bản số 2/2") == 1
    assert actions().count("document.handed_out") == 2
    # the list says what printing them does; no second set of labels for these copies
    page = client.get(f"/meetings/{meeting.id}/attendees/").get_data(as_text=True)
    assert "in ra là phát cho người được mời" in page
    document = invitation_document(meeting.id)
    assert (
        client.get(f"/meetings/{meeting.id}/documents/{document.id}/labels.pdf").status_code == 404
    )
    register = client.get(f"/meetings/{meeting.id}/documents/").get_data(as_text=True)
    assert "nhãn của mỗi bản là mã QR in ngay trên giấy mời" in register


def pdf_page(data: bytes, n: int) -> bytes:
    """Page ``n`` of a PDF on its own (pikepdf)."""
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as doc, pikepdf.new() as one:
        one.pages.append(doc.pages[n - 1])
        out = io.BytesIO()
        one.save(out)
        return out.getvalue()


def test_the_door_takes_the_invitation_back(client, login, open_door):
    from meetingsec.meetings.models import Meeting

    meeting, clerk, (a, b, _c) = open_door()
    _secret(meeting)
    issue_invitations(meeting, [a], actor=organiser_of(meeting))
    db.session.commit()
    check_in(meeting, clerk, a)
    db.session.commit()
    login(clerk)
    card = client.get(f"/meetings/{meeting.id}/door/attendees/{a.id}").get_data(as_text=True)
    assert "Thu lại giấy mời bản số 1" in card
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', card)
    url = f"/meetings/{meeting.id}/documents/invitations/{a.id}/recover"
    resp = client.post(url, data={"key": key[1], "back": "card"})
    assert resp.status_code == 303 and resp.location.endswith(f"/door/attendees/{a.id}")
    assert invitation_copy(meeting.id, a.id).state == "recovered"
    card = client.get(resp.location).get_data(as_text=True)
    assert "Giấy mời bản số 1 đã thu lại lúc" in card and "Thu lại giấy mời" not in card
    # a second tap finds it done (the same key); a copy never handed out is not taken back
    resp = client.post(url, data={"key": key[1], "back": "card"})
    page = client.get(resp.location)
    assert error_codes(page) == [] and "Đã thu lại giấy mời bản số 1." in page.get_data(True)
    resp = client.post(
        f"/meetings/{meeting.id}/documents/invitations/{b.id}/recover",
        data={"key": "another-key-0001", "back": "returns"},
    )
    assert resp.location.endswith(f"/door/returns/{b.id}")
    # numbered, never printed: not out
    assert "not_handed_out" in error_codes(client.get(resp.location))
    # b came in without it printed: it is out from the door on, and at the end the
    # returns card asks for it too
    hand_out_at_entry(meeting, check_in(meeting, clerk, b), actor=clerk)
    meeting = db.session.get(Meeting, meeting.id)
    meeting.status = MeetingStatus.CLOSING
    db.session.commit()
    page = client.get(f"/meetings/{meeting.id}/door/returns/{b.id}").get_data(as_text=True)
    assert "Thu lại giấy mời bản số 2" in page  # numbered with the list, out from the door


def test_the_security_record_registers_the_invitation_copies(open_door):
    from meetingsec.records.choices import RecordKind
    from meetingsec.records.previews import record_now
    from tests import pdf

    meeting, clerk, people = open_door(n=2)
    _secret(meeting)
    issue_invitations(meeting, people, actor=organiser_of(meeting))
    check_in(meeting, clerk, people[0])
    services.recover(
        meeting, actor=clerk, key="recover-for-record", copy_code=people[0].invitation_code
    )
    db.session.commit()
    data = record_now(RecordKind.SECURITY, meeting)
    pdf.save("security-secret-invitations.pdf", data)
    text = pdf.plain(data)
    # the register of copies: the invitations' document, each copy, its holder, its state
    assert "Tài liệu: 1; số bản: 2; đã phát: 2; đã thu hồi: 1" in text
    assert pdf.phrase_count(data, f"Giấy mời: {meeting.title}") == 2
    for person in people:
        assert person.full_name in text
    assert pdf.phrase_count(data, "Chưa thu hồi") == 1

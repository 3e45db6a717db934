"""Secret documents through their services: numbered copies, hand-out to people inside,
recovery by scanning, losses as incidents, and the checklist items computed from them."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from meetingsec.core import codes
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.documents import queries, services
from meetingsec.door.services import AlreadyDone
from meetingsec.extensions import db
from meetingsec.workflows import services as workflows
from tests.factories import organiser_of
from tests.helpers import actions, check_in, item_status, snapshot


def _register(meeting, copies=3, authorisation="Đồng chí Giám đốc cho phép sao, VB số 5/CV"):
    doc = workflows.register_document(
        meeting,
        actor=organiser_of(meeting),
        number="12/BC-CAT",
        title="Báo cáo tình hình an ninh quý IV",
        classification="toi_mat",
        copy_count=copies,
        copy_authorisation=authorisation,
    )
    db.session.commit()
    return doc


def test_registering_numbers_the_copies_and_brings_copy_control(open_door):
    meeting, _clerk, _people = open_door()
    assert item_status(meeting, "copy-control") is None  # no document: the rule does not apply
    doc = _register(meeting, copies=4, authorisation="")
    assert [c.copy_number for c in doc.copies] == [1, 2, 3, 4]
    assert all(codes.normalize(c.code) == c.code for c in doc.copies)
    assert len({c.code for c in doc.copies}) == 4
    assert "document.registered" in actions()
    item = item_status(meeting, "copy-control")
    assert item.status == "unmet"
    assert "chưa ghi nhận ý kiến cho phép sao" in str(item.reason)
    services.authorise_copies(meeting, doc, actor=organiser_of(meeting), text="Giám đốc cho phép")
    db.session.commit()
    assert item_status(meeting, "copy-control").status == "met"
    assert actions()[-1] == "document.copies_authorised"


def test_bad_registrations_change_nothing(open_door, make_user):
    meeting, clerk, _people = open_door()
    before = snapshot()
    with pytest.raises(NotAllowed):
        workflows.register_document(
            meeting, actor=clerk, number="1", title="x", classification="mat", copy_count=1
        )
    for count in (0, services.MAX_COPIES + 1):
        with pytest.raises(DomainError):
            workflows.register_document(
                meeting,
                actor=organiser_of(meeting),
                number="1",
                title="x",
                classification="mat",
                copy_count=count,
            )
    with pytest.raises(ValueError):
        workflows.register_document(
            meeting,
            actor=organiser_of(meeting),
            number="1",
            title="x",
            classification="x",
            copy_count=1,
        )
    db.session.rollback()
    assert snapshot() == before


def test_hand_out_to_someone_inside_then_recover(open_door):
    meeting, clerk, (a, b, _c) = open_door()
    doc = _register(meeting)
    first = doc.copies[0]
    with pytest.raises(DomainError) as err:  # not checked in yet
        services.hand_out(
            meeting,
            actor=clerk,
            key="k-000001",
            attendee_code=a.invitation_code,
            copy_code=first.code,
        )
    assert err.value.code == "not_checked_in"
    db.session.rollback()
    check_in(meeting, clerk, a)
    db.session.commit()
    copy = services.hand_out(
        meeting, actor=clerk, key="k-000001", attendee_code=a.invitation_code, copy_code=first.code
    )
    db.session.commit()
    assert (copy.state, copy.attendee_id) == ("handed_out", a.id)
    # the same key again (a retry after the Wi-Fi dropped) records nothing new
    before = snapshot()
    services.hand_out(
        meeting, actor=clerk, key="k-000001", attendee_code=a.invitation_code, copy_code=first.code
    )
    db.session.commit()
    assert snapshot() == before
    check_in(meeting, clerk, b)
    db.session.commit()
    with pytest.raises(AlreadyDone) as err:  # another person, the same copy
        services.hand_out(
            meeting,
            actor=clerk,
            key="k-000002",
            attendee_code=b.invitation_code,
            copy_code=first.code,
        )
    assert "Nguyễn Văn Khách 1" in str(err.value.message)
    db.session.rollback()
    recover_docs = item_status(meeting, "recover-docs")
    assert recover_docs.status == "unmet"
    assert "1 bản đã phát chưa được thu hồi" in str(recover_docs.reason)
    services.recover(meeting, actor=organiser_of(meeting), key="r-000001", copy_code=first.code)
    db.session.commit()
    assert item_status(meeting, "recover-docs").status == "met"
    assert actions()[-1] == "document.recovered"
    with pytest.raises(AlreadyDone):
        services.recover(meeting, actor=clerk, key="r-000002", copy_code=first.code)
    db.session.rollback()
    with pytest.raises(DomainError) as err:  # copy 2 was never handed out
        services.recover(meeting, actor=clerk, key="r-000003", copy_code=doc.copies[1].code)
    assert err.value.code == "not_handed_out"


def test_a_lost_copy_is_an_incident_and_accounted_for(open_door):
    meeting, clerk, (a, *_rest) = open_door()
    doc = _register(meeting)
    check_in(meeting, clerk, a)
    copy = services.hand_out(
        meeting,
        actor=clerk,
        key="k-000001",
        attendee_code=a.invitation_code,
        copy_code=doc.copies[2].code,
    )
    db.session.commit()
    with pytest.raises(NotAllowed):  # only the organiser reports a loss
        services.report_lost(meeting, copy, actor=clerk, reason="Không tìm thấy")
    db.session.rollback()
    incident = services.report_lost(
        meeting, copy, actor=organiser_of(meeting), reason="Không tìm thấy"
    )
    db.session.commit()
    assert (incident.kind, incident.person_name) == ("document_lost", a.full_name)
    assert copy.state == "lost"
    counts = queries.copy_counts(meeting.id)
    assert (counts.handed_out, counts.recovered, counts.lost, counts.outstanding) == (1, 0, 1, 0)
    assert item_status(meeting, "recover-docs").status == "met"
    with pytest.raises(AlreadyDone):
        services.recover(meeting, actor=clerk, key="r-000001", copy_code=copy.code)


def test_codes_of_other_kinds_get_a_clear_message(open_door, make_meeting):
    meeting, clerk, (a, *_rest) = open_door()
    other, _clerk, _people = open_door()
    foreign = _register(other).copies[0]
    with pytest.raises(DomainError) as err:
        services.find_copy(meeting, a.invitation_code)
    assert "Đây là giấy mời" in str(err.value.message)
    with pytest.raises(DomainError) as err:
        services.find_copy(meeting, foreign.code)
    assert "cuộc họp khác" in str(err.value.message)
    with pytest.raises(DomainError) as err:
        services.find_copy(meeting, "not a code")
    assert err.value.code == "bad_code"


def test_two_desks_recover_the_same_copy_once(app, open_door):
    meeting, clerk, (a, *_rest) = open_door()
    doc = _register(meeting)
    check_in(meeting, clerk, a)
    services.hand_out(
        meeting,
        actor=clerk,
        key="k-000001",
        attendee_code=a.invitation_code,
        copy_code=doc.copies[0].code,
    )
    db.session.commit()
    ids = (meeting.id, clerk.id, meeting.organiser_id, doc.copies[0].code)
    db.session.commit()  # the test holds no transaction while the desks write

    def recover(n):
        from meetingsec.core.transactions import attempt
        from meetingsec.meetings.models import Meeting
        from meetingsec.users.models import User

        with app.app_context():
            m = db.session.get(Meeting, ids[0])
            actor = db.session.get(User, ids[1] if n else ids[2])
            _copy, err = attempt(
                lambda: services.recover(m, actor=actor, key=f"race-{n:04d}", copy_code=ids[3])
            )
            db.session.remove()
            return None if err is None else err.code

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(map(str, pool.map(recover, range(2))))
    assert outcomes == ["None", "already_recovered"]
    assert actions().count("document.recovered") == 1

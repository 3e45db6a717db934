"""The attendee list through its services: drafts, the chair's approval, changes after it."""

import pytest

from meetingsec.attendees import services
from meetingsec.core.codes import normalize
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from meetingsec.records.queries import evaluate_checklist
from tests.factories import chair_of, organiser_of
from tests.helpers import actions


def _row(name, unit="Sở Nội vụ", **kw):
    return {"full_name": name, "unit_name": unit, **kw}


def _item(meeting, rule_id="attendee-list"):
    return next(v for v in evaluate_checklist(meeting) if v.rule.id == rule_id)


def _shown(meeting):
    """What the chair's list page shows as awaiting approval now."""
    return services.shown_changes(*services.pending_changes(meeting.id))


def test_the_list_is_approved_by_the_chair_and_then_changes_need_the_chair_again(make_meeting):
    meeting = make_meeting()
    assert _item(meeting).reason == "Danh sách người tham dự còn trống."
    a = services.add_attendee(meeting, _row("Nguyễn  Văn   Ánh"), actor=organiser_of(meeting))
    b = services.add_attendee(meeting, _row("Trần Thị Bích"), actor=organiser_of(meeting))
    db.session.commit()
    assert a.full_name == "Nguyễn Văn Ánh" and a.name_folded == "nguyen van anh"
    assert normalize(a.invitation_code) == a.invitation_code != b.invitation_code
    assert not a.admitted and _item(meeting).status == "unmet"

    services.approve_list(meeting, actor=chair_of(meeting), seen=_shown(meeting))
    db.session.commit()
    assert a.admitted and b.admitted and _item(meeting).status == "met"
    assert actions()[-1] == "attendees.approved"

    # after approval: an addition waits for the chair, a removal is a request
    c = services.add_attendee(meeting, _row("Lê Văn Cường"), actor=organiser_of(meeting))
    services.remove_attendee(meeting, b, actor=organiser_of(meeting), reason="Đi công tác")
    db.session.commit()
    assert not c.admitted and b.admitted and b.list_status == "pending_removal"
    assert "chờ người chủ trì" in str(_item(meeting).reason)
    with pytest.raises(DomainError) as e:  # the chair saw one change, there are two
        services.approve_list(
            meeting, actor=chair_of(meeting), seen=services.shown_changes([c], [])
        )
    assert e.value.code == "list_changed"
    services.approve_list(meeting, actor=chair_of(meeting), seen=_shown(meeting))
    db.session.commit()
    assert c.admitted and not b.admitted and b.list_status == "removed"
    assert _item(meeting).status == "met"


def test_only_the_organiser_changes_and_only_the_chair_approves(make_meeting, make_user):
    meeting = make_meeting()
    other = make_user("organiser")
    with pytest.raises(DomainError) as e:
        services.add_attendee(meeting, _row("A"), actor=other)
    assert e.value.code == "not_organiser"
    services.add_attendee(meeting, _row("A"), actor=organiser_of(meeting))
    with pytest.raises(DomainError) as e:
        services.approve_list(meeting, actor=organiser_of(meeting), seen=_shown(meeting))
    assert e.value.code == "not_chair"


def test_removing_an_approved_person_needs_a_reason(make_meeting):
    meeting = make_meeting()
    a = services.add_attendee(meeting, _row("Phạm Văn Đạt"), actor=organiser_of(meeting))
    services.approve_list(meeting, actor=chair_of(meeting), seen=_shown(meeting))
    with pytest.raises(DomainError) as e:
        services.remove_attendee(meeting, a, actor=organiser_of(meeting), reason="")
    assert e.value.field == "reason"


@pytest.mark.parametrize(
    "second,field",
    [
        (_row("NGUYỄN VĂN ÁNH", unit="sở nội vụ"), "full_name"),
        (_row("Nguyen Van Anh"), "full_name"),
        (_row("Người Khác", id_number="079123"), "id_number"),
    ],
)
def test_duplicates_are_refused(make_meeting, second, field):
    meeting = make_meeting()
    services.add_attendee(
        meeting, _row("Nguyễn Văn Ánh", id_number="079123"), actor=organiser_of(meeting)
    )
    with pytest.raises(DomainError) as e:
        services.add_attendee(meeting, second, actor=organiser_of(meeting))
    assert (e.value.code, e.value.field) == ("duplicate", field)


def test_same_name_in_another_unit_is_another_person(make_meeting):
    meeting = make_meeting()
    services.add_attendee(meeting, _row("Nguyễn Văn Ánh"), actor=organiser_of(meeting))
    services.add_attendee(
        meeting, _row("Nguyễn Văn Ánh", unit="Sở Tư pháp"), actor=organiser_of(meeting)
    )
    assert len(services.active_attendees(meeting.id)) == 2


def test_the_chair_approves_exactly_the_changes_shown(make_meeting):
    """Same number of changes, not the same changes: one person taken off and another put
    on since the page was shown, or a removal requested for someone else. Refused, and
    nothing changes."""
    meeting = make_meeting()
    a = services.add_attendee(meeting, _row("Nguyễn Văn An"), actor=organiser_of(meeting))
    shown = _shown(meeting)
    services.remove_attendee(meeting, a, actor=organiser_of(meeting), reason="")
    b = services.add_attendee(meeting, _row("Trần Văn Bình"), actor=organiser_of(meeting))
    db.session.commit()
    events = len(actions())
    for seen in (shown, "", "1", f"{b.id}:0000000000000000"):
        with pytest.raises(DomainError) as e:
            services.approve_list(meeting, actor=chair_of(meeting), seen=seen)
        assert e.value.code == "list_changed"
        db.session.rollback()
    assert not b.admitted and len(actions()) == events

    services.approve_list(meeting, actor=chair_of(meeting), seen=_shown(meeting))
    c = services.add_attendee(meeting, _row("Lê Thị Cúc"), actor=organiser_of(meeting))
    services.remove_attendee(meeting, b, actor=organiser_of(meeting), reason="Đi công tác")
    shown = _shown(meeting)
    db.session.commit()
    d = services.add_attendee(meeting, _row("Phạm Văn Dũng"), actor=organiser_of(meeting))
    services.remove_attendee(meeting, d, actor=organiser_of(meeting), reason="")
    db.session.commit()  # d came and went: the changes shown are the ones pending
    services.approve_list(meeting, actor=chair_of(meeting), seen=shown)
    assert c.admitted and not b.admitted and not d.admitted

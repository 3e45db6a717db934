"""Every message that tells a clerk when something already happened shows the time on the
agency's clock (UTC+7), converted once: 04:33 UTC is "11:33", never "18:33"."""

from datetime import UTC, datetime

import pytest
from flask import current_app

from meetingsec.core.i18n import clock, time_span
from meetingsec.documents import services as documents
from meetingsec.door import deposits
from meetingsec.door.queries import unreturned
from meetingsec.door.services import AlreadyDone
from meetingsec.extensions import db
from meetingsec.workflows import services as workflows
from tests.factories import organiser_of
from tests.helpers import check_in, signature_json

#: 11:33 in Hà Nội
AT = datetime(2026, 12, 2, 4, 33, tzinfo=UTC)


def _said(excinfo) -> str:
    """The refusal as the clerk reads it (Vietnamese, the default)."""
    with current_app.test_request_context():
        return str(excinfo.value.message)


def _told_at_local_time(excinfo, code: str) -> None:
    assert excinfo.value.code == code
    said = _said(excinfo)
    assert "11:33" in said and "18:33" not in said, said


def test_the_clock_of_the_agency_converts_once(app):
    assert clock(AT) == "11:33"
    assert clock(None) == ""


def test_a_meeting_over_two_days_shows_its_dates(app):
    """The door's header: a meeting's times alone would read as one day's."""
    assert time_span(AT, AT.replace(hour=8, minute=0)) == "11:33–15:00"
    two_days = AT.replace(day=3, hour=9, minute=0)
    assert time_span(AT, two_days) == "11:33 02/12/2026 – 16:00 03/12/2026"
    # 23:00 UTC is already the next day in Hà Nội
    assert time_span(AT, AT.replace(hour=23, minute=0)) == "11:33 02/12/2026 – 06:00 03/12/2026"


def test_a_second_tablet_checking_in_the_same_person(open_door):
    meeting, clerk, (a, *_rest) = open_door()
    from meetingsec.door.commitment import commitment_for

    workflows.check_in(
        meeting,
        a.invitation_code,
        actor=clerk,
        key="tablet-1",
        items={},
        carries_none=True,
        signature=signature_json(),
        commitment_sha256=commitment_for(meeting)[1],
        now=AT,
    )
    db.session.commit()
    with pytest.raises(AlreadyDone) as excinfo:
        check_in(meeting, clerk, a, key="tablet-2")
    _told_at_local_time(excinfo, "already_checked_in")


def test_handing_back_the_same_items_twice(open_door):
    meeting, clerk, (a, *_rest) = open_door()
    check_in(meeting, clerk, a)
    ids = [d.id for d in unreturned(a)]
    deposits.return_items(meeting, a, actor=clerk, key="back-1", deposit_ids=ids, now=AT)
    db.session.commit()
    with pytest.raises(AlreadyDone) as excinfo:
        deposits.return_items(meeting, a, actor=clerk, key="back-2", deposit_ids=ids)
    _told_at_local_time(excinfo, "already_returned")


@pytest.fixture
def handed_out(open_door):
    meeting, clerk, (a, b, *_rest) = open_door()
    check_in(meeting, clerk, a)
    check_in(meeting, clerk, b)
    doc = workflows.register_document(
        meeting,
        actor=organiser_of(meeting),
        number="07/KH-BCĐ",
        title="Kế hoạch bảo vệ",
        classification=meeting.classification,
        copy_count=1,
        copy_authorisation="Giám đốc cho phép sao 1 bản",
    )
    copy = doc.copies[0]
    documents.hand_out(
        meeting,
        actor=clerk,
        key="out-1",
        attendee_code=a.invitation_code,
        copy_code=copy.code,
        now=AT,
    )
    db.session.commit()
    return meeting, clerk, b, copy


def test_handing_out_a_copy_twice(handed_out):
    meeting, clerk, b, copy = handed_out
    with pytest.raises(AlreadyDone) as excinfo:
        documents.hand_out(
            meeting, actor=clerk, key="out-2", attendee_code=b.invitation_code, copy_code=copy.code
        )
    _told_at_local_time(excinfo, "already_handed_out")


def test_recovering_a_copy_twice(handed_out):
    meeting, clerk, _b, copy = handed_out
    documents.recover(meeting, actor=clerk, key="in-1", copy_code=copy.code, now=AT)
    db.session.commit()
    with pytest.raises(AlreadyDone) as excinfo:
        documents.recover(meeting, actor=clerk, key="in-2", copy_code=copy.code)
    _told_at_local_time(excinfo, "already_recovered")

"""Invitations that carry secret content, in the browser: the organiser chooses it on the
meeting's form, the printed invitations are numbered copies, the closing page holds the
meeting until the door has taken every one back."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from meetingsec.demo import DEMO_PASSWORD
from meetingsec.extensions import db
from tests.e2e.conftest import PHONE, log_in
from tests.factories import chair_of, one_day_end, organiser_of

NAMES = ("Lương Thị Hạnh", "Đinh Công Tráng")


def _in_app(live_server, fn):
    with live_server.app.app_context():
        out = fn()
        db.session.commit()
        db.session.remove()
    return out


def _draft_meeting():
    from meetingsec.core.db import utcnow
    from meetingsec.meetings.services import MeetingData
    from meetingsec.org.models import Unit, Venue
    from meetingsec.users.services import get_user_by_username
    from meetingsec.workflows.services import create_meeting

    start = utcnow() + timedelta(days=2)
    return create_meeting(
        MeetingData(
            title="Họp triển khai phương án bảo vệ mục tiêu",
            kind="cuoc_hop",
            classification="toi_mat",
            format="in_person",
            starts_at=start,
            ends_at=one_day_end(start),
            venue=db.session.query(Venue).first(),
            host_unit=db.session.query(Unit).first(),
            chair=get_user_by_username("chutri"),
            clerks=[get_user_by_username("letan")],
        ),
        actor=get_user_by_username("tochuc"),
    ).id


def _list_approved(meeting_id):
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
    from meetingsec.meetings.models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    rows = [{"full_name": n, "unit_name": "Sở Nội vụ", "position": "Chuyên viên"} for n in NAMES]
    people = add_attendees(meeting, rows, actor=organiser_of(meeting), source="test")
    approve_list(meeting, actor=chair_of(meeting), seen=shown_changes(people, []))
    meeting.status = "cleared"  # the gate itself is tested with the meetings


def _everyone_came_and_the_session_ended(meeting_id):
    from meetingsec.attendees.models import Attendee
    from meetingsec.meetings.models import Meeting
    from meetingsec.users.services import get_user_by_username
    from tests.helpers import check_in

    meeting = db.session.get(Meeting, meeting_id)
    people = db.session.scalars(
        db.select(Attendee).where(Attendee.meeting_id == meeting_id).order_by(Attendee.id)
    ).all()
    for person in people:
        check_in(meeting, get_user_by_username("letan"), person, carries_none=True)
    meeting.status = "closing"
    return [(p.id, p.invitation_code) for p in people]


def test_secret_invitations_hold_closing_until_the_door_takes_them_back(
    page, browser, live_server, check_page
):
    meeting_id = _in_app(live_server, _draft_meeting)

    # The organiser chooses it on the meeting's form; the hint says what it means.
    log_in(page, live_server, "tochuc", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/meetings/{meeting_id}/edit")
    choice = page.get_by_label("Giấy mời có nội dung bí mật nhà nước")
    expect(choice).not_to_be_checked()  # neutral by default
    expect(page.locator("#invitations_secret-hint")).to_contain_text("Bản số n/N")
    choice.check()
    check_page(page, "meeting-form-secret-invitations")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Giấy mời có nội dung bí mật nhà nước")).to_have_count(0)  # saved
    _in_app(live_server, lambda: _list_approved(meeting_id))

    # The invitations, printed: numbered copies with the mark
    resp = page.request.get(f"{live_server.url}/meetings/{meeting_id}/attendees/invitations.pdf")
    assert resp.ok and resp.headers["content-type"] == "application/pdf"
    from tests import pdf

    data = resp.body()
    assert pdf.phrase_count(data, "Bản số 1/2") == 1 and pdf.phrase_count(data, "Bản số 2/2") == 1
    assert "TỐI MẬT" in pdf.text(data)
    people = _in_app(live_server, lambda: _everyone_came_and_the_session_ended(meeting_id))

    # Closing is held: both invitations are still out.
    page.goto(f"{live_server.url}/meetings/{meeting_id}/closing")
    expect(page.get_by_text("2 bản đã phát chưa được thu hồi hoặc báo mất.")).to_be_visible()
    out = page.get_by_role("heading", name="Bản tài liệu chưa thu hồi (2)")
    expect(out).to_be_visible()
    expect(page.get_by_text(f"Giấy mời · bản số 1 · {NAMES[0]}")).to_be_visible()
    expect(page.get_by_text("Còn 2 mục chưa đạt, chưa thể kết thúc.")).to_be_visible()
    check_page(page, "closing-held-by-invitations")

    # At the door, a clerk with a phone takes them back as people collect their things.
    phone = browser.new_context(
        viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    ).new_page()
    log_in(phone, live_server, "letan", DEMO_PASSWORD)
    (first_id, _code), (_second_id, second_code) = people
    phone.goto(f"{live_server.url}/meetings/{meeting_id}/door/returns/{first_id}")
    expect(phone.get_by_role("heading", name="Thu lại giấy mời bản số 1")).to_be_visible()
    check_page(phone, "door-take-back-invitation")
    phone.get_by_role("button", name="Đã thu lại giấy mời bản số 1").click()
    expect(phone.get_by_text("Đã thu lại giấy mời bản số 1.")).to_be_visible()
    expect(phone.get_by_text(re.compile(r"Giấy mời bản số 1 đã thu lại lúc"))).to_be_visible()

    page.reload()
    expect(page.get_by_text("1 bản đã phát chưa được thu hồi hoặc báo mất.")).to_be_visible()

    # The other, scanned at the register of copies: the invitation's QR is its label.
    phone.goto(f"{live_server.url}/meetings/{meeting_id}/documents/recover")
    phone.get_by_label("Mã nhãn bản tài liệu: quét hoặc nhập").fill(second_code)
    phone.get_by_role("button", name="Đã thu hồi").click()
    expect(phone.get_by_text(re.compile("Đã thu hồi bản số 2 của Giấy mời"))).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name=re.compile("Bản tài liệu chưa thu hồi"))).to_have_count(
        0
    )
    expect(page.get_by_text(re.compile("bản đã phát chưa được thu hồi"))).to_have_count(0)
    # what is left is the records, as for any meeting
    expect(page.get_by_text("Còn 1 mục chưa đạt, chưa thể kết thúc.")).to_be_visible()
    check_page(page, "closing-invitations-recovered")

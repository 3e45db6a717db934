"""Each role's home lists first the meetings where that person has something to do now,
with the step as a button (issue 17, item 4)."""

from datetime import timedelta

import pytest

from meetingsec.attendees.services import add_attendees
from meetingsec.core.db import utcnow
from meetingsec.core.i18n import local_date
from meetingsec.extensions import db
from meetingsec.home.queries import to_do
from meetingsec.users.roles import Role
from tests.factories import PASSWORD, organiser_of

pytestmark = pytest.mark.usefixtures("no_template_queries")


def _steps(user, role):
    return {
        t.meeting.title: [s.endpoint for s in t.steps]
        for t in to_do(user, role, local_date(utcnow()))
    }


def _person(meeting, name="Nguyễn Văn Mới"):
    return add_attendees(
        meeting,
        [{"full_name": name, "unit_name": "Sở Nội vụ", "position": ""}],
        actor=organiser_of(meeting),
        source="test",
    )


def _chairs_meetings(make_meeting, chair, organiser):
    def meeting(title, status, **kw):
        m = make_meeting(title=title, chair=chair, organiser=organiser, **kw)
        m.status = status
        return m

    meeting("Chờ phê duyệt", "draft")
    prep = meeting("Đang chuẩn bị", "preparing")
    _person(prep)
    meeting("Đủ điều kiện", "cleared", starts_in=timedelta(minutes=30))
    meeting("Đang họp", "in_session", starts_in=timedelta(minutes=1))
    meeting("Đang kết thúc", "closing", starts_in=timedelta(minutes=1))
    meeting("Đã đóng", "closed")
    meeting("Đã hủy", "cancelled")
    db.session.commit()


def test_the_chairs_home_lists_each_step_that_waits_for_the_chair(
    client, login, make_user, make_meeting
):
    chair, organiser = make_user("chair"), make_user("organiser")
    _chairs_meetings(make_meeting, chair, organiser)
    assert _steps(chair, Role.CHAIR) == {
        "Chờ phê duyệt": ["meetings.approve"],
        "Đang chuẩn bị": ["attendees.index", "meetings.gate"],
        "Đủ điều kiện": ["meetings.start"],
        "Đang họp": ["meetings.end"],
        "Đang kết thúc": ["records.closing"],
    }
    login(chair)
    page = client.get("/home/chair").get_data(as_text=True)
    todo = page[page.index('id="todo-title"') : page.index('id="meeting-list"')]
    for label in (
        "Phê duyệt nội dung bí mật",
        "Phê duyệt 1 thay đổi danh sách",
        "Bắt đầu phiên họp",
        "Kết thúc phiên họp",
        "Kết thúc hồ sơ cuộc họp",
    ):
        assert label in todo, label
    assert "Đã đóng" not in todo and "Đã hủy" not in todo


def test_the_start_button_of_the_home_starts_the_session(client, login, make_user, make_meeting):
    chair = make_user("chair")
    meeting = make_meeting(chair=chair, title="Họp bắt đầu", starts_in=timedelta(minutes=5))
    meeting.status = "cleared"
    db.session.commit()
    login(chair)
    page = client.get("/home/chair").get_data(as_text=True)
    assert f'action="/meetings/{meeting.id}/start"' in page
    client.post(f"/meetings/{meeting.id}/start")
    db.session.refresh(meeting)
    assert meeting.status == "in_session"


def test_technician_clerk_and_organiser_homes(make_user, make_meeting, ended_meeting):
    tech, clerk = make_user("technician"), make_user("clerk")
    organiser = make_user("organiser")
    make_meeting(title="Họp kiểm tra", technicians=[tech], organiser=organiser)
    today = make_meeting(
        title="Họp hôm nay", clerks=[clerk], starts_in=timedelta(minutes=30), organiser=organiser
    )
    today.status = "cleared"
    make_meeting(title="Họp tuần sau", clerks=[clerk], starts_in=timedelta(days=7))
    db.session.commit()
    assert _steps(tech, Role.TECHNICIAN) == {
        "Họp kiểm tra": ["devices.inspection", "devices.venue_check"]
    }
    assert _steps(clerk, Role.CLERK) == {"Họp hôm nay": ["door.index"]}
    tasks = to_do(organiser, Role.ORGANISER, local_date(utcnow()))
    assert [t.meeting.title for t in tasks] == ["Họp hôm nay", "Họp kiểm tra"]
    assert all(t.next_step for t in tasks)

    # Closing: the clerk recovers the copy still out and hands back the phone still held.
    meeting, ended_clerk, _people, _doc = ended_meeting()
    assert _steps(ended_clerk, Role.CLERK) == {meeting.title: ["documents.recover", "door.returns"]}
    (task,) = to_do(organiser_of(meeting), Role.ORGANISER, local_date(utcnow()))
    assert [s.endpoint for s in task.steps] == ["records.closing", "documents.recover"]
    assert "1" in str(task.next_step)


def test_the_home_runs_a_fixed_number_of_statements(app, make_user, make_meeting, count_queries):
    chair, organiser = make_user("chair"), make_user("organiser")
    counts = []
    for size in (1, 6):
        for i in range(size):
            m = make_meeting(title=f"Họp {size}-{i}", chair=chair, organiser=organiser)
            _person(m, f"Người {size} {i}")
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"username": chair.username, "password": PASSWORD})
        with count_queries() as q:
            assert client.get("/home/chair").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1], counts

"""Meeting pages over HTTP: create, edit with a version check, mark items, approve, gate."""

import re
from datetime import timedelta

from sqlalchemy import select

from meetingsec.core.db import utcnow
from meetingsec.core.i18n import to_local
from meetingsec.extensions import db
from meetingsec.meetings.models import Meeting
from meetingsec.org.services import save_unit, save_venue
from tests.factories import chair_of, organiser_of
from tests.helpers import actions, error_codes, snapshot


def _form(venue, unit, chair, **kw):
    start = to_local(utcnow() + timedelta(days=3)).replace(second=0, microsecond=0)
    data = {
        "title": "Hội nghị triển khai nhiệm vụ quốc phòng",
        "kind": "hoi_nghi",
        "classification": "tuyet_mat",
        "format": "in_person",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "venue_id": str(venue.id),
        "host_unit_id": str(unit.id),
        "chair_id": str(chair.id),
        "version": "0",
    }
    data.update(kw)
    return data


def _setup(make_user, at_hq=False):
    venue = save_venue(
        None, actor=None, name="Hội trường Khách sạn", address="", at_hq=at_hq, closed_room=True
    )
    hq = save_venue(
        None, actor=None, name="Phòng họp kín số 1", address="", at_hq=True, closed_room=True
    )
    unit = save_unit(None, actor=None, name="Văn phòng UBND tỉnh", parent=None)
    chair = make_user("chair", full_name="Lê Văn Chủ Trì")
    organiser = make_user("organiser")
    db.session.commit()
    return venue, hq, unit, chair, organiser


def test_organiser_creates_a_meeting_and_sees_its_checklist(client, make_user, login):
    venue, _hq, unit, chair, organiser = _setup(make_user)
    tech, clerk = make_user("technician"), make_user("clerk")
    login(organiser)
    resp = client.post(
        "/meetings/new",
        data=_form(venue, unit, chair, technician_ids=[str(tech.id)], clerk_ids=[str(clerk.id)]),
    )
    assert resp.status_code == 303
    meeting = db.session.scalar(select(Meeting))
    assert meeting.member_ids("technician") == {tech.id}
    assert meeting.member_ids("clerk") == {clerk.id}
    page = client.get(resp.location).get_data(as_text=True)
    assert "Tổ chức ngoài trụ sở: người đứng đầu hoặc cấp phó" in page  # offsite-police-check
    assert "Người tham dự không mang thiết bị có tính năng thu, phát tin" in page
    assert "Nghị định 63/2026/NĐ-CP" in page and "cần đối chiếu" in page
    assert "Danh sách người tham dự còn trống." in page
    assert meeting.ruleset_id == "vn-2026"
    home = client.get("/home/organiser").get_data(as_text=True)
    assert "Hội nghị triển khai nhiệm vụ quốc phòng" in home and "Trước cuộc họp: 0/" in home


def test_the_meeting_form_does_not_call_every_technician_police(client, make_user, login):
    """A Ministry of Defence or Ban Cơ yếu host's devices are inspected by its own
    functional body (ND 26/2020 Điều 6 khoản 2 điểm a): its technicians are not police."""
    _venue, _hq, _unit, _chair, organiser = _setup(make_user)
    login(organiser)
    page = client.get("/meetings/new").get_data(as_text=True)
    assert "Cán bộ kỹ thuật (Công an)" not in page
    assert "Cán bộ kỹ thuật kiểm tra (Công an hoặc cơ quan chức năng của đơn vị chủ trì)" in page


def test_bad_meeting_forms_change_nothing(client, make_user, login):
    venue, _hq, unit, chair, organiser = _setup(make_user)
    other = make_user("organiser")
    login(organiser)
    before = snapshot()
    past = to_local(utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    cases = [
        ({"title": ""}, "Trường này là bắt buộc"),
        ({"title": "x" * 400}, "Tối đa 300 ký tự"),
        ({"classification": "secret"}, "Hãy chọn một mục trong danh sách"),
        ({"starts_at": "tomorrow"}, "Nhập ngày và giờ"),
        ({"ends_at": _form(venue, unit, chair)["starts_at"]}, "phải sau thời gian bắt đầu"),
        ({"starts_at": past}, "không thể bắt đầu trong quá khứ"),
        ({"chair_id": str(other.id)}, "Hãy chọn một mục trong danh sách"),
        ({"venue_id": "999999"}, "Hãy chọn một mục trong danh sách"),
        ({"technician_ids": [str(chair.id)]}, "Hãy chọn một mục trong danh sách"),
    ]
    for change, message in cases:
        resp = client.post("/meetings/new", data=_form(venue, unit, chair, **change))
        assert resp.status_code == 422, change
        assert message in resp.get_data(as_text=True), (change, message)
    assert snapshot() == before


def test_second_save_with_an_old_version_is_refused(client, make_user, login, app):
    venue, hq, unit, chair, organiser = _setup(make_user)
    login(organiser)
    client.post("/meetings/new", data=_form(venue, unit, chair))
    meeting = db.session.scalar(select(Meeting))
    first = _form(venue, unit, chair, title="Bản sửa của tablet 1", version=str(meeting.version))
    second = _form(hq, unit, chair, title="Bản sửa của tablet 2", version=str(meeting.version))
    assert client.post(f"/meetings/{meeting.id}/edit", data=first).status_code == 303
    resp = client.post(f"/meetings/{meeting.id}/edit", data=second)
    assert resp.status_code == 422
    assert "stale_version" in error_codes(resp)
    db.session.refresh(meeting)
    assert meeting.title == "Bản sửa của tablet 1" and meeting.venue_id == venue.id


def test_mark_an_item_with_htmx(client, make_meeting, login):
    meeting = make_meeting()
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/items/protection-plan"
    resp = client.post(url, data={"state": "done", "note": ""}, headers={"HX-Request": "true"})
    assert resp.status_code == 422 and "note_required" in error_codes(resp)
    resp = client.post(
        url, data={"state": "done", "note": "Phương án 12/PA"}, headers={"HX-Request": "true"}
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in body
    assert 'id="item-protection-plan"' in body and "Phương án 12/PA" in body
    assert 'hx-swap-oob="true"' in body  # the readiness counters follow
    assert actions()[-1] == "checklist.item_marked"
    resp = client.post(
        f"/meetings/{meeting.id}/items/approve-use",
        data={"state": "done", "note": "x"},
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 422 and "derived_item" in error_codes(resp)
    resp = client.post(
        f"/meetings/{meeting.id}/items/no-such-rule", data={"state": "done", "note": "x"}
    )
    assert resp.status_code == 422


def test_chair_approves_and_the_gate_lists_blockers(client, make_meeting, login):
    meeting = make_meeting(classification="mat", at_hq=True)
    login(chair_of(meeting))
    resp = client.post(
        f"/meetings/{meeting.id}/approve",
        data={
            "approver_name": "Nguyễn Văn Chủ Tịch",
            "approver_position": "Chủ tịch UBND tỉnh",
            "approval_number": "",
            "approval_date": "2026-11-20",
        },
    )
    assert resp.status_code == 422
    resp = client.post(
        f"/meetings/{meeting.id}/approve",
        data={
            "approver_name": "Nguyễn Văn Chủ Tịch",
            "approver_position": "Chủ tịch UBND tỉnh",
            "approval_number": "15/QĐ-UBND",
            "approval_date": "2026-11-20",
        },
    )
    assert resp.status_code == 303
    resp = client.post(f"/meetings/{meeting.id}/devices", data={"policy": "deposit"})
    assert resp.status_code == 303
    gate = client.get(f"/meetings/{meeting.id}/gate").get_data(as_text=True)
    assert "Danh sách người tham dự còn trống." in gate
    assert "Việc sử dụng nội dung bí mật chưa được phê duyệt." not in gate
    resp = client.post(f"/meetings/{meeting.id}/clear")
    assert resp.status_code == 303 and resp.location == f"/meetings/{meeting.id}/gate"
    assert "blocked" in error_codes(client.get(resp.location))
    db.session.refresh(meeting)
    assert meeting.status == "preparing"


def test_cancel_with_a_reason(client, make_meeting, login):
    meeting = make_meeting()
    login(organiser_of(meeting))
    assert client.post(f"/meetings/{meeting.id}/cancel", data={"reason": ""}).status_code == 422
    assert (
        client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Hoãn họp"}).status_code
        == 303
    )
    db.session.refresh(meeting)
    assert meeting.status == "cancelled"


def test_role_homes_show_what_each_has_to_do(client, make_meeting, make_user, login):
    tech, clerk = make_user("technician"), make_user("clerk")
    today = make_meeting(
        title="Họp hôm nay", starts_in=timedelta(minutes=30), technicians=[tech], clerks=[clerk]
    )
    make_meeting(title="Họp tuần sau", starts_in=timedelta(days=7), clerks=[clerk])
    login(clerk)
    page = client.get("/home/clerk").get_data(as_text=True)
    assert "Họp hôm nay" in page and "Họp tuần sau" not in page
    client.post("/logout")
    login(chair_of(today))
    assert "Họp hôm nay" in client.get("/home/chair").get_data(as_text=True)
    client.post("/logout")
    login(tech)
    assert "Họp hôm nay" in client.get("/home/technician").get_data(as_text=True)
    client.post("/logout")
    login(organiser_of(today))
    client.post(f"/meetings/{today.id}/cancel", data={"reason": "Hoãn"})
    client.post("/logout")
    login(tech)
    assert "Họp hôm nay" not in client.get("/home/technician").get_data(as_text=True)


def test_admin_confirms_a_citation(client, make_user, login):
    login(make_user("admin"))
    page = client.get("/admin/rules/").get_data(as_text=True)
    assert "Luật 117/2025/QH15" in page and "cần đối chiếu" in page
    cited = {"citation": "Nghị định 63/2026/NĐ-CP, Điều 8 khoản 2 điểm a", "verified": "y"}
    # confirming needs the article's text, pasted from the official source
    resp = client.post("/admin/rules/vn-2026/wired-mic", data=cited)
    assert resp.status_code == 422
    assert "article_text_required" in error_codes(resp)
    article = "a) … phải sử dụng micro có dây …"
    resp = client.post("/admin/rules/vn-2026/wired-mic", data=cited | {"article_text": article})
    assert resp.status_code == 303
    assert actions()[-1] == "rule.citation_updated"
    page = client.get("/admin/rules/").get_data(as_text=True)
    assert "Nghị định 63/2026/NĐ-CP, Điều 8 khoản 2 điểm a" in page
    assert article in client.get("/admin/rules/vn-2026/wired-mic").get_data(as_text=True)
    assert client.get("/admin/rules/vn-2026/nope").status_code == 404


def test_editing_without_changes_keeps_the_time_and_team(client, make_meeting, make_user, login):
    """The edit form shows the agency's wall-clock time; saving it as shown moves nothing."""
    tech = make_user("technician")
    meeting = make_meeting(technicians=[tech])
    start, end = meeting.starts_at, meeting.ends_at
    login(organiser_of(meeting))
    page = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    shown = re.search(r'id="starts_at" name="starts_at"[^>]*value="([^"]+)"', page).group(1)
    assert shown == to_local(start).strftime("%Y-%m-%dT%H:%M")
    assert re.search(
        rf'id="technician_ids-\d+" name="technician_ids"[^>]*value="{tech.id}"'
        r'[^>]*checked|checked[^>]*value="%d"' % tech.id,
        page,
    )
    data = {
        "title": meeting.title,
        "kind": meeting.kind,
        "classification": meeting.classification,
        "format": meeting.format,
        "starts_at": shown,
        "ends_at": re.search(r'id="ends_at" name="ends_at"[^>]*value="([^"]+)"', page).group(1),
        "venue_id": str(meeting.venue_id),
        "host_unit_id": str(meeting.host_unit_id),
        "chair_id": str(meeting.chair_id),
        "technician_ids": [str(tech.id)],
        "version": str(meeting.version),
    }
    assert client.post(f"/meetings/{meeting.id}/edit", data=data).status_code == 303
    db.session.refresh(meeting)
    assert meeting.starts_at == start.replace(second=0, microsecond=0)
    assert meeting.ends_at == end.replace(second=0, microsecond=0)
    assert meeting.member_ids("technician") == {tech.id}


def test_the_meeting_page_links_the_venue_record_only_when_the_venue_was_checked(
    client, login, make_meeting, make_user
):
    """The technician's meeting page offers the venue check record once the venue was
    checked, and not at headquarters, where nothing is checked."""
    from meetingsec.devices.services import record_venue_check

    tech = make_user("technician")
    at_hq = make_meeting(at_hq=True, technicians=[tech])
    outside = make_meeting(at_hq=False, technicians=[tech], starts_in=timedelta(hours=2))
    record_venue_check(
        outside, actor=tech, result="pass", inside_notes="Ổn", outside_notes="Ổn", key="v1"
    )
    db.session.commit()
    login(tech)
    page = client.get(f"/meetings/{at_hq.id}")
    assert page.status_code == 200
    assert f"/meetings/{at_hq.id}/records/venue.pdf" not in page.get_data(as_text=True)
    page = client.get(f"/meetings/{outside.id}")
    assert page.status_code == 200
    assert f"/meetings/{outside.id}/records/venue.pdf" in page.get_data(as_text=True)

"""The door and the attendee list over HTTP: what a clerk's and an organiser's tablet send."""

import io
import re

from meetingsec.core.codes import display
from meetingsec.door import commitment as commitments
from meetingsec.door import queries
from meetingsec.extensions import db
from tests import pdf
from tests.helpers import error_codes, signature_json


def _check_in_data(person, key="tablet-key-0001", **kw):
    return {
        "code": person.invitation_code,
        "key": key,
        "n_phone": "1",
        "signature": signature_json(),
        "commitment_sha256": commitments.current_commitment()[1],
        **kw,
    }


def test_clerk_scans_checks_in_and_is_back_at_step_one(client, login, open_door):
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    base = f"/meetings/{meeting.id}/door"
    resp = client.get(f"{base}/", query_string={"code": a.invitation_code.lower()})
    assert resp.status_code == 303 and resp.location == f"{base}/attendees/{a.id}"
    card = client.get(resp.location).get_data(as_text=True)
    assert a.full_name in card and "Có trong danh sách được duyệt." in card
    assert commitments.DEFAULT_COMMITMENT in card and 'name="n_phone"' in card
    resp = client.post(f"{base}/check-in", data=_check_in_data(a))
    assert resp.status_code == 303 and resp.location == f"{base}/?last={a.id}"
    page = client.get(resp.location).get_data(as_text=True)
    ticket = queries.deposits_of(a.id)[0]
    assert f"{a.full_name} đã vào." in page and display(ticket.claim_code) in page
    assert "Ô số 1" in page
    # the same request again (a retry): the same result, nothing new
    resp = client.post(f"{base}/check-in", data=_check_in_data(a))
    assert resp.status_code == 303
    # another tablet, another key: told, with the time and the clerk
    resp = client.post(f"{base}/check-in", data=_check_in_data(a, "tablet-key-0002"))
    assert resp.status_code == 409
    assert "Đã vào lúc" in resp.get_data(as_text=True)
    assert queries.counters(meeting.id).checked_in == 1


def test_htmx_check_in_redirects_the_whole_page(client, login, open_door):
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    resp = client.post(
        f"/meetings/{meeting.id}/door/check-in",
        data=_check_in_data(a),
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 204 and resp.headers["HX-Redirect"].endswith(f"?last={a.id}")


def test_missing_signature_and_devices_are_shown_on_the_form(client, login, open_door):
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    resp = client.post(
        f"/meetings/{meeting.id}/door/check-in",
        data=_check_in_data(a, n_phone="0", signature=""),
    )
    assert resp.status_code == 422
    assert "devices_undeclared" in error_codes(resp)
    assert queries.counters(meeting.id).checked_in == 0


def test_search_by_name_as_you_type(client, login, open_door):
    meeting, clerk, _people = open_door(names=["Nguyễn Văn A", "Đỗ Thị Bình"])
    login(clerk)
    resp = client.get(
        f"/meetings/{meeting.id}/door/search",
        query_string={"q": "do thi"},
        headers={"HX-Request": "true"},
    )
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Đỗ Thị Bình" in body and "<html" not in body
    resp = client.get(f"/meetings/{meeting.id}/door/search", query_string={"q": "không ai"})
    body = resp.get_data(as_text=True)
    assert "<html" in body and "Không có trong danh sách: ghi nhận từ chối" in body


def test_walk_in_refusal(client, login, open_door):
    meeting, clerk, _people = open_door()
    login(clerk)
    url = f"/meetings/{meeting.id}/door/refusals"
    page = client.get(url, query_string={"name": "Khách Lạ"}).get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page).group(1)
    data = {"nonce": nonce, "name": "Khách Lạ", "unit": "Công ty X", "reason": "Không có tên"}
    assert client.post(url, data=data).status_code == 303
    assert client.post(url, data=data).status_code == 303  # a double tap
    assert queries.counters(meeting.id).refused == 1


def test_return_by_claim_ticket(client, login, open_door):
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    client.post(f"/meetings/{meeting.id}/door/check-in", data=_check_in_data(a))
    phone = queries.deposits_of(a.id)[0]
    base = f"/meetings/{meeting.id}/door/returns"
    resp = client.get(base, query_string={"code": display(phone.claim_code)})
    assert resp.status_code == 303 and resp.location == f"{base}/{a.id}"
    page = client.get(resp.location).get_data(as_text=True)
    assert f"Xác nhận đã trả cho {a.full_name}" in page
    resp = client.post(resp.location, data={"key": "return-key-01", "deposit_ids": [phone.id]})
    assert resp.status_code == 303
    page = client.get(resp.location).get_data(as_text=True)
    assert f"Đã trả cho {a.full_name}" in page and "Không còn thiết bị nào giữ tại cửa." in page
    resp = client.post(f"{base}/{a.id}", data={"key": "return-key-02", "deposit_ids": [phone.id]})
    assert resp.status_code in (409, 422)


def test_counters_fragment(client, login, open_door):
    meeting, _clerk, _people = open_door()
    login(meeting.organiser)
    body = client.get(f"/meetings/{meeting.id}/door/counters").get_data(as_text=True)
    assert 'hx-trigger="every 5s"' in body and "dự kiến" in body and ">3<" in body


def test_invitations_pdf(client, login, open_door):
    meeting, _clerk, people = open_door(names=["Nguyễn Thị Đào", "Trần Văn Ước"])
    login(meeting.organiser)
    resp = client.get(f"/meetings/{meeting.id}/attendees/invitations.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf.save("invitations.pdf", resp.data)
    pages = pdf.pages_text(resp.data)
    assert len(pages) == 2
    for page, person in zip(pages, people, strict=True):
        assert "GIẤY MỜI" in page and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
        assert person.full_name in page and display(person.invitation_code) in page
        assert "không mang vào phòng họp điện thoại" in page
        # neutral: neither the meeting's title nor its classification, no mark
        assert meeting.title not in page and "MẬT" not in page.upper()
    assert not pdf.red_mask(pdf.raster(resp.data, 1)).getbbox()
    assert {f.split("-")[0] + "-" + f.split("-")[1] for f in pdf.fonts(resp.data)} == {
        "Liberation-Serif"
    }
    assert "http" not in pdf.text(resp.data)


def test_a_big_list_gets_its_invitations_in_parts(client, login, open_door, monkeypatch):
    from meetingsec.attendees import routes

    monkeypatch.setattr(routes, "INVITATIONS_PER_FILE", 2)
    meeting, _clerk, people = open_door(5)
    login(meeting.organiser)
    page = client.get(f"/meetings/{meeting.id}/attendees/").get_data(as_text=True)
    for label in ("Giấy mời 1–2 (PDF)", "Giấy mời 3–4 (PDF)", "Giấy mời 5–5 (PDF)"):
        assert label in page
    url = f"/meetings/{meeting.id}/attendees/invitations.pdf"
    pages = pdf.pages_text(client.get(url, query_string={"part": 2}).data)
    assert [people[2].full_name in pages[0], people[3].full_name in pages[1]] == [True, True]
    assert len(pdf.pages_text(client.get(url, query_string={"part": 3}).data)) == 1
    assert client.get(url, query_string={"part": 4}).status_code == 404
    assert client.get(url, query_string={"part": "x"}).status_code == 200  # the first part


def test_tickets_pdf(client, login, open_door):
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    client.post(
        f"/meetings/{meeting.id}/door/check-in",
        data=_check_in_data(a, n_phone="1", n_laptop="1"),
    )
    url = f"/meetings/{meeting.id}/door/attendees/{a.id}/tickets.pdf"
    resp = client.get(url)
    pdf.save("claim-tickets.pdf", resp.data)
    pages = pdf.pages_text(resp.data)
    # one 80 mm page a ticket, neither the meeting's title nor its classification on it
    assert len(pages) == 2 and "Ô số 1" in pages[0] and "Máy tính xách tay" in pages[1]
    assert pdf.info(resp.data)["Page size"].startswith("226.772 x 283.465")  # 80 x 100 mm
    body = pdf.plain(resp.data)
    assert meeting.title not in body and "MẬT" not in body.upper().replace("MẬT KHẨU", "")
    assert not pdf.red_mask(pdf.raster(resp.data, 1)).getbbox()  # no red mark
    # four to an A4 page
    resp = client.get(url, query_string={"sheet": "a4"})
    pdf.save("claim-tickets-a4.pdf", resp.data)
    assert pdf.info(resp.data)["Pages"] == "1" and "595" in pdf.info(resp.data)["Page size"]
    assert "Ô số 1" in pdf.plain(resp.data) and "Ô số 2" in pdf.plain(resp.data)
    assert client.get(url, query_string={"sheet": "a3"}).status_code == 404


def test_import_preview_then_confirm(client, login, make_meeting):
    meeting = make_meeting()
    login(meeting.organiser)
    url = f"/meetings/{meeting.id}/attendees/import"
    csv = "Họ và tên,Chức vụ,Đơn vị\nNguyễn Văn Một,,Sở Nội vụ\n,,Sở Y tế\n".encode()
    resp = client.post(url, data={"file": (io.BytesIO(csv), "ds.csv")})
    assert resp.status_code == 303
    page = client.get(resp.location).get_data(as_text=True)
    assert "Đã đọc 2 dòng: 1 dòng hợp lệ, 1 dòng có lỗi." in page and "Thiếu Họ và tên." in page
    assert (
        client.get(f"/meetings/{meeting.id}/attendees/")
        .get_data(as_text=True)
        .count("Nguyễn Văn Một")
        == 0
    )
    assert client.post(resp.location).status_code == 303
    body = client.get(f"/meetings/{meeting.id}/attendees/").get_data(as_text=True)
    assert "Nguyễn Văn Một" in body and "Chờ chủ trì duyệt" in body


def test_bad_and_huge_files_get_a_clear_answer(client, login, make_meeting):
    meeting = make_meeting()
    login(meeting.organiser)
    url = f"/meetings/{meeting.id}/attendees/import"
    resp = client.post(url, data={"file": (io.BytesIO(b"Ten,Tuoi\nA,1\n"), "ds.csv")})
    assert resp.status_code == 422 and "import_refused" in error_codes(resp)
    assert "Ten, Tuoi" in resp.get_data(as_text=True)  # the columns not understood
    resp = client.post(url, data={"file": (io.BytesIO(b"x" * 10_000_000), "big.csv")})
    assert resp.status_code == 413 and "tệp nhỏ hơn" in resp.get_data(as_text=True)
    db.session.expire_all()
    from meetingsec.attendees.models import AttendeeImport

    assert db.session.query(AttendeeImport).count() == 0


def test_template_download(client, login, make_meeting):
    from openpyxl import load_workbook

    meeting = make_meeting()
    login(meeting.organiser)
    resp = client.get(f"/meetings/{meeting.id}/attendees/template.xlsx")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    assert [c.value for c in sheet[1]] == [
        "Họ và tên",
        "Chức vụ",
        "Đơn vị",
        "Số hiệu hoặc CCCD",
        "Điện thoại",
    ]


def test_admin_changes_the_commitment_text(client, login, make_user):
    admin = make_user("admin")
    login(admin)
    resp = client.post("/admin/commitment", data={"text": "Tôi cam kết bảo vệ bí mật."})
    assert resp.status_code == 303
    assert commitments.current_commitment()[0] == "Tôi cam kết bảo vệ bí mật."
    resp = client.post("/admin/commitment", data={"text": "Tôi cam kết bảo vệ bí mật."})
    assert resp.status_code == 422 and "unchanged" in error_codes(resp)

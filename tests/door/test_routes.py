"""The door and the attendee list over HTTP: what a clerk's and an organiser's tablet send."""

import io
import re

from meetingsec.core.codes import display
from meetingsec.door import commitment as commitments
from meetingsec.door import queries
from meetingsec.extensions import db
from tests import pdf
from tests.factories import organiser_of
from tests.helpers import error_codes, signature_json


def _meeting_of(person):
    from meetingsec.meetings.models import Meeting

    return db.session.get(Meeting, person.meeting_id)


def _check_in_data(person, key="tablet-key-0001", **kw):
    return {
        "code": person.invitation_code,
        "key": key,
        "n_phone": "1",
        "signature": signature_json(),
        "commitment_sha256": commitments.commitment_for(_meeting_of(person))[1],
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
    assert commitments.default_commitment("vn-2026") in card and 'name="n_phone"' in card
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


def test_htmx_check_in_answers_with_the_door_page_at_once(client, login, open_door):
    """The tablet's confirm gets the next screen in the same answer (no redirect and second
    request): the confirmation and the scan field, the address of that page pushed."""
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    resp = client.post(
        f"/meetings/{meeting.id}/door/check-in",
        data=_check_in_data(a),
        headers={"HX-Request": "true"},
    )
    assert resp.status_code == 200 and "HX-Redirect" not in resp.headers
    assert resp.headers["HX-Push-Url"].endswith(f"/door/?last={a.id}")
    page = resp.get_data(as_text=True)
    assert 'id="door-step"' in page and 'name="code"' in page
    assert f"{a.full_name} đã vào." in page


def test_htmx_scan_answers_with_the_card_at_once(client, login, open_door):
    """The tablet's scan gets the attendee's card in the same answer (no redirect and second
    request), the card's address pushed; a plain form is still redirected to it."""
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    base = f"/meetings/{meeting.id}/door"
    sent = {"code": a.invitation_code.lower(), "key": "scan-key-0001"}
    resp = client.post(f"{base}/", data=sent, headers={"HX-Request": "true"})
    assert resp.status_code == 200 and "HX-Redirect" not in resp.headers
    assert resp.headers["HX-Push-Url"] == f"{base}/attendees/{a.id}"
    card = resp.get_data(as_text=True)
    assert 'id="door-step"' in card and a.full_name in card
    assert "Có trong danh sách được duyệt." in card and 'name="n_phone"' in card
    resp = client.post(f"{base}/", data=sent)
    assert resp.status_code == 303 and resp.location == f"{base}/attendees/{a.id}"
    refused = client.post(
        f"{base}/", data={**sent, "code": "KHONGCO123"}, headers={"HX-Request": "true"}
    )
    assert refused.status_code == 422 and "HX-Push-Url" not in refused.headers
    assert 'id="door-step"' in refused.get_data(as_text=True)


def test_htmx_answers_carry_only_the_step_and_addresses_the_whole_page(client, login, open_door):
    """What the tablet swaps (``#door-step``, htmx sends its id) comes without the header
    and its menus, with the title the browser shows; the address pushed, loaded again (a
    reload, the back button), is the whole page."""
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    base = f"/meetings/{meeting.id}/door"
    swap = {"HX-Request": "true", "HX-Target": "door-step"}
    sent = {"code": a.invitation_code, "key": "scan-key-0001"}
    resp = client.post(f"{base}/", data=sent, headers=swap)
    card = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="door-step"' in card and 'name="n_phone"' in card
    assert f"<title>{a.full_name} · Cửa ra vào · meetingsec</title>" in card
    assert "<html" not in card and "Đăng xuất" not in card
    page = client.get(resp.headers["HX-Push-Url"]).get_data(as_text=True)
    assert "<html" in page and "Đăng xuất" in page and 'name="n_phone"' in page
    resp = client.post(f"{base}/check-in", data=_check_in_data(a), headers=swap)
    done = resp.get_data(as_text=True)
    assert resp.status_code == 200 and f"{a.full_name} đã vào." in done
    assert "<html" not in done and "Đăng xuất" not in done and "<title>" in done
    page = client.get(resp.headers["HX-Push-Url"]).get_data(as_text=True)
    assert "<html" in page and "Đăng xuất" in page and f"{a.full_name} đã vào." in page


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
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    data = {"key": key, "name": "Khách Lạ", "unit": "Công ty X", "reason": "Không có tên"}
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
    login(organiser_of(meeting))
    body = client.get(f"/meetings/{meeting.id}/door/counters").get_data(as_text=True)
    assert 'hx-trigger="every 5s"' in body and "dự kiến" in body and ">3<" in body


def test_invitations_pdf(client, login, open_door):
    meeting, _clerk, people = open_door(names=["Nguyễn Thị Đào", "Trần Văn Ước"])
    login(organiser_of(meeting))
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
    login(organiser_of(meeting))
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
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/attendees/import"
    csv = "Họ và tên,Chức vụ,Đơn vị\nNguyễn Văn Một,,Sở Nội vụ\n,,Sở Y tế\n".encode()
    resp = client.post(url, data={"file": (io.BytesIO(csv), "ds.csv")})
    assert resp.status_code == 303
    page = client.get(resp.location).get_data(as_text=True)
    assert "Đã đọc 2 dòng người dự: 1 dòng sẵn sàng, 1 dòng có lỗi." in page
    assert "Thiếu Họ và tên." in page
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
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/attendees/import"
    resp = client.post(url, data={"file": (io.BytesIO(b"Ten,Tuoi\nA,1\n"), "ds.csv")})
    assert resp.status_code == 422 and "import_no_header" in error_codes(resp)
    resp = client.post(url, data={"file": (io.BytesIO(b"x" * 10_000_000), "big.csv")})
    assert resp.status_code == 413 and "import_too_large" in error_codes(resp)
    assert "lưu lại rồi tải lên lại" in resp.get_data(as_text=True)  # what to do next
    db.session.expire_all()
    from meetingsec.attendees.models import AttendeeImport

    assert db.session.query(AttendeeImport).count() == 0


def test_template_download(client, login, make_meeting):
    from openpyxl import load_workbook

    meeting = make_meeting()
    login(organiser_of(meeting))
    resp = client.get(f"/meetings/{meeting.id}/attendees/template.xlsx")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    assert [c.value for c in sheet[1]] == [
        "Họ và tên",
        "Chức vụ",
        "Đơn vị",
        "Số hiệu hoặc CCCD",
        "Điện thoại",
        "Số hộ chiếu (khách nước ngoài)",
        "Quốc tịch",
    ]


def test_admin_changes_the_commitment_text(client, login, make_user):
    admin = make_user("admin")
    login(admin)
    # the regime in force today (vn-2026) unless another is picked
    resp = client.post("/admin/commitment", data={"text": "Tôi cam kết bảo vệ bí mật."})
    assert resp.status_code == 303
    assert commitments.current_commitment("vn-2026")[0] == "Tôi cam kết bảo vệ bí mật."
    assert commitments.current_commitment("vn-2020")[0] == commitments.default_commitment("vn-2020")
    resp = client.post("/admin/commitment", data={"text": "Tôi cam kết bảo vệ bí mật."})
    assert resp.status_code == 422 and "unchanged" in error_codes(resp)
    page = client.get("/admin/commitment", query_string={"regime": "vn-2020"})
    assert "năm 2018" in page.get_data(as_text=True)
    resp = client.post(
        "/admin/commitment?regime=vn-2020", data={"text": "Văn bản cho các cuộc họp trước 2026."}
    )
    assert resp.status_code == 303
    assert commitments.current_commitment("vn-2020")[0] == "Văn bản cho các cuộc họp trước 2026."
    assert commitments.current_commitment("vn-2026")[0] == "Tôi cam kết bảo vệ bí mật."
    assert client.get("/admin/commitment?regime=vn-1999").status_code == 404


def test_every_door_page_names_its_meeting(client, login, open_door):
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    base = f"/meetings/{meeting.id}/door"
    for url in (f"{base}/", f"{base}/attendees/{a.id}", f"{base}/returns", f"{base}/refusals"):
        page = client.get(url).get_data(as_text=True)
        header = page[page.index('class="door-meeting"') :][:600]
        assert meeting.title in header and meeting.venue.name in header, url
        assert "status-cleared" in header, url


def test_a_second_scan_of_a_person_already_in_is_a_warning(client, login, open_door):
    meeting, clerk, (a, *_rest) = open_door()
    login(clerk)
    base = f"/meetings/{meeting.id}/door"
    client.post(f"{base}/check-in", data=_check_in_data(a))
    card = client.get(f"{base}/attendees/{a.id}").get_data(as_text=True)
    assert 'class="verdict verdict-warn"' in card and "verdict-ok" not in card
    told = client.post(f"{base}/check-in", data=_check_in_data(a, "tablet-key-0002"))
    assert told.status_code == 409 and "verdict-ok" not in told.get_data(as_text=True)


def test_the_refusal_form_does_not_take_the_search_as_the_name(client, login, open_door):
    meeting, clerk, _people = open_door()
    login(clerk)
    base = f"/meetings/{meeting.id}/door"
    results = client.get(f"{base}/search", query_string={"q": "khach la"}).get_data(as_text=True)
    link = re.search(r'href="([^"]*/door/refusals[^"]*)"', results).group(1).replace("&amp;", "&")
    page = client.get(link).get_data(as_text=True)
    assert re.search(r'<input[^>]*id="name"[^>]*value=""', page)
    assert "khach la" in page  # shown as what was searched for


def test_another_meetings_invitation_offers_the_refusal(client, login, open_door):
    meeting, clerk, _people = open_door()
    _other, _clerk2, (stranger, *_rest) = open_door()
    login(clerk)
    base = f"/meetings/{meeting.id}/door"
    resp = client.get(f"{base}/", query_string={"code": stranger.invitation_code})
    assert resp.status_code == 422 and error_codes(resp) == ["other_meeting"]
    assert f'href="{base}/refusals"' in resp.get_data(as_text=True)

"""Device pages over HTTP: registry, adding by code, scanning, inspecting, the PDFs."""

import re
from datetime import timedelta

import pytest

from meetingsec.core.codes import display
from meetingsec.devices.models import Device, Inspection
from meetingsec.extensions import db
from tests import pdf
from tests.factories import organiser_of
from tests.helpers import actions, error_codes, snapshot


@pytest.fixture
def team(make_meeting, make_user):
    tech = make_user("technician", full_name="Phạm Đức Kỹ Thuật")
    meeting = make_meeting(
        classification="toi_mat", technicians=[tech], starts_in=timedelta(hours=3)
    )
    return meeting, tech


def test_organiser_registers_a_device(client, make_user, login):
    from meetingsec.org.services import save_unit

    unit = save_unit(None, actor=None, name="Văn phòng", parent=None)
    login(make_user("organiser", unit=unit))
    resp = client.post(
        "/devices/new",
        data={
            "kind": "wired_mic",
            "make": "Bosch",
            "model": "CCS 1000 D",
            "serial": "SN-001",
            "owner_unit_id": str(unit.id),
        },
    )
    assert resp.status_code == 303
    device = db.session.query(Device).one()
    assert device.owner_unit_id == unit.id
    page = client.get("/devices/").get_data(as_text=True)
    assert display(device.tag_code) in page and "Micro có dây Bosch CCS 1000 D" in page
    before = snapshot()
    for data in (
        {"kind": "toaster"},
        {"kind": "wired_mic", "make": "x" * 101},
        {"kind": "wired_mic", "owner_unit_id": "77"},
        {"kind": "wired_mic", "serial": "a\x00b"},
    ):
        assert (
            client.post("/devices/new", data={"owner_unit_id": "0", **data}).status_code == 422
        ), data
    assert snapshot() == before


def test_the_add_field_offers_the_registrys_devices(client, team, make_device, login):
    """The organiser can pick a device from the registry under the add field, not only
    scan or type its code."""
    meeting, _tech = team
    device = make_device()
    login(organiser_of(meeting))
    page = client.get(f"/meetings/{meeting.id}/devices/").get_data(as_text=True)
    field = re.search(r'<input id="code"[^>]*>', page).group(0)
    assert 'list="registry-codes"' in field
    assert f'<option value="{device.tag_code}">' in page


def test_organiser_adds_devices_by_code(client, team, make_device, login):
    meeting, _tech = team
    device = make_device()
    login(organiser_of(meeting))
    url = f"/meetings/{meeting.id}/devices/"
    before = snapshot()
    for code, error in (("XYZ", "bad_code"), ("0000000000" + "0", "unknown_code")):
        resp = client.post(url, data={"code": code})
        assert resp.status_code == 422 and error in error_codes(resp)
    assert snapshot() == before
    assert client.post(url, data={"code": display(device.tag_code).lower()}).status_code == 303
    resp = client.post(url, data={"code": device.tag_code})
    assert resp.status_code == 422 and "duplicate" in error_codes(resp)


def test_technician_scans_and_inspects(client, team, make_device, make_meeting, login):
    meeting, tech = team
    from meetingsec.devices.services import add_device

    device, elsewhere = make_device(), make_device("speaker")
    md = add_device(meeting, device, actor=organiser_of(meeting))
    other = make_meeting()
    add_device(other, elsewhere, actor=organiser_of(other))
    db.session.commit()
    login(tech)
    base = f"/meetings/{meeting.id}/inspection"
    wrong_check = device.tag_code[:-1] + ("0" if device.tag_code[-1] != "0" else "1")
    for code, message in (
        (wrong_check, "Mã thẻ không hợp lệ"),
        (elsewhere.tag_code, "không thuộc danh sách của cuộc họp"),
    ):
        resp = client.get(base, query_string={"code": code})
        assert resp.status_code == 422 and message in resp.get_data(as_text=True)
    resp = client.get(base, query_string={"code": device.tag_code})
    assert resp.status_code == 303 and resp.location == f"{base}/{md.id}"
    card = client.get(resp.location).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', card).group(1)
    data = {
        "result": "pass",
        "seal_number": "tem-0042",
        "notes": "",
        "key": key,
        "based_on": "0",
    }
    assert client.post(f"{base}/{md.id}", data=data).status_code == 303
    assert client.post(f"{base}/{md.id}", data=data).status_code == 303  # double tap
    assert db.session.query(Inspection).count() == 1
    page = client.get(f"{base}/{md.id}").get_data(as_text=True)
    assert "Đạt, tem TEM-0042" in page
    assert actions().count("device.inspected") == 1


def test_labels_pdf(client, make_device, make_user, login):
    devices = [make_device(serial=f"SN-{i}") for i in range(25)]
    login(make_user("admin"))
    resp = client.get("/devices/labels.pdf", query_string={"ids": [d.id for d in devices]})
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    pdf.save("labels.pdf", resp.data)
    body = pdf.text(resp.data)
    assert all(display(d.tag_code) in body for d in devices)
    assert pdf.info(resp.data)["Page size"].startswith("595.")  # A4
    assert [p.count("S/N") for p in pdf.pages_text(resp.data)] == [24, 1]  # 3 × 8 a page
    assert actions()[-1] == "device_labels.downloaded"
    assert client.get("/devices/labels.pdf").status_code == 303  # nothing chosen


def test_another_units_devices_are_neither_changed_nor_printed(
    client, make_device, make_user, login
):
    """The registry is kept per owner unit: an organiser of another unit gets 403 on the
    device's page, its change and its labels, and nothing changes."""
    from meetingsec.org.services import save_unit

    ours = save_unit(None, actor=None, name="Văn phòng", parent=None)
    theirs = save_unit(None, actor=None, name="Sở Công an", parent=None)
    device, other = make_device(serial="SN-1"), make_device(serial="SN-2")
    device.owner_unit_id = other.owner_unit_id = ours.id
    db.session.commit()
    login(make_user("organiser", unit=theirs))
    before = snapshot()
    url = f"/devices/{device.id}"
    assert client.get(url).status_code == 403
    data = {"kind": "wireless_mic", "serial": "SN-X", "owner_unit_id": str(theirs.id)}
    assert client.post(url, data=data).status_code == 403
    labels = {"ids": [device.id, other.id]}
    assert client.get("/devices/labels.pdf", query_string=labels).status_code == 403
    assert snapshot() == before  # no audit event either
    assert (device.kind, device.serial, device.owner_unit_id) == ("wired_mic", "SN-1", ours.id)

    client.post("/logout")
    login(make_user("organiser", unit=ours))
    assert client.get(url).status_code == 200
    resp = client.get("/devices/labels.pdf", query_string=labels)
    assert resp.status_code == 200 and display(device.tag_code) in pdf.text(resp.data)
    assert actions()[-1] == "device_labels.downloaded"


def test_inspection_record_pdf_in_the_official_layout(client, team, make_device, login):
    meeting, tech = team
    from meetingsec.devices import services

    for i, kind in enumerate(("wired_mic", "speaker")):
        md = services.add_device(
            meeting, make_device(kind, serial=f"SN-{i}"), actor=organiser_of(meeting)
        )
        services.record_inspection(
            meeting,
            md,
            actor=tech,
            result="pass",
            seal_number=f"TEM-{i}",
            notes="",
            key=f"n{i}",
            based_on=0,
        )
    db.session.commit()
    login(organiser_of(meeting))
    resp = client.get(f"/meetings/{meeting.id}/records/devices.pdf")
    assert resp.status_code == 200
    pdf.save("device-inspection.pdf", resp.data)
    body = pdf.text(resp.data)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN",
        "TEM-0",
        "TEM-1",
        "Phạm Đức Kỹ Thuật",
        "Nơi nhận:",
    ):
        assert expected in body, expected
    assert all("TỐI MẬT" in page for page in pdf.pages_text(resp.data))
    assert {f.split("-")[0] + "-" + f.split("-")[1] for f in pdf.fonts(resp.data)} == {
        "Liberation-Serif"
    }
    assert "http" not in body


def test_venue_check_and_its_record(client, make_meeting, make_user, login):
    tech = make_user("technician", full_name="Phạm Đức Kỹ Thuật")
    meeting = make_meeting(at_hq=False, technicians=[tech])
    login(tech)
    url = f"/meetings/{meeting.id}/venue-check"
    page = client.get(url).get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    data = {
        "result": "pass",
        "inside_notes": "Không phát hiện thiết bị lạ trong hội trường.",
        "outside_notes": "Khu vực xung quanh bảo đảm an ninh.",
        "key": key,
    }
    assert client.post(url, data={**data, "outside_notes": ""}).status_code == 422
    assert client.post(url, data=data).status_code == 303
    assert client.post(url, data=data).status_code == 303  # a retry records nothing new
    assert actions().count("venue.checked") == 1
    resp = client.get(f"/meetings/{meeting.id}/records/venue.pdf")
    assert resp.status_code == 200
    pdf.save("venue-check.pdf", resp.data)
    body = pdf.text(resp.data)
    assert "Không phát hiện thiết bị lạ trong hội trường." in body
    assert "bảo đảm an ninh, an toàn để tổ chức cuộc họp" in body


@pytest.mark.parametrize("key", ["", "\x00", "a\x00bcdefghij", "<script>", "x" * 41])
def test_a_forged_form_key_is_refused(client, team, make_device, login, key):
    meeting, tech = team
    from meetingsec.devices.services import add_device

    md = add_device(meeting, make_device(), actor=organiser_of(meeting))
    db.session.commit()
    login(tech)
    before = snapshot()
    resp = client.post(
        f"/meetings/{meeting.id}/inspection/{md.id}",
        data={"result": "pass", "seal_number": "TEM-1", "key": key, "based_on": "0"},
    )
    assert resp.status_code == 422
    resp = client.post(
        f"/meetings/{meeting.id}/inspection/{md.id}/seal",
        data={"seal-seal_number": "TEM-1", "seal-state": "intact", "seal-key": key},
    )
    assert resp.status_code == 422
    assert snapshot() == before


def test_seal_numbers_are_shown_to_the_device_records_readers_only(
    client, team, make_device, make_user, login
):
    """The door clerk reads neither the device inspection record nor, on the devices page,
    the seal numbers it carries; the organiser reads both."""
    from meetingsec.devices import services
    from meetingsec.meetings.models import MeetingMember

    meeting, tech = team
    clerk = make_user("clerk")
    meeting.members.append(MeetingMember(user_id=clerk.id, role="clerk"))
    md = services.add_device(meeting, make_device(), actor=organiser_of(meeting))
    services.record_inspection(
        meeting,
        md,
        actor=tech,
        result="pass",
        seal_number="TEM-0077",
        notes="",
        key="n77",
        based_on=0,
    )
    db.session.commit()
    url = f"/meetings/{meeting.id}/devices/"
    login(clerk)
    page = client.get(url).get_data(as_text=True)
    assert "TEM-0077" not in page and "/records/devices.pdf" not in page
    assert client.get(f"/meetings/{meeting.id}/records/devices.pdf").status_code == 403
    client.post("/logout")
    login(organiser_of(meeting))
    page = client.get(url).get_data(as_text=True)
    assert "TEM-0077" in page and "/records/devices.pdf" in page


def _card_key(card: str, name: str = "key") -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', card).group(1)


def test_no_verdict_is_chosen_for_the_technician(client, team, make_device, login):
    meeting, tech = team
    from meetingsec.devices.services import add_device

    md = add_device(meeting, make_device(ban_co_yeu=False), actor=organiser_of(meeting))
    exempt = add_device(meeting, make_device(ban_co_yeu=True), actor=organiser_of(meeting))
    db.session.commit()
    login(tech)
    base = f"/meetings/{meeting.id}/inspection"
    for card_of in (md, exempt):
        card = client.get(f"{base}/{card_of.id}").get_data(as_text=True)
        assert 'name="result"' in card and "checked" not in card
    before = snapshot()
    card = client.get(f"{base}/{md.id}").get_data(as_text=True)
    resp = client.post(
        f"{base}/{md.id}",
        data={"seal_number": "TEM-1", "notes": "", "key": _card_key(card), "based_on": "0"},
    )
    assert resp.status_code == 422 and "verdict_required" in error_codes(resp)
    assert snapshot() == before


@pytest.fixture
def installed(team, make_device):
    """A device of the team's meeting that passed (seal TEM-7) and was installed."""
    from meetingsec.devices import services

    meeting, tech = team
    md = services.add_device(meeting, make_device(), actor=organiser_of(meeting))
    db.session.commit()
    services.record_inspection(
        meeting, md, actor=tech, result="pass", seal_number="TEM-7", notes="", key="i1", based_on=0
    )
    services.install(meeting, md, actor=tech)
    db.session.commit()
    return meeting, tech, md


def test_a_broken_seal_is_red_everywhere_with_the_next_step(client, installed, login):
    meeting, tech, md = installed
    login(tech)
    base = f"/meetings/{meeting.id}/inspection/{md.id}"
    card = client.get(base).get_data(as_text=True)
    assert "checked" not in card  # intact or broken: the technician says which
    data = {"seal-seal_number": "TEM-8", "seal-key": _card_key(card, "seal-key")}
    resp = client.post(f"{base}/seal", data=data)
    assert resp.status_code == 422 and "verdict_required" in error_codes(resp)
    resp = client.post(f"{base}/seal", data={**data, "seal-state": "intact"})
    assert resp.status_code == 303
    card = client.get(base).get_data(as_text=True)
    assert 'class="flash flash-warning"' in card and "flash-success" not in card
    assert "status-bad" in card and 'class="next-step"' in card and "tem mới" in card
    client.post("/logout")
    login(organiser_of(meeting))
    listing = client.get(f"/meetings/{meeting.id}/devices/").get_data(as_text=True)
    assert 'class="device-bad"' in listing and "status-bad" in listing
    assert "status-cleared" not in listing
    registry = client.get("/devices/").get_data(as_text=True)
    assert "row-bad" in registry and "status-bad" in registry
    gate = client.get(f"/meetings/{meeting.id}/gate").get_data(as_text=True)
    assert "status-bad" in gate and md.device.name in gate


def test_organiser_withdraws_or_replaces_a_failed_device(client, team, make_device, login):
    meeting, tech = team
    from meetingsec.devices import services

    failed = [
        services.add_device(meeting, make_device(), actor=organiser_of(meeting)) for _ in "ab"
    ]
    db.session.commit()
    for i, md in enumerate(failed):
        services.record_inspection(
            meeting,
            md,
            actor=tech,
            result="fail",
            seal_number="",
            notes="Lạ",
            key=f"f{i}",
            based_on=0,
        )
    db.session.commit()
    login(organiser_of(meeting))
    base = f"/meetings/{meeting.id}/devices"
    listing = client.get(f"{base}/").get_data(as_text=True)
    assert (
        f"{base}/{failed[0].id}/withdraw" in listing and f"{base}/{failed[1].id}/replace" in listing
    )
    assert client.post(f"{base}/{failed[0].id}/withdraw").status_code == 303
    spare = make_device(model="Dự phòng")
    resp = client.post(f"{base}/{failed[1].id}/replace", data={"code": "XYZ"})
    assert resp.status_code == 303 and actions()[-1] != "meeting.device_added"
    assert (
        client.post(f"{base}/{failed[1].id}/replace", data={"code": spare.tag_code}).status_code
        == 303
    )
    assert actions()[-2:] == ["meeting.device_added", "meeting.device_withdrawn"]
    listing = client.get(f"{base}/").get_data(as_text=True)
    assert listing.count("Đã loại khỏi cuộc họp") == 2 and "Dự phòng" in listing
    gate = client.get(f"/meetings/{meeting.id}/gate").get_data(as_text=True)
    assert "status-bad" not in gate  # nothing left in trouble
    record = client.get(f"/meetings/{meeting.id}/records/devices.pdf").data
    # their history stays in the record (its cell read as one, however it wraps)
    assert pdf.phrase_count(record, "Không đạt; đã loại khỏi cuộc họp") == 2


def test_technician_uninstalls_a_device(client, installed, login):
    meeting, tech, md = installed
    login(tech)
    resp = client.post(f"/meetings/{meeting.id}/inspection/{md.id}/uninstall")
    assert resp.status_code == 303 and actions()[-1] == "device.uninstalled"

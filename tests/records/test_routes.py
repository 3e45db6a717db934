"""Records and closing over HTTP: the organiser asks for a record, the real worker renders
it in the background while the page shows its progress, anyone allowed downloads it; the
.xlsx export; closing out."""

import io

from openpyxl import load_workbook

from meetingsec.records import queries
from meetingsec.records.choices import RecordKind
from meetingsec.records.models import RecordJob
from tests import pdf
from tests.factories import chair_of, organiser_of, stored_record
from tests.helpers import actions
from tests.records.test_services import _settle, generate


def test_the_worker_renders_a_requested_record(client, login, ended_meeting, worker, db):
    meeting, *_rest = ended_meeting()
    login(organiser_of(meeting))
    base = f"/meetings/{meeting.id}/records"
    resp = client.post(f"{base}/attendance")
    assert resp.status_code == 303 and resp.location == f"{base}/"
    job = db.session.scalars(db.select(RecordJob)).one()
    page = client.get(f"{base}/").get_data(as_text=True)
    assert f'id="job-{job.id}"' in page or "Tải về" in page  # in progress, or already done
    assert worker(job.id) == "done"
    fragment = client.get(f"{base}/jobs/{job.id}", headers={"HX-Request": "true"})
    assert fragment.headers.get("HX-Refresh") == "true"
    assert "Đã lập xong" in fragment.get_data(as_text=True)
    rec = queries.get_record(meeting.id, RecordKind.ATTENDANCE)
    resp = client.get(f"{base}/attendance.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert resp.data == rec.data
    assert actions()[-1] == "record.downloaded"
    assert "DANH SÁCH" in pdf.plain(resp.data)
    assert client.get(f"{base}/nonsense.pdf").status_code == 404
    assert client.get(f"{base}/attendance.pdf?version=7").status_code == 404


def test_progress_of_a_queued_job_is_polled(client, login, ended_meeting, db):
    meeting, *_rest = ended_meeting()
    login(organiser_of(meeting))
    base = f"/meetings/{meeting.id}/records"
    client.post(f"{base}/security")  # no worker runs here: the job waits its turn
    job = db.session.scalars(db.select(RecordJob)).one()
    fragment = client.get(f"{base}/jobs/{job.id}", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "Đang chờ đến lượt" in body and 'hx-trigger="every 1s"' in body
    assert "HX-Refresh" not in fragment.headers
    page = client.get(f"{base}/").get_data(as_text=True)
    assert f'id="job-{job.id}"' in page
    # asking again while it waits queues nothing more
    client.post(f"{base}/security")
    assert db.session.scalar(db.select(db.func.count()).select_from(RecordJob)) == 1


def test_records_are_refused_to_people_outside_the_circle(client, login, ended_meeting):
    meeting, clerk, *_rest = ended_meeting()
    generate(meeting, "attendance")
    login(clerk)
    base = f"/meetings/{meeting.id}/records"
    assert client.get(f"{base}/").status_code == 403
    assert client.get(f"{base}/attendance.pdf").status_code == 403
    assert client.post(f"{base}/attendance").status_code == 403
    assert client.get(f"{base}/nonsense.pdf").status_code == 403


def check_marked(resp, wb, mark: str, filename: str) -> None:
    """A secret workbook carries its classification: in the first row of every sheet (red,
    bold), in the printed header and footer, and in the file's name."""
    assert resp.headers["Content-Disposition"] == f"attachment; filename={filename}"
    for ws in wb.worksheets:
        first = ws["A1"]
        assert first.value == mark and first.font.b and first.font.color.rgb.endswith("C00000")
        assert ws.oddHeader.center.text == mark and ws.oddFooter.center.text == mark


def test_export_xlsx(client, login, ended_meeting, make_user):
    meeting, _clerk, people, _doc = ended_meeting()
    auditor = make_user("auditor")
    login(auditor)
    resp = client.get(f"/meetings/{meeting.id}/export.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == [
        "Người tham dự",
        "Vào cửa",
        "Thiết bị gửi",
        "Kiểm tra thiết bị",
        "Tài liệu",
    ]
    check_marked(resp, wb, "TỐI MẬT", f"toi-mat-cuoc-hop-{meeting.id}.xlsx")
    names = [row[1].value for row in wb["Người tham dự"].iter_rows(min_row=3)]
    assert names == [p.full_name for p in people]
    assert wb["Vào cửa"].max_row == 4 and wb["Thiết bị gửi"].max_row == 4
    copies = list(wb["Tài liệu"].iter_rows(min_row=3, values_only=True))
    assert [(c[0], c[3], c[5]) for c in copies] == [
        ("07/KH-BCĐ", 1, people[0].full_name),
        ("07/KH-BCĐ", 2, None),
    ]
    assert actions()[-1] == "meeting.exported"


def test_closing_page_and_closing(client, login, ended_meeting, db):
    meeting, clerk, people, doc = ended_meeting()
    login(chair_of(meeting))
    page = client.get(f"/meetings/{meeting.id}/closing").get_data(as_text=True)
    assert "Còn 1 bản sao" in page or "07/KH-BCĐ" in page
    resp = client.post(f"/meetings/{meeting.id}/close")
    assert resp.status_code == 303
    db.session.expire_all()
    assert meeting.status == "closing"
    _settle(meeting, clerk, people, doc)
    for kind in ("attendance", "security", "closing"):
        generate(meeting, kind)
    resp = client.post(f"/meetings/{meeting.id}/close")
    assert resp.status_code == 303 and resp.location == f"/meetings/{meeting.id}"
    db.session.expire_all()
    assert meeting.status == "closed"
    records = client.get(f"/meetings/{meeting.id}/records/").get_data(as_text=True)
    assert "Tạo phiên bản mới" not in records  # frozen: nothing to generate


def test_unclaimed_deposits_at_closing(client, login, ended_meeting, db):
    meeting, clerk, people, _doc = ended_meeting()
    login(clerk)
    held = [d.id for d in queries_held(meeting)]
    resp = client.post(
        f"/meetings/{meeting.id}/closing/unclaimed",
        data={"deposit_ids": held, "note": ""},
    )
    assert resp.status_code == 422  # where they are kept is required
    resp = client.post(
        f"/meetings/{meeting.id}/closing/unclaimed",
        data={"deposit_ids": held, "note": "Tủ khóa phòng văn thư"},
    )
    assert resp.status_code == 303
    assert queries_held(meeting) == []
    assert actions()[-1] == "door.unclaimed"


def queries_held(meeting):
    from meetingsec.door.queries import held_deposits

    return held_deposits(meeting.id)


def test_a_frozen_device_record_leaves_through_the_records_own_access_path(
    client, login, ended_meeting, make_device, db
):
    """The devices page serves a closed meeting's inspection record from the archive, read
    and audited by ``records.services.open_record`` as the records page does: the same
    event (action, object, record facts), its ``file`` naming the page's readers."""
    import hashlib
    import json

    from meetingsec.audit.models import AuditEvent
    from meetingsec.devices.models import MeetingDevice

    meeting, *_rest = ended_meeting()
    device = make_device()
    db.session.add(
        MeetingDevice(meeting_id=meeting.id, device_id=device.id, added_by_id=meeting.organiser_id)
    )
    data = b"%PDF-1.4 inspection as printed"
    stored_record(meeting, "inspection", data)
    meeting.status = "closed"
    db.session.commit()
    login(organiser_of(meeting))

    def download(url):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.data == data, url
        event = db.session.scalars(
            db.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)
        ).one()
        payload = json.loads(event.payload)
        return (event.action, event.object_type, event.object_id, event.actor_id), payload

    from_devices, devices_payload = download(f"/meetings/{meeting.id}/records/devices.pdf")
    from_records, records_payload = download(f"/meetings/{meeting.id}/records/inspection.pdf")
    assert from_devices == from_records
    assert from_records[:2] == ("record.downloaded", "records")
    assert devices_payload.pop("file") == "device_records"
    assert records_payload.pop("file") == "records"
    assert devices_payload == records_payload
    assert records_payload["sha256"] == hashlib.sha256(data).hexdigest()

"""Records and closing through their services: versions with their SHA-256, staleness after
a change, gate 2, frozen records; and every record read back from its PDF."""

import hashlib

import pytest

from meetingsec.core.errors import DomainError
from meetingsec.documents import services as documents
from meetingsec.door import deposits as door_deposits
from meetingsec.door import queries as door_queries
from meetingsec.extensions import db
from meetingsec.meetings import services as meetings
from meetingsec.records import queries, services, tasks
from meetingsec.records.choices import RecordKind
from meetingsec.workflows import services as workflows
from tests import pdf
from tests.factories import chair_of, organiser_of
from tests.helpers import actions, item_status


def generate(meeting, kind, actor=None):
    """Queue a record and run its job here (the worker's body; the worker process itself
    is tested in test_worker.py)."""
    job = services.request_record(meeting, kind, actor=actor or organiser_of(meeting))
    db.session.commit()
    record_id = tasks.run_job(job.id)
    assert record_id is not None, db.session.get(type(job), job.id).error
    return queries.get_record(meeting.id, RecordKind(kind))


def _settle(meeting, clerk, people, doc):
    """Everything closing needs but the records: the copy back, the phone unclaimed."""
    documents.recover(meeting, actor=clerk, key="settle-recover", copy_code=doc.copies[0].code)
    held = [d.id for d in door_queries.unreturned(people[0])]
    door_deposits.record_unclaimed(
        meeting, actor=clerk, deposit_ids=held, note="Tủ văn thư phòng 2"
    )
    db.session.commit()


def test_closing_waits_for_copies_deposits_and_records(ended_meeting):
    meeting, clerk, people, doc = ended_meeting()
    with pytest.raises(DomainError) as err:
        workflows.close_meeting(meeting, actor=chair_of(meeting))
    assert err.value.code == "blocked"
    db.session.rollback()
    assert item_status(meeting, "recover-docs").status == "unmet"
    assert item_status(meeting, "devices-returned").status == "unmet"
    _settle(meeting, clerk, people, doc)
    assert item_status(meeting, "recover-docs").status == "met"
    assert item_status(meeting, "devices-returned").status == "met"
    made = item_status(meeting, "records-made")
    assert made.status == "unmet"
    assert "Danh sách người tham dự ký xác nhận" in str(made.reason)
    for kind in ("attendance", "security"):
        generate(meeting, kind)
    assert queries.missing_records(meeting) == [RecordKind.CLOSING]
    generate(meeting, "closing")
    assert item_status(meeting, "records-made").status == "met"
    workflows.close_meeting(meeting, actor=organiser_of(meeting))
    db.session.commit()
    assert meeting.status == "closed" and meeting.closed_at is not None
    assert actions()[-1] == "meeting.closed"
    with pytest.raises(DomainError) as err:
        services.request_record(meeting, "attendance", actor=organiser_of(meeting))
    assert err.value.code == "frozen"


def test_a_change_after_generating_makes_the_records_stale(ended_meeting):
    meeting, clerk, people, doc = ended_meeting()
    for kind in ("attendance", "security"):
        generate(meeting, kind)
    assert RecordKind.ATTENDANCE not in queries.missing_records(meeting)
    documents.recover(meeting, actor=clerk, key="late-recover", copy_code=doc.copies[0].code)
    db.session.commit()
    assert {RecordKind.ATTENDANCE, RecordKind.SECURITY} <= set(queries.missing_records(meeting))
    again = generate(meeting, "security")
    assert again.version == 2
    assert [r.version for r in queries.versions_of(meeting.id, RecordKind.SECURITY)] == [2, 1]


def test_each_version_is_stored_with_its_hash_and_audited(ended_meeting):
    meeting, *_rest = ended_meeting()
    rec = generate(meeting, "attendance")
    assert rec.sha256 == hashlib.sha256(rec.data).hexdigest()
    assert rec.size == len(rec.data) and rec.pages >= 1
    event = db.session.scalars(
        db.select(db.Model.metadata.tables["audit_events"]).where(
            db.text("action = 'record.generated'")
        )
    ).all()
    assert event, "record.generated is audited"
    body = pdf.text(rec.data)
    assert f"sự kiện số {rec.head_seq}" in body
    assert rec.head_hash[:32] in body.replace("\n", "").replace(" ", "")
    # ... and the latest signed checkpoint of the chain
    from meetingsec.audit.checkpoints import latest

    mark = latest()
    flat = " ".join(body.split())
    assert f"Điểm kiểm tra ký số gần nhất (số {mark.number}): sự kiện số {mark.seq} lúc" in flat
    assert mark.signature[:16] in flat.replace(" ", "")
    # ... and the fingerprint of the key the checkpoints are checked against
    from meetingsec.audit.checkpoints import trust

    assert f"Dấu vân tay khóa ký: {trust().fingerprint}" in flat


def test_a_double_request_queues_one_job(ended_meeting):
    meeting, *_rest = ended_meeting()
    first = services.request_record(meeting, "attendance", actor=organiser_of(meeting))
    db.session.commit()
    second = services.request_record(meeting, "attendance", actor=chair_of(meeting))
    assert first.id == second.id


def test_who_may_generate_and_what(ended_meeting, make_user):
    meeting, clerk, *_rest = ended_meeting()
    auditor = make_user("auditor")
    with pytest.raises(DomainError) as err:
        services.request_record(meeting, "attendance", actor=clerk)
    assert err.value.code == "not_organiser"
    with pytest.raises(DomainError) as err:
        services.request_record(meeting, "inspection", actor=organiser_of(meeting))  # no device
    assert err.value.code == "no_such_record"
    with pytest.raises(DomainError) as err:
        services.request_record(meeting, "nonsense", actor=organiser_of(meeting))
    assert err.value.code == "unknown_record"
    db.session.rollback()
    generate(meeting, "attendance")
    assert services.open_record(meeting, "attendance", actor=auditor).version == 1
    with pytest.raises(DomainError):
        services.open_record(meeting, "attendance", actor=clerk)


# -- what the PDFs say ------------------------------------------------------------------------

A4 = ("595.", "841.")
LEFT, RIGHT = 30 * 72 / 25.4, 595.28 - 15 * 72 / 25.4  # the Decree 30 margins, in points


def check_official_layout(data: bytes, mark: str = "TỐI MẬT") -> list[str]:
    """What every official record must satisfy; returns its pages' text."""
    info = pdf.info(data)
    assert info["Page size"].startswith(A4[0]) and A4[1] in info["Page size"], info["Page size"]
    fonts = pdf.fonts(data)
    assert fonts and all(f.startswith("Liberation-Serif") for f in fonts), fonts
    pages = pdf.pages_text(data)
    assert all(mark in page for page in pages), "the classification mark is on every page"
    body = pdf.text(data)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body
    assert "Độc lập - Tự do - Hạnh phúc" in body
    assert "http" not in body and b"http://" not in data.replace(b"http://www.w3.org", b"")
    for n, words in enumerate(pdf.word_boxes(data), start=1):
        in_body = [w for w in words if w[1] > 20 * 72 / 25.4]  # below the top margin
        assert min(w[0] for w in in_body) >= LEFT - 1, f"page {n}: text left of the margin"
        assert max(w[2] for w in in_body) <= RIGHT + 1, f"page {n}: text right of the margin"
    # Decree 30: the number alone, centred in the top margin, from page 2
    for n, top in enumerate(pdf.top_margin_numbers(data), start=1):
        assert [w for w, _x in top] == ([str(n)] if n > 1 else []), (n, top)
        assert all(abs(x - (LEFT + RIGHT) / 2) < 2 for _w, x in top), (n, top)  # on the text
    return pages


def test_attendance_sheet_reads_back(ended_meeting):
    meeting, clerk, people, _doc = ended_meeting()
    rec = generate(meeting, "attendance")
    pdf.save("attendance.pdf", rec.data)
    check_official_layout(rec.data)
    body = pdf.plain(rec.data)
    assert "DANH SÁCH" in body
    for p in people:
        assert p.full_name in body
    assert "Không đến" in body  # the third person did not come
    assert "Điện thoại (ô 1)" in body
    from tests.records.test_official import check_drawn_signatures

    check_drawn_signatures(rec.data, signed=2)  # the two signatures, drawn black


def test_security_record_reads_back(ended_meeting):
    meeting, clerk, people, doc = ended_meeting()
    _settle(meeting, clerk, people, doc)
    rec = generate(meeting, "security")
    pdf.save("security.pdf", rec.data)
    check_official_layout(rec.data)
    body = pdf.plain(rec.data)
    assert "BIÊN BẢN" in body
    assert "Luật 29/2018/QH14" in body  # citations
    assert "07/KH-BCĐ" in body and "Tủ văn thư phòng 2" in body
    assert chair_of(meeting).full_name in body


def test_closing_summary_lists_the_other_records(ended_meeting):
    meeting, clerk, people, doc = ended_meeting()
    _settle(meeting, clerk, people, doc)
    attendance = generate(meeting, "attendance")
    rec = generate(meeting, "closing")
    pdf.save("closing.pdf", rec.data)
    check_official_layout(rec.data)
    assert attendance.sha256 in pdf.plain(rec.data).replace(" ", "")


def test_a_big_sheet_is_laid_out_in_parts_and_numbered_as_one(app, open_door, monkeypatch):
    """Past ``SPLIT_FROM`` rows the sheet is laid out in parts (two at once with
    RECORD_PROCESSES = 2), joined and numbered: the reader sees one record."""
    from meetingsec.records import builders
    from tests.helpers import check_in

    monkeypatch.setitem(app.config, "RECORD_PROCESSES", 2)
    monkeypatch.setattr(builders, "SPLIT_FROM", 10)
    meeting, clerk, people = open_door(n=60)
    for p in people:
        check_in(meeting, clerk, p)
    meetings.start_session(meeting, actor=chair_of(meeting))
    meetings.end_session(meeting, actor=chair_of(meeting))
    db.session.commit()
    rec = generate(meeting, "attendance")
    pdf.save("attendance-in-parts.pdf", rec.data)
    pages = check_official_layout(rec.data)
    assert rec.pages == len(pages) >= 3
    body = pdf.plain(rec.data)
    assert body.count("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == 1  # one header, one end
    assert body.count("Nơi nhận:") == 1
    for p in people:
        assert p.full_name in body
    assert "Danh sách gồm 60 người" in body
    from tests.records.test_official import check_drawn_signatures

    check_drawn_signatures(rec.data, signed=60)  # every part drew its rows' signatures


def test_a_job_whose_worker_died_is_replaced(ended_meeting):
    from datetime import timedelta

    from meetingsec.core.db import utcnow
    from meetingsec.records.models import RecordJob

    meeting, *_rest = ended_meeting()
    first = services.request_record(meeting, "attendance", actor=organiser_of(meeting))
    first.state, first.started_at = "layout", utcnow() - timedelta(minutes=11)
    db.session.commit()
    again = services.request_record(meeting, "attendance", actor=organiser_of(meeting))
    db.session.commit()
    assert again.id != first.id and again.state == "queued"
    assert db.session.get(RecordJob, first.id).state == "failed"
    assert tasks.run_job(again.id) is not None

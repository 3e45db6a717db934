"""The attendance sheet laid out while the door works: its groups of rows are kept, a change
lays out only its group again, the sheet asked for at closing lays out only its opening and
closing parts and reads as one made from nothing; a check-in queues the work once; the
parts go when the meeting's records are final."""

import os
import stat
import time

import pytest

from meetingsec import jobs
from meetingsec.audit.models import AuditEvent
from meetingsec.extensions import db
from meetingsec.meetings import services as meetings
from meetingsec.records import builders, render, sheet_cache, tasks
from meetingsec.records.models import Record, RecordJob
from meetingsec.records.sheet_cache import SheetCache
from tests import pdf
from tests.factories import chair_of
from tests.helpers import check_in
from tests.records.test_services import check_official_layout, generate


@pytest.fixture
def small_groups(monkeypatch):
    """A sheet of 20 rows in parts: 2 opening rows, groups of 5, 2 closing rows: rows 1–2
    | 3–7 | 8–12 | 13–17 | 18 | 19–20; its time of making held still (the closing part
    prints it to the minute, and a test may run across a minute's turn)."""
    from meetingsec.core.db import utcnow
    from meetingsec.records import official

    made = utcnow()
    monkeypatch.setattr(official, "utcnow", lambda: made)
    monkeypatch.setattr(builders, "SPLIT_FROM", 10)
    monkeypatch.setattr(builders, "HEAD_ROWS", 2)
    monkeypatch.setattr(builders, "TAIL_ROWS", 2)
    monkeypatch.setattr(builders, "GROUP_ROWS", 5)


def _events(action: str) -> int:
    return db.session.scalar(
        db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    )


def test_the_sheet_at_closing_lays_out_only_what_changed(app, open_door, small_groups):
    meeting, clerk, people = open_door(n=20)
    late = people[9]  # row 10: the group of rows 8–12
    for p in people:
        if p is not late:
            check_in(meeting, clerk, p)
    db.session.commit()
    events = db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))

    assert tasks.prepare_sheet(meeting.id) == 6  # the four groups, the first and last parts
    assert tasks.prepare_sheet(meeting.id) == 0  # nothing changed: nothing laid out
    # work done early is no record: no record, no job, no audit event
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == events
    assert db.session.scalar(db.select(db.func.count()).select_from(Record)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(RecordJob)) == 0

    # a late arrival signs: its group, the figures (opening part) and the chain's head
    # (closing part) change, the other three groups do not
    check_in(meeting, clerk, late)
    db.session.commit()
    assert tasks.prepare_sheet(meeting.id) == 3
    meetings.start_session(meeting, actor=chair_of(meeting))
    meetings.end_session(meeting, actor=chair_of(meeting))
    db.session.commit()

    rec = generate(meeting, "attendance")
    # no group again: the closing part (the chain's head moved), and the opening part when
    # its number or date changed
    assert render.last_laid_out in (1, 2)
    assert _events("record.generated") == 1
    pdf.save("attendance-prepared.pdf", rec.data)
    pages = check_official_layout(rec.data)
    assert rec.pages == len(pages)
    body = pdf.plain(rec.data)
    assert body.count("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == 1
    assert body.count("Nơi nhận:") == 1
    assert "Danh sách gồm 20 người" in body
    for p in people:
        assert p.full_name in body
    assert "Không đến" not in body  # the late arrival's row is the one laid out again
    from tests.records.test_official import check_drawn_signatures

    check_drawn_signatures(rec.data, signed=20)


def test_a_prepared_sheet_reads_as_one_made_from_nothing(app, open_door, small_groups):
    meeting, clerk, people = open_door(n=20)
    for p in people[:15]:
        check_in(meeting, clerk, p)
    db.session.commit()
    htmls = tasks._sheet_htmls(meeting)
    db.session.commit()
    cold, cold_pages = render.render_parts(htmls)
    assert render.last_laid_out == len(htmls) == 6

    cache = SheetCache(app.instance_path, meeting.id)
    render.lay_out_parts(htmls[1:-1], cache)  # the groups, as the door went on
    prepared, prepared_pages = render.render_parts(htmls, cache=cache)
    assert render.last_laid_out == 2  # the opening and closing parts only

    assert prepared_pages == cold_pages == len(pdf.pages_text(cold))
    assert pdf.text(prepared) == pdf.text(cold)  # page by page, numbers included


def test_a_check_in_queues_the_preparation_once(app, open_door, monkeypatch):
    monkeypatch.setitem(app.config, "PREPARE_SHEETS", True)
    huey = app.extensions["huey"]

    def queued() -> list:
        # queued with its delay (the worker sets it aside until then)
        return [t.args for t in huey.pending() if t.name == "prepare_sheet"]

    meeting, clerk, people = open_door(n=4)
    db.session.commit()
    assert queued() == []
    check_in(meeting, clerk, people[0])
    db.session.commit()
    assert queued() == [(meeting.id,)]
    check_in(meeting, clerk, people[1])
    db.session.commit()
    jobs._queued_at.clear()  # as another web process would: the queue's flag still holds
    check_in(meeting, clerk, people[2])
    db.session.commit()
    assert queued() == [(meeting.id,)]

    # the worker takes it (and its flag): the next change queues again
    huey.dequeue()
    huey.get(tasks.pending_key(meeting.id))
    jobs._queued_at.clear()
    check_in(meeting, clerk, people[3])
    db.session.commit()
    assert queued() == [(meeting.id,)]

    # a job lost with its queue leaves its flag: after a while a change queues one again
    huey.dequeue()
    huey.put(tasks.pending_key(meeting.id), time.time() - jobs.PENDING_FOR_AT_MOST_S - 1)
    jobs._queued_at.clear()
    assert jobs.sheet_changed(meeting.id)
    assert queued() == [(meeting.id,)]


def test_a_refused_check_in_queues_nothing(app, open_door, monkeypatch):
    monkeypatch.setitem(app.config, "PREPARE_SHEETS", True)
    huey = app.extensions["huey"]
    meeting, clerk, people = open_door(n=2)
    db.session.commit()
    check_in(meeting, clerk, people[0])
    db.session.rollback()
    assert [t for t in huey.pending() if t.name == "prepare_sheet"] == []


def test_the_parts_are_private_and_go_when_the_records_are_final(
    app, open_door, small_groups, make_meeting
):
    meeting, clerk, people = open_door(n=20)
    for p in people:
        check_in(meeting, clerk, p)
    db.session.commit()
    tasks.prepare_sheet(meeting.id)
    cache = SheetCache(app.instance_path, meeting.id)
    files = list(cache.folder.iterdir())
    assert len(files) == 6 + 1  # the parts and the page numbers
    assert stat.S_IMODE(cache.folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)

    # a meeting closed since: its parts go at the worker's next look, the open one's stay
    closed = make_meeting()
    closed.status = "closed"
    db.session.commit()
    gone = SheetCache(app.instance_path, closed.id)
    gone.put("0" * 64, b"%PDF-")
    tasks.forget_final_meetings()
    assert not gone.folder.exists()
    assert len(cache.keys()) == 7

    meeting.status = "cancelled"
    db.session.commit()
    assert tasks.prepare_sheet(meeting.id) is None
    assert not cache.folder.exists()


def test_the_parts_stay_within_their_bound(app):
    old, new = SheetCache(app.instance_path, 1), SheetCache(app.instance_path, 2)
    old.put("a" * 64, b"x" * 600)
    os.utime(old.folder, (1, 1))  # used long ago
    new.put("b" * 64, b"x" * 600)
    sheet_cache.bound(app.instance_path, 1000)
    assert not old.folder.exists()
    assert new.keys() == {"b" * 64}

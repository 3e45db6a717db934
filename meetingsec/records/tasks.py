"""The background jobs of records (in the worker, ``flask worker``): the one that renders a
record (read the data, lay the pages out in child processes, then store the PDF with its
audit event; each step commits at once, so the page polling the job sees it), and the one
that lays a big attendance sheet's groups of rows out while the door works
(``prepare_sheet``), so the sheet asked for at closing reuses them."""

import hashlib
import io

from flask import Flask, current_app
from sqlalchemy import func, select

from meetingsec.audit.services import record
from meetingsec.core.db import begin_writing, set_write_intent, utcnow
from meetingsec.core.pdf import render_html
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import MeetingStatus
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting
from meetingsec.records import render, sheet_cache
from meetingsec.records.builders import parts_of
from meetingsec.records.choices import JobState, RecordKind
from meetingsec.records.models import Record, RecordJob
from meetingsec.records.render import lay_out_parts, make_yielder, render_document, render_parts
from meetingsec.records.sheet_cache import SheetCache, part_key
from meetingsec.users.models import User

#: The meetings whose sheet may be laid out ahead: people still come in, sign and leave
PREPARED_WHILE = (MeetingStatus.CLEARED, MeetingStatus.IN_SESSION, MeetingStatus.CLOSING)


def pending_key(meeting_id: int) -> str:
    """The queue's flag that a meeting's sheet preparation is already queued."""
    return f"prepare_sheet:{meeting_id}"


def register(huey, app: Flask):
    """The queue's tasks: ``render_record(job_id)``, ``prepare_sheet(meeting_id)``."""

    @huey.task(name="render_record")
    def render_record(job_id: int):
        with app.app_context():
            try:
                return run_job(job_id)
            finally:
                db.session.remove()

    @huey.task(name="prepare_sheet")
    def prepare_sheet_task(meeting_id: int):
        huey.get(pending_key(meeting_id))  # taken: a change from now on queues the next one
        with app.app_context():
            try:
                return prepare_sheet(meeting_id)
            finally:
                db.session.remove()

    return render_record, prepare_sheet_task


def _sheet_htmls(meeting: Meeting):
    """The HTML of the attendance sheet's parts, or None when it is laid out in one go."""
    kind = RecordKind.ATTENDANCE
    template, context = kind.entry.build(meeting)
    parts = parts_of(kind, context)
    if not parts:
        return None
    return [render_html(template, **c) for c in parts]


def prepare_sheet(meeting_id: int) -> int | None:
    """Lay out the parts of the meeting's attendance sheet that are not laid out yet, and
    the page numbers of a sheet of as many pages. The opening and closing parts are laid
    out again when the sheet is asked for (they carry its date, its figures and the chain's
    head) but rarely change length, so their numbers are ready too. Records nothing: this
    is no record, only work done early. Returns how many parts were laid out, None when the
    meeting has no sheet to prepare."""
    import pikepdf

    instance = current_app.instance_path
    forget_final_meetings()
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or meeting.status not in PREPARED_WHILE:
        return None
    make_yielder().wait_quiet()  # the door first
    set_write_intent(False)
    htmls = _sheet_htmls(meeting)
    db.session.commit()  # the read ends before the layout
    if htmls is None:
        return None
    cache = SheetCache(instance, meeting_id)
    parts = lay_out_parts(htmls, cache, at_once=current_app.config["RECORD_PROCESSES"])
    laid_out = render.last_laid_out
    pages = sum(len(pikepdf.Pdf.open(io.BytesIO(data)).pages) for data in parts)
    render.page_numbers(pages, cache)
    # what the sheet no longer has goes
    cache.keep_only({part_key(h) for h in [*htmls, render.numbers_html(pages)]})
    sheet_cache.bound(instance, current_app.config["SHEET_CACHE_MAX_MB"] << 20, keep=meeting_id)
    return laid_out


def forget_final_meetings() -> None:
    """Drop the laid-out parts of the meetings whose records are final (closed or
    cancelled, or gone)."""
    instance = current_app.instance_path
    kept = sheet_cache.meetings_kept(instance)
    if not kept:
        return
    open_ = set(
        db.session.scalars(
            select(Meeting.id).where(Meeting.id.in_(kept), Meeting.status.in_(PREPARED_WHILE))
        )
    )
    for meeting_id in kept:
        if meeting_id not in open_:
            SheetCache(instance, meeting_id).drop()


def _set_state(job_id: int, state: JobState, **values) -> None:
    """Progress is committed at once, in a short transaction of its own, so the page
    polling it sees every step."""
    begin_writing(db.session)
    job = db.session.get(RecordJob, job_id)
    job.state = state.value
    for key, value in values.items():
        setattr(job, key, value)
    db.session.commit()


def run_job(job_id: int) -> int | None:
    """Render the job's record (in the worker): read the data, lay the pages out, write
    the PDF, then store it with its audit event in one transaction. Returns the record's
    id, or None when the job could not be done (its error says why)."""
    job = db.session.get(RecordJob, job_id)
    if job is None or JobState(job.state) not in (JobState.QUEUED,):
        return None  # already done, or picked up twice
    make_yielder().wait_quiet()  # the door first, even for reading the data
    _set_state(job_id, JobState.READING, started_at=utcnow())
    try:
        set_write_intent(False)  # reading holds no write lock: the door keeps writing
        job = db.session.get(RecordJob, job_id)
        meeting = db.session.get(Meeting, job.meeting_id)
        kind, actor_id = RecordKind(job.kind), job.requested_by_id
        template, context = kind.entry.build(meeting)
        head = context["head"]
        parts = parts_of(kind, context)
        htmls = [render_html(template, **c) for c in parts or [context]]
        db.session.commit()  # the read transaction ends before the long layout
        # a sheet's groups laid out while the door worked are taken as they are
        cache = SheetCache(current_app.instance_path, meeting.id) if parts else None
        _set_state(job_id, JobState.LAYOUT)

        # laid out in child processes that pause while people wait at the door (records.render)
        def writing():
            _set_state(job_id, JobState.WRITING)

        if parts:  # the parts not laid out yet, then joined
            at_once = current_app.config["RECORD_PROCESSES"]
            data, pages = render_parts(htmls, writing, cache, at_once)
            cache.keep_only({part_key(h) for h in htmls})
        else:
            data, pages = render_document(htmls[0], writing)
        return _store(job_id, kind, actor_id, data, pages, head)
    except Exception as err:  # the job fails visibly; the worker keeps running
        db.session.rollback()
        _set_state(job_id, JobState.FAILED, finished_at=utcnow(), error=repr(err)[:2000])
        raise


def _store(job_id, kind: RecordKind, actor_id: int, data: bytes, pages: int, head) -> int | None:
    begin_writing(db.session)
    job = db.session.get(RecordJob, job_id)
    meeting = db.session.get(Meeting, job.meeting_id)
    lock_meeting(meeting)
    now = utcnow()
    if meeting.status is MeetingStatus.CLOSED:
        job.state, job.finished_at = JobState.FAILED.value, now
        job.error = "the meeting was closed while the record was rendered"
        db.session.commit()
        return None
    version = (
        db.session.scalar(
            select(func.max(Record.version)).where(
                Record.meeting_id == meeting.id, Record.kind == kind.value
            )
        )
        or 0
    ) + 1
    digest = hashlib.sha256(data).hexdigest()
    rec = Record(
        meeting_id=meeting.id,
        kind=kind.value,
        version=version,
        sha256=digest,
        size=len(data),
        pages=pages,
        head_seq=head[0],
        head_hash=head[1],
        generated_at=now,
        generated_by_id=actor_id,
        data=data,
    )
    db.session.add(rec)
    db.session.flush()
    record(
        "record.generated",
        rec,
        actor=db.session.get(User, actor_id),
        now=now,
        data={
            "meeting_id": meeting.id,
            "kind": kind.value,
            "version": version,
            "sha256": digest,
            "size": len(data),
            "pages": pages,
            "head": [head[0], head[1]],
        },
    )
    job.state, job.finished_at, job.record_id = JobState.DONE.value, now, rec.id
    db.session.commit()
    return rec.id

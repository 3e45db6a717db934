"""The background job that renders a record (in the worker, ``flask worker``): read the
data, lay the pages out in child processes, then store the PDF with its audit event. Each
step commits at once, so the page polling the job sees it."""

import hashlib

from flask import Flask
from sqlalchemy import func, select

from meetingsec.audit.services import record
from meetingsec.core.db import begin_writing, set_write_intent, utcnow
from meetingsec.core.pdf import render_html
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import MeetingStatus
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting
from meetingsec.records.builders import parts_of
from meetingsec.records.choices import JobState, RecordKind
from meetingsec.records.models import Record, RecordJob
from meetingsec.records.render import make_yielder, render_document, render_parts
from meetingsec.users.models import User


def register(huey, app: Flask):
    """The queue's task that renders a record: ``render_record(job_id)``."""

    @huey.task(name="render_record")
    def render_record(job_id: int):
        with app.app_context():
            try:
                return run_job(job_id)
            finally:
                db.session.remove()

    return render_record


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
        _set_state(job_id, JobState.LAYOUT)

        # laid out in child processes that pause while people wait at the door (records.render)
        def writing():
            _set_state(job_id, JobState.WRITING)

        if parts:  # on every core at once, then joined
            data, pages = render_parts(htmls, writing)
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

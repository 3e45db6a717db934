"""Records: asked for by a person, rendered in the background, stored with their SHA-256
and audited. Before the meeting is closed a new request makes a new version; once it is
closed the stored versions are frozen and nothing is generated again.
"""

import hashlib
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from meetingsec.audit.services import record
from meetingsec.core import priority
from meetingsec.core.db import begin_writing, set_write_intent, utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.core.pdf import render_document, render_html, render_parts
from meetingsec.extensions import db
from meetingsec.meetings.access import Reading, may_read, open_download, require_reading
from meetingsec.meetings.lifecycle import Action, MeetingStatus
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting
from meetingsec.records import queries
from meetingsec.records.builders import BUILDERS, parts_of
from meetingsec.records.choices import JobState, RecordKind
from meetingsec.records.models import Record, RecordJob


def can_read(user, meeting: Meeting) -> bool:
    """Its organiser and chair, and auditors (``meetings.access.READERS``)."""
    return may_read(user, meeting, Reading.RECORDS)


def can_generate(user, meeting: Meeting) -> bool:
    return user.id in (meeting.organiser_id, meeting.chair_id)


def _check_kind(meeting: Meeting, kind: str) -> RecordKind:
    try:
        kind = RecordKind(kind)
    except ValueError:
        raise DomainError(_l("Unknown record."), "unknown_record") from None
    if kind not in queries.kinds_for(meeting):
        raise DomainError(_l("This meeting has nothing to put in this record."), "no_such_record")
    return kind


#: A job started this long ago and still running was interrupted (its worker was killed):
#: the biggest record takes well under a minute
STALLED_AFTER = timedelta(minutes=10)


def _stalled(job: RecordJob, now: datetime) -> bool:
    return job.started_at is not None and now - job.started_at > STALLED_AFTER


def request_record(meeting: Meeting, kind: str, *, actor, now: datetime | None = None) -> RecordJob:
    """Queue the rendering of a new version. A request while one is under way for the same
    record returns that one (a double tap queues one job; the caller queues its task again,
    which runs once), unless it stalled."""
    if not can_generate(actor, meeting):
        raise NotAllowed(
            _l("Only the meeting's organiser or chair can generate its records."), "not_organiser"
        )
    kind = _check_kind(meeting, kind)
    status = meeting.status
    if status is MeetingStatus.CLOSED:
        raise DomainError(_l("The meeting is closed: its records are frozen."), "frozen")
    if not status.allows(Action.RECORDS):
        raise DomainError(
            _l("Records are made for an approved meeting that has not been cancelled."),
            "not_approved",
        )
    if kind is RecordKind.CLOSING and not status.allows(Action.CLOSE):
        raise DomainError(
            _l("The closing summary is made once the session has ended."), "not_closing"
        )
    now = now or utcnow()
    running = queries.active_job(meeting.id, kind)
    if running is not None and not _stalled(running, now):
        return running
    if running is not None:  # its worker died mid-render: it will never finish
        running.state, running.finished_at = JobState.FAILED.value, now
        running.error = "interrupted: no progress for " + str(STALLED_AFTER)
    job = RecordJob(
        meeting_id=meeting.id,
        kind=kind.value,
        requested_by_id=actor.id,
        requested_at=now,
        state=JobState.QUEUED.value,
    )
    db.session.add(job)
    record(
        "record.requested",
        job,
        actor=actor,
        now=now,
        data={"meeting_id": meeting.id, "kind": kind.value},
    )
    return job


# -- the background job ------------------------------------------------------------------------


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
    priority.yielder().wait_quiet()  # the door first, even for reading the data
    _set_state(job_id, JobState.READING, started_at=utcnow())
    try:
        set_write_intent(False)  # reading holds no write lock: the door keeps writing
        job = db.session.get(RecordJob, job_id)
        meeting = db.session.get(Meeting, job.meeting_id)
        kind, actor_id = RecordKind(job.kind), job.requested_by_id
        template, context = BUILDERS[kind](meeting)
        head = context["head"]
        parts = parts_of(kind, context)
        htmls = [render_html(template, **c) for c in parts or [context]]
        db.session.commit()  # the read transaction ends before the long layout
        _set_state(job_id, JobState.LAYOUT)

        # laid out in child processes that pause while people use the app (core.priority)
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
    from meetingsec.users.models import User

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


# -- reading -------------------------------------------------------------------------------------


def open_record(meeting: Meeting, kind: str, *, actor, version: int | None = None) -> Record:
    """A stored version for download (the newest when none is named); the download is
    audited: these files carry state secrets."""
    require_reading(actor, meeting, Reading.RECORDS)
    kind = _check_kind(meeting, kind)
    rec = queries.get_record(meeting.id, kind, version)
    if rec is None:
        raise DomainError(_l("This record has not been generated yet."), "not_generated")
    open_download(
        meeting,
        Reading.RECORDS,
        actor=actor,
        obj=rec,
        data={"kind": kind.value, "version": rec.version, "sha256": rec.sha256},
    )
    return rec

"""Records: asked for by a person, rendered in the background (``records.tasks``), stored
with their SHA-256 and audited. Before the meeting is closed a new request makes a new
version; once it is closed the stored versions are frozen and nothing is generated again.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.extensions import db
from meetingsec.meetings.access import Reading, may_read, open_download, require_reading
from meetingsec.meetings.lifecycle import Action, MeetingStatus
from meetingsec.meetings.models import Meeting
from meetingsec.records import queries
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


# -- reading -------------------------------------------------------------------------------------


def open_record(
    meeting: Meeting,
    kind: str,
    *,
    actor,
    version: int | None = None,
    reading: Reading = Reading.RECORDS,
) -> Record:
    """A stored version for download (the newest when none is named); the download is
    audited: these files carry state secrets. Every stored record leaves through here: the
    records page, and the devices pages for a frozen device or venue record (``reading``
    names the page's readers, and the event's ``file``)."""
    require_reading(actor, meeting, reading)
    kind = _check_kind(meeting, kind)
    rec = queries.get_record(meeting.id, kind, version)
    if rec is None:
        raise DomainError(_l("This record has not been generated yet."), "not_generated")
    open_download(
        meeting,
        reading,
        actor=actor,
        obj=rec,
        data={"kind": kind.value, "version": rec.version, "sha256": rec.sha256},
    )
    return rec

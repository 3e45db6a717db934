"""Records: asked for by a person, rendered in the background (``records.tasks``), stored
with their SHA-256 and audited. Before the meeting is closed a new request makes a new
version; once it is closed the stored versions are frozen and nothing is generated again.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l

from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.core.i18n import local_date
from meetingsec.extensions import db
from meetingsec.meetings.access import Reading, may_read, open_download, require_reading
from meetingsec.meetings.lifecycle import Action, MeetingStatus
from meetingsec.meetings.models import Meeting
from meetingsec.org import services as org
from meetingsec.org.queries import agency_settings
from meetingsec.records import queries
from meetingsec.records.choices import JobState, RecordKind
from meetingsec.records.models import (
    NumberSeries,
    Record,
    RecordJob,
    RecordNumber,
    RecordSigner,
)
from meetingsec.records.official import with_abbreviation


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
    number = _give_number(meeting, kind, now)
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
        data={
            "meeting_id": meeting.id,
            "kind": kind.value,
            "number": f"{number.number}/{number.symbol}",
        },
    )
    return job


# -- numbers -------------------------------------------------------------------------------------


def _series(kind: RecordKind) -> NumberSeries:
    """The kind's number series, locked (two records asked for at once get two numbers)."""
    series = db.session.get(NumberSeries, kind.value, with_for_update=True)
    if series is None:  # a kind never numbered nor set: its default symbol
        series = NumberSeries(kind=kind.value, symbol=kind.entry.symbol, year=0, next_number=1)
        db.session.add(series)
    return series


def _give_number(meeting: Meeting, kind: RecordKind, now: datetime) -> RecordNumber:
    """The record's number: given from its series when it is first asked for (the series
    starts again at 1 each year), kept by its later versions."""
    given = queries.record_number(meeting.id, kind)
    if given is not None:
        return given
    series = _series(kind)
    year = local_date(now).year
    if series.year != year:
        series.year, series.next_number = year, 1
    given = RecordNumber(
        meeting_id=meeting.id,
        kind=kind.value,
        year=year,
        number=series.next_number,
        symbol=with_abbreviation(series.symbol, agency_settings().abbreviation),
        given_at=now,
    )
    series.next_number += 1
    db.session.add(given)
    return given


def save_series(
    kind: RecordKind, *, actor, symbol: str, next_number: int, now: datetime | None = None
) -> NumberSeries:
    """The administrator sets a kind's symbol and the next number it gives (this year):
    audited as ``records.series_updated`` with what changed."""
    now = now or utcnow()
    symbol = "".join(symbol.split()).upper()
    if not symbol or next_number < 1:
        raise DomainError(
            _l("A number series needs a symbol and a next number of at least 1."), "bad_series"
        )
    series = _series(kind)
    old = {"symbol": series.symbol, "next_number": series.next_number, "year": series.year}
    year = local_date(now).year
    series.symbol, series.next_number, series.year = symbol, next_number, year
    new = {"symbol": symbol, "next_number": next_number, "year": year}
    changed = {k: [old[k], new[k]] for k in new if old[k] != new[k]}
    if changed:
        db.session.flush()
        record(
            "records.series_updated",
            actor=actor,
            now=now,
            object_type="number_series",
            object_id=kind.value,
            data={"kind": kind.value, **changed},
        )
    return series


# -- reading -------------------------------------------------------------------------------------


def save_letterhead(*, actor, series: dict, now: datetime | None = None, **agency):
    """The administrator's settings page: how the agency names itself (``agency``: the
    fields of ``org.services.save_agency``) and each kind's number series (``series``:
    ``{RecordKind: (symbol, next number)}``), each audited with what changed."""
    now = now or utcnow()
    settings = org.save_agency(actor=actor, now=now, **agency)
    for kind, (symbol, next_number) in series.items():
        save_series(kind, actor=actor, symbol=symbol, next_number=next_number, now=now)
    return settings


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


# -- signers -------------------------------------------------------------------------------------


def save_signers(
    meeting: Meeting, kind: str, blocks: dict, *, actor, now: datetime | None = None
) -> list[RecordSigner]:
    """Who signs the record (``blocks``: ``{side: {authority, principal, position, name}}``),
    set before generating it; audited as ``records.signers_saved`` with what was set."""
    from meetingsec.records.signers import AUTHORITIES, SIDES, stored

    if not can_generate(actor, meeting):
        raise NotAllowed(
            _l("Only the meeting's organiser or chair can generate its records."), "not_organiser"
        )
    kind = _check_kind(meeting, kind)
    if not meeting.status.allows(Action.RECORDS) or meeting.status is MeetingStatus.CLOSED:
        raise DomainError(_l("The meeting is closed: its records are frozen."), "frozen")
    now = now or utcnow()
    rows = stored(meeting.id, kind)
    saved = []
    for side in SIDES:
        block = blocks.get(side)
        if block is None:
            continue
        values = {k: " ".join(str(block.get(k) or "").split()) for k in _SIGNER_FIELDS}
        if values["authority"] not in AUTHORITIES:
            raise DomainError(
                _l("Choose one of the options in the list."), "bad_authority", field="authority"
            )
        if values["authority"] and not values["principal"]:
            raise DomainError(
                _l("Say whom the signer signs for, e.g. CHỦ TỊCH in KT. CHỦ TỊCH."),
                "principal_required",
                field=f"{side}_principal",
            )
        if not values["position"] or not values["name"]:
            raise DomainError(
                _l("A signer needs a position and a name."),
                "signer_required",
                field=f"{side}_name",
            )
        row = rows.get(side)
        if row is None:
            row = RecordSigner(meeting_id=meeting.id, kind=kind.value, side=side)
            db.session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
        saved.append(row)
    db.session.flush()
    record(
        "records.signers_saved",
        meeting,
        actor=actor,
        now=now,
        data={"kind": kind.value, "signers": {r.side: _signer_data(r) for r in saved}},
    )
    return saved


_SIGNER_FIELDS = ("authority", "principal", "position", "name")


def _signer_data(row: RecordSigner) -> dict:
    return {k: getattr(row, k) for k in _SIGNER_FIELDS}

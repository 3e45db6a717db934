"""Reading records and render jobs, and what a meeting's archive still lacks."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload, undefer

from meetingsec.attendees.models import Attendee
from meetingsec.checklists import services as checklist
from meetingsec.checklists.derived import Figures
from meetingsec.checklists.models import ChecklistItem
from meetingsec.devices.models import Inspection, MeetingDevice, SealCheck, VenueCheck
from meetingsec.documents.models import DocumentCopy, SecretDocument
from meetingsec.documents.queries import meetings_with_lost_copies
from meetingsec.door.models import CheckIn, Deposit, Movement
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident
from meetingsec.meetings.models import Meeting
from meetingsec.records.choices import ACTIVE, KINDS, RecordKind
from meetingsec.records.models import NumberSeries, Record, RecordJob, RecordNumber


def kinds_for(meeting: Meeting, *, lost_copy: bool | None = None) -> list[RecordKind]:
    """The records this meeting produces, in the registry's order (``KINDS``): the device
    and venue records only where there is something to record, the immediate report only
    when a copy was lost. ``lost_copy``: that last fact when the caller read it already
    (``meetings_with_lost_copies``, one query for many meetings)."""
    if lost_copy is None:
        lost_copy = bool(meetings_with_lost_copies([meeting.id]))
    return [kind for kind, entry in KINDS.items() if entry.has(meeting, lost_copy)]


def latest_records(meeting_id: int) -> dict[RecordKind, Record]:
    """The newest version of each kind (without the bytes)."""
    newest = (
        select(Record.kind, func.max(Record.version).label("version"))
        .where(Record.meeting_id == meeting_id)
        .group_by(Record.kind)
        .subquery()
    )
    rows = db.session.scalars(
        select(Record)
        .join(newest, (Record.kind == newest.c.kind) & (Record.version == newest.c.version))
        .where(Record.meeting_id == meeting_id)
    )
    return {RecordKind(r.kind): r for r in rows}


def versions_of(meeting_id: int, kind: RecordKind) -> list[Record]:
    return list(
        db.session.scalars(
            select(Record)
            .where(Record.meeting_id == meeting_id, Record.kind == kind.value)
            .order_by(Record.version.desc())
        )
    )


def get_record(meeting_id: int, kind: RecordKind, version: int | None = None) -> Record | None:
    """A version (the newest when not given), with its bytes."""
    query = (
        select(Record)
        .where(Record.meeting_id == meeting_id, Record.kind == kind.value)
        .options(undefer(Record.data))
        .order_by(Record.version.desc())
        .limit(1)
    )
    if version is not None:
        query = query.where(Record.version == version)
    return db.session.scalar(query)


def frozen(meeting: Meeting, kind: RecordKind) -> Record | None:
    """Once the meeting is closed, the archived version (what was printed) of a record
    that is otherwise rendered on demand."""
    if meeting.status != "closed":
        return None
    return get_record(meeting.id, kind)


def _change_columns(mid) -> list:
    """When each source of the records last changed, as scalar subqueries, for a meeting id
    or a column of them."""
    sources = [
        select(func.max(CheckIn.at)).where(CheckIn.meeting_id == mid),
        select(func.max(Movement.at)).where(Movement.meeting_id == mid),
        select(func.max(Deposit.deposited_at)).where(Deposit.meeting_id == mid),
        select(func.max(Deposit.returned_at)).where(Deposit.meeting_id == mid),
        select(func.max(Deposit.unclaimed_at)).where(Deposit.meeting_id == mid),
        select(func.max(SecretDocument.registered_at)).where(SecretDocument.meeting_id == mid),
        select(func.max(DocumentCopy.handed_out_at)).where(DocumentCopy.meeting_id == mid),
        select(func.max(DocumentCopy.recovered_at)).where(DocumentCopy.meeting_id == mid),
        select(func.max(Incident.at)).where(Incident.meeting_id == mid),
        select(func.max(ChecklistItem.marked_at)).where(ChecklistItem.meeting_id == mid),
        select(func.max(Inspection.at)).join(MeetingDevice).where(MeetingDevice.meeting_id == mid),
        select(func.max(SealCheck.at)).join(MeetingDevice).where(MeetingDevice.meeting_id == mid),
        select(func.max(VenueCheck.at)).where(VenueCheck.meeting_id == mid),
    ]
    return [s.scalar_subquery() for s in sources]


def last_changes(meetings: list[Meeting]) -> dict[int, datetime | None]:
    """When anything the records show last changed, per meeting: the end of the session,
    an entry, an exit, a deposit or its return, a copy handed out or recovered, an
    incident, a seal check, an inspection, a checklist mark. One query for all."""
    if not meetings:
        return {}
    rows = db.session.execute(
        select(Meeting.id, *_change_columns(Meeting.id)).where(
            Meeting.id.in_([m.id for m in meetings])
        )
    )
    found = {meeting_id: times for meeting_id, *times in rows}
    out = {}
    for meeting in meetings:
        times = [t for t in (*found[meeting.id], meeting.ended_at) if t is not None]
        out[meeting.id] = max(times) if times else None
    return out


def _generated_at(meeting_ids: list[int]) -> dict[int, dict[RecordKind, datetime]]:
    """When the newest version of each record of each meeting was generated. One query."""
    if not meeting_ids:
        return {}
    newest = (
        select(Record.meeting_id, Record.kind, func.max(Record.version).label("version"))
        .where(Record.meeting_id.in_(meeting_ids))
        .group_by(Record.meeting_id, Record.kind)
        .subquery()
    )
    rows = db.session.execute(
        select(Record.meeting_id, Record.kind, Record.generated_at).join(
            newest,
            (Record.meeting_id == newest.c.meeting_id)
            & (Record.kind == newest.c.kind)
            & (Record.version == newest.c.version),
        )
    )
    out: dict[int, dict[RecordKind, datetime]] = {}
    for meeting_id, kind, at in rows:
        out.setdefault(meeting_id, {})[RecordKind(kind)] = at
    return out


def missing_records_by_meeting(meetings: list[Meeting]) -> dict[int, list[RecordKind]]:
    """The records not generated since the session ended and the last change, per meeting;
    the closing summary, which lists the others' fingerprints, must come after all of
    them. Two queries for all (none while no session has ended); each meeting's devices
    and venue checks loaded (``kinds_for``)."""
    ended = [m for m in meetings if m.ended_at is not None]
    generated = _generated_at([m.id for m in ended])
    changed = last_changes(ended)
    lost = meetings_with_lost_copies([m.id for m in meetings])
    return {
        m.id: _missing(m, generated.get(m.id, {}), changed[m.id], m.id in lost)
        if m.ended_at is not None
        else kinds_for(m, lost_copy=m.id in lost)
        for m in meetings
    }


def missing_records(meeting: Meeting) -> list[RecordKind]:
    """``missing_records_by_meeting`` of one meeting."""
    return missing_records_by_meeting([meeting])[meeting.id]


def evaluate_checklist(meeting: Meeting) -> list:
    """The meeting's checklist evaluated now (``checklists.services.evaluate``), with the
    rule "records made" answered here: the checklist is below the records, and is given
    the ones missing."""
    figures = Figures(meeting, missing_records=missing_records(meeting))
    return checklist.evaluate(meeting, figures)


def readiness_by_meeting(meetings: list[Meeting]) -> dict[int, dict]:
    """``checklists.services.readiness_by_meeting`` of a page of meetings, with the records
    missing of each."""
    return checklist.readiness_by_meeting(meetings, missing_records_by_meeting(meetings))


def _missing(
    meeting: Meeting, generated: dict[RecordKind, datetime], changed, lost_copy: bool
) -> list:
    missing, newest = [], None
    for kind in kinds_for(meeting, lost_copy=lost_copy):
        at = generated.get(kind)
        if kind is RecordKind.CLOSING:
            if at is None or missing or (newest and at < newest) or at < changed:
                missing.append(kind)
            continue
        if at is None or at < changed:
            missing.append(kind)
        else:
            newest = max(newest or at, at)
    return missing


def active_jobs(meeting_id: int) -> dict[RecordKind, RecordJob]:
    rows = db.session.scalars(
        select(RecordJob)
        .where(RecordJob.meeting_id == meeting_id, RecordJob.state.in_([s.value for s in ACTIVE]))
        .order_by(RecordJob.id)
    )
    return {RecordKind(j.kind): j for j in rows}


def active_job(meeting_id: int, kind: RecordKind) -> RecordJob | None:
    return active_jobs(meeting_id).get(kind)


def get_job(meeting_id: int, job_id: int) -> RecordJob | None:
    return db.session.scalar(
        select(RecordJob).where(RecordJob.id == job_id, RecordJob.meeting_id == meeting_id)
    )


def workbook_rows(meeting_id: int) -> tuple[list[Attendee], list[Deposit], list[MeetingDevice]]:
    """The meeting's people with their check-ins, its deposits and its devices with their
    inspections, each in a fixed number of queries (the .xlsx export)."""
    people = db.session.scalars(
        select(Attendee)
        .where(Attendee.meeting_id == meeting_id)
        .options(selectinload(Attendee.check_in))
        .order_by(Attendee.id)
    )
    deposits = db.session.scalars(
        select(Deposit).where(Deposit.meeting_id == meeting_id).order_by(Deposit.slot)
    )
    devices = db.session.scalars(
        select(MeetingDevice)
        .where(MeetingDevice.meeting_id == meeting_id)
        .order_by(MeetingDevice.id)
    )
    return list(people), list(deposits), list(devices)


def record_number(meeting_id: int, kind: RecordKind) -> RecordNumber | None:
    """The number the meeting's record of ``kind`` was given (None before it was asked
    for: a preview)."""
    return db.session.scalar(
        select(RecordNumber).where(
            RecordNumber.meeting_id == meeting_id, RecordNumber.kind == kind.value
        )
    )


def number_series() -> dict[RecordKind, NumberSeries]:
    """Every kind's number series, as set (an unsaved default for a kind never numbered)."""
    rows = {r.kind: r for r in db.session.scalars(select(NumberSeries))}
    return {
        kind: rows.get(kind.value)
        or NumberSeries(kind=kind.value, symbol=kind.entry.symbol, year=0, next_number=1)
        for kind in RecordKind
    }


def signers_of(meeting: Meeting, kind: RecordKind) -> list:
    """The record's two signature blocks as it would print them now (its builder's)."""
    _template, context = kind.entry.build(meeting)
    return context["signers"]

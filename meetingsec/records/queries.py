"""Reading records and render jobs, and what a meeting's archive still lacks."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload, undefer

from meetingsec.attendees.models import Attendee
from meetingsec.checklists.models import ChecklistItem
from meetingsec.devices.models import Inspection, MeetingDevice, SealCheck, VenueCheck
from meetingsec.documents.models import DocumentCopy, SecretDocument
from meetingsec.door.models import CheckIn, Deposit, Movement
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident
from meetingsec.meetings.models import Meeting
from meetingsec.records.choices import ACTIVE, KINDS, RecordKind
from meetingsec.records.models import NumberSeries, Record, RecordJob, RecordNumber


def kinds_for(meeting: Meeting) -> list[RecordKind]:
    """The records this meeting produces, in the registry's order (``KINDS``): the device
    and venue records only where there is something to record."""
    return [kind for kind, entry in KINDS.items() if entry.has(meeting)]


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


def last_change_at(meeting: Meeting) -> datetime | None:
    """When anything the records show last changed: the end of the session, an entry, an
    exit, a deposit or its return, a copy handed out or recovered, an incident, a seal
    check, an inspection, a checklist mark. One query."""
    mid = meeting.id
    device_ids = select(MeetingDevice.id).where(MeetingDevice.meeting_id == mid)
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
        select(func.max(Inspection.at)).where(Inspection.meeting_device_id.in_(device_ids)),
        select(func.max(SealCheck.at)).where(SealCheck.meeting_device_id.in_(device_ids)),
        select(func.max(VenueCheck.at)).where(VenueCheck.meeting_id == mid),
    ]
    row = db.session.execute(select(*(s.scalar_subquery() for s in sources))).one()
    times = [t for t in (*row, meeting.ended_at) if t is not None]
    return max(times) if times else None


def missing_records(meeting: Meeting) -> list[RecordKind]:
    """The records not generated since the session ended and the last change; the closing
    summary, which lists the others' fingerprints, must come after all of them."""
    if meeting.ended_at is None:
        return kinds_for(meeting)
    latest = latest_records(meeting.id)
    changed = last_change_at(meeting)
    missing, newest = [], None
    for kind in kinds_for(meeting):
        r = latest.get(kind)
        if kind is RecordKind.CLOSING:
            if (
                r is None
                or missing
                or (newest and r.generated_at < newest)
                or r.generated_at < changed
            ):
                missing.append(kind)
            continue
        if r is None or r.generated_at < changed:
            missing.append(kind)
        else:
            newest = max(newest or r.generated_at, r.generated_at)
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

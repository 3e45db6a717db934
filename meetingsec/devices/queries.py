"""Reading the registry."""

from sqlalchemy import exists, func, inspect, or_, select
from sqlalchemy.orm.attributes import set_committed_value

from meetingsec.core.text import like_escaped
from meetingsec.devices.models import Device, Inspection, MeetingDevice, SealCheck, VenueCheck
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import FINAL
from meetingsec.meetings.models import Meeting


def list_devices(*, q: str = "", page: int = 1, per_page: int = 50):
    stmt = select(Device).order_by(Device.active.desc(), Device.kind, Device.id)
    if q:
        like = f"%{q.replace('%', '').replace('_', '')}%"
        stmt = stmt.where(
            or_(
                Device.make.ilike(like),
                Device.model.ilike(like),
                Device.serial.ilike(like),
                Device.tag_code.ilike(like),
                Device.notes.ilike(like),
            )
        )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def devices_by_ids(ids) -> list[Device]:
    return list(db.session.scalars(select(Device).where(Device.id.in_(ids)).order_by(Device.id)))


def active_devices() -> list[Device]:
    return list(
        db.session.scalars(
            select(Device).where(Device.active.is_(True)).order_by(Device.kind, Device.id)
        )
    )


def get_meeting_device(meeting_id: int, md_id: int) -> MeetingDevice | None:
    """One device of a meeting (not the meeting's whole list: a scan opens one card)."""
    return db.session.scalar(
        select(MeetingDevice).where(
            MeetingDevice.id == md_id, MeetingDevice.meeting_id == meeting_id
        )
    )


def list_open_meetings_using(device_id: int) -> list[Meeting]:
    """The meetings that are not over (closed or cancelled) with this device on their list."""
    return list(
        db.session.scalars(
            select(Meeting)
            .join(MeetingDevice, MeetingDevice.meeting_id == Meeting.id)
            .where(MeetingDevice.device_id == device_id, Meeting.status.not_in(FINAL))
        )
    )


def is_device_tag(code: str) -> bool:
    """Some registry device's tag carries this code (the door names a wrong scan)."""
    return db.session.scalar(select(Device.tag_code).where(Device.tag_code == code)) is not None


def load_devices(meeting: Meeting) -> list[MeetingDevice]:
    """The meeting's devices, each with its device, inspections and seal checks, set on
    ``meeting.devices`` for its pages and records."""
    devices = list(
        db.session.scalars(
            select(MeetingDevice)
            .where(MeetingDevice.meeting_id == meeting.id)
            .order_by(MeetingDevice.id)
        )
    )
    set_committed_value(meeting, "devices", devices)
    return devices


def devices_of(meeting: Meeting) -> list[MeetingDevice]:
    """``meeting.devices``, read once (``load_devices``) when not loaded yet: the
    relationship never loads on access."""
    if meeting.id is not None and "devices" in inspect(meeting).unloaded:
        load_devices(meeting)
    return meeting.devices  # the collection itself: what is appended to it is saved


def _latest(column):
    """``column`` of the device's latest inspection (``MeetingDevice.latest_inspection``)."""
    return (
        select(column)
        .where(Inspection.meeting_device_id == MeetingDevice.id)
        .order_by(Inspection.id.desc())
        .limit(1)
        .correlate(MeetingDevice)
        .scalar_subquery()
    )


def _seal_broken():
    """``MeetingDevice.seal_broken``, as SQL."""
    return (_latest(Inspection.result) == "pass") & exists().where(
        SealCheck.meeting_device_id == MeetingDevice.id,
        SealCheck.ok.is_(False),
        SealCheck.at >= _latest(Inspection.at),
    )


#: What the meeting's device list shows (``show``): every device, or those in one state
#: (``MeetingDevice.state``, as SQL: must change with it)
DEVICES_SHOWN = {
    "attention": lambda: (
        MeetingDevice.withdrawn_at.is_(None)
        & ((_latest(Inspection.result) == "fail") | _seal_broken())
    ),
    "not_inspected": lambda: (
        MeetingDevice.withdrawn_at.is_(None)
        & ~exists().where(Inspection.meeting_device_id == MeetingDevice.id)
    ),
    "installed": lambda: (
        MeetingDevice.withdrawn_at.is_(None) & MeetingDevice.installed_at.is_not(None)
    ),
    "withdrawn": lambda: MeetingDevice.withdrawn_at.is_not(None),
}


def devices_page(meeting_id: int, *, page: int, q: str = "", show: str = "", per_page: int = 50):
    """The meeting's devices in the order they were added, a page at a time: only those whose
    make, model, serial or tag contain ``q`` and in the state ``show`` (``DEVICES_SHOWN``)."""
    query = (
        select(MeetingDevice)
        .join(MeetingDevice.device)
        .where(MeetingDevice.meeting_id == meeting_id)
        .order_by(MeetingDevice.id)
    )
    q = q.strip()
    if q:
        like = "%" + like_escaped(q) + "%"
        query = query.where(
            or_(
                *(
                    column.ilike(like, escape="\\")
                    for column in (Device.make, Device.model, Device.serial, Device.tag_code)
                )
            )
        )
    if show in DEVICES_SHOWN:
        query = query.where(DEVICES_SHOWN[show]())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def count_needing_action(meeting_id: int) -> int:
    """How many of the meeting's devices failed or have a broken seal (and are not withdrawn)."""
    return db.session.scalar(
        select(func.count())
        .select_from(MeetingDevice)
        .where(MeetingDevice.meeting_id == meeting_id, DEVICES_SHOWN["attention"]())
    )


def needing_action(meeting: Meeting) -> list[MeetingDevice]:
    """The devices of ``meeting`` (loaded) that failed or whose seal was found broken, and
    are still on its list: the gate names them, in red, with what to do."""
    return [d for d in devices_of(meeting) if d.state.is_bad]


def bad_states(device_ids: list[int]) -> dict[int, MeetingDevice]:
    """For registry devices: the device's place on the list of a meeting not over (closed
    or cancelled) where it failed or its seal was found broken, by device id."""
    if not device_ids:
        return {}
    rows = db.session.scalars(
        select(MeetingDevice)
        .join(Meeting, Meeting.id == MeetingDevice.meeting_id)
        .where(
            MeetingDevice.device_id.in_(device_ids),
            MeetingDevice.withdrawn_at.is_(None),
            Meeting.status.not_in(FINAL),
        )
        .order_by(MeetingDevice.id)
    )
    return {md.device_id: md for md in rows if md.state.is_bad}


def load_venue_checks(meeting: Meeting) -> list[VenueCheck]:
    """The meeting's venue checks, each with its technician, set on
    ``meeting.venue_checks``."""
    checks = list(
        db.session.scalars(
            select(VenueCheck).where(VenueCheck.meeting_id == meeting.id).order_by(VenueCheck.id)
        )
    )
    set_committed_value(meeting, "venue_checks", checks)
    return checks


def venue_checks_of(meeting: Meeting) -> list[VenueCheck]:
    """``meeting.venue_checks``, read once (``load_venue_checks``) when not loaded yet."""
    if meeting.id is not None and "venue_checks" in inspect(meeting).unloaded:
        load_venue_checks(meeting)
    return meeting.venue_checks  # the collection itself: what is appended to it is saved

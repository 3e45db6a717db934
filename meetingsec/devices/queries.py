"""Reading the registry."""

from sqlalchemy import or_, select
from sqlalchemy.orm.attributes import set_committed_value

from meetingsec.devices.models import Device, MeetingDevice, VenueCheck
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


def needing_action(meeting: Meeting) -> list[MeetingDevice]:
    """The devices of ``meeting`` (loaded) that failed or whose seal was found broken, and
    are still on its list: the gate names them, in red, with what to do."""
    return [d for d in meeting.devices if d.state.is_bad]


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

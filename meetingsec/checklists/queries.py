"""Reading a meeting's checklist: its items, and its readiness for a page of meetings."""

from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from meetingsec.checklists.models import ChecklistItem
from meetingsec.devices.models import MeetingDevice
from meetingsec.extensions import db
from meetingsec.meetings.models import Meeting
from meetingsec.users.models import User


def items_of(meeting) -> list[ChecklistItem]:
    """The meeting's items with who marked each, in one query when they are not loaded yet
    (their relationships raise rather than load behind a template's back)."""
    if meeting.id is not None and "items" in inspect(meeting).unloaded:
        rows = db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.meeting_id == meeting.id)
            .options(joinedload(ChecklistItem.marked_by))
        )
        set_committed_value(meeting, "items", list(rows))
    items = meeting.items
    missing = {
        i.marked_by_id
        for i in items
        if i.marked_by_id is not None and "marked_by" in inspect(i).unloaded
    }
    if missing:
        people = db.session.scalars(select(User).where(User.id.in_(missing)))
        by_id = {u.id: u for u in people}
        for item in items:
            if item.marked_by_id in by_id and "marked_by" in inspect(item).unloaded:
                set_committed_value(item, "marked_by", by_id[item.marked_by_id])
    return items


def checklist_loads() -> list:
    """What evaluating a meeting's checklist reads, loaded with the meetings."""
    devices = selectinload(Meeting.devices)
    return [
        selectinload(Meeting.items),
        selectinload(Meeting.venue_checks),
        devices.selectinload(MeetingDevice.inspections),
        devices.selectinload(MeetingDevice.seal_checks),
    ]

"""Reading meetings: lists for each role's home, choices for the meeting form."""

from datetime import date, datetime, time, timedelta

from flask_babel import get_timezone
from sqlalchemy import inspect, select
from sqlalchemy.orm.attributes import set_committed_value

from meetingsec.extensions import db
from meetingsec.meetings.access import visible_to
from meetingsec.meetings.lifecycle import Action, MeetingStatus, statuses
from meetingsec.meetings.models import Meeting, MeetingMember
from meetingsec.org.models import Unit, Venue
from meetingsec.users.models import User, UserRole
from meetingsec.users.roles import Role


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=get_timezone())


def member_of(user, role: str):
    return Meeting.id.in_(
        select(MeetingMember.meeting_id).where(
            MeetingMember.user_id == user.id, MeetingMember.role == role
        )
    )


def home_condition(user, role: Role, today: date):
    """What each role has to do (issue: "each role's home shows what it has to do")."""
    if role is Role.ORGANISER:
        return Meeting.organiser_id == user.id
    if role is Role.CHAIR:
        return (Meeting.chair_id == user.id) & Meeting.status.in_(
            statuses(Action.APPROVE) + statuses(Action.CLEAR)
        )
    if role is Role.TECHNICIAN:
        # Devices and venues are checked from the draft until the meeting is cleared.
        return member_of(user, "technician") & Meeting.status.in_(statuses(Action.CHECK))
    if role is Role.CLERK:
        return (
            member_of(user, "clerk")
            & (Meeting.starts_at < _local_midnight(today + timedelta(days=1)))
            & (Meeting.ends_at >= _local_midnight(today))
            & (Meeting.status != MeetingStatus.CANCELLED)
        )
    return visible_to(user)


def list_meetings(
    user,
    *,
    role: Role | None = None,
    today: date | None = None,
    status: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = 20,
    loads: tuple = (),
):
    """A page of the meetings ``user`` may see, with ``loads`` (what the page will read,
    e.g. ``checklists.queries.checklist_loads()``) loaded with them."""
    stmt = select(Meeting).where(visible_to(user)).order_by(Meeting.starts_at).options(*loads)
    if role is not None:
        stmt = stmt.where(home_condition(user, role, today))
    if status:
        stmt = stmt.where(Meeting.status == status)
    if date_from:
        stmt = stmt.where(Meeting.starts_at >= _local_midnight(date_from))
    if date_to:
        stmt = stmt.where(Meeting.starts_at < _local_midnight(date_to + timedelta(days=1)))
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def load_people(meeting: Meeting) -> None:
    """The meeting's chair, organiser and team members' users, in one query, for its page
    (none when they are loaded already: the relationships never load on access)."""
    unloaded = inspect(meeting).unloaded
    if (
        "chair" not in unloaded
        and "organiser" not in unloaded
        and all("user" not in inspect(m).unloaded for m in meeting.members)
    ):
        return
    ids = {meeting.chair_id, meeting.organiser_id} | {m.user_id for m in meeting.members}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
    set_committed_value(meeting, "chair", users[meeting.chair_id])
    set_committed_value(meeting, "organiser", users[meeting.organiser_id])
    for member in meeting.members:
        set_committed_value(member, "user", users[member.user_id])


def form_choices():
    """Active venues, units and people with each role, for the meeting form."""
    venues = list(
        db.session.scalars(select(Venue).where(Venue.active.is_(True)).order_by(Venue.name))
    )
    units = list(db.session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)))

    def people(role: Role):
        return list(
            db.session.scalars(
                select(User)
                .join(UserRole)
                .where(UserRole.role == role.value, User.active.is_(True))
                .order_by(User.full_name)
            )
        )

    return {
        "venues": venues,
        "units": units,
        "chairs": people(Role.CHAIR),
        "technicians": people(Role.TECHNICIAN),
        "clerks": people(Role.CLERK),
    }

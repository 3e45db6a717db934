"""Figures for the home pages, and each role's to-do: the meetings where the person has
something to do now, with the step as a button."""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from meetingsec.audit.models import AuditEvent
from meetingsec.documents import queries as documents
from meetingsec.door import queries as door
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import FINAL, Action, MeetingStatus, statuses
from meetingsec.meetings.models import Meeting
from meetingsec.meetings.queries import home_condition, member_of
from meetingsec.org.models import Unit, Venue
from meetingsec.users.models import User
from meetingsec.users.roles import Role


def admin_counts() -> dict[str, int]:
    def count(model, *where):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return {
        "users": count(User, User.active.is_(True)),
        "units": count(Unit, Unit.active.is_(True)),
        "venues": count(Venue, Venue.active.is_(True)),
    }


def latest_events(limit: int = 10) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)))


# -- to-do -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One thing to do on a meeting: a button to the page that does it (``endpoint`` with
    the meeting's id, ``anchor`` appended), or a form posting there (``post``)."""

    label: str
    endpoint: str
    post: bool = False
    anchor: str = ""


@dataclass(frozen=True)
class Task:
    meeting: Meeting
    steps: tuple[Step, ...]
    #: What happens next on this meeting, in words (the organiser's card)
    next_step: str = ""


_APPROVE = Step(_l("Approve the secret content"), "meetings.approve")
_CLEAR = Step(_l("Gate: cleared to start?"), "meetings.gate")
_START = Step(_l("Start the session"), "meetings.start", post=True)
_END = Step(_l("End the session"), "meetings.end", post=True)
_CLOSE = Step(_l("Close the meeting"), "records.closing")
_INSPECT = Step(_l("Inspect devices"), "devices.inspection")
_VENUE = Step(_l("Venue security check"), "devices.venue_check")
_DOOR = Step(_l("Open the door"), "door.index")
_RECOVER = Step(_l("Recover documents"), "documents.recover")
_RETURNS = Step(_l("Hand back deposited items"), "door.returns")
_ATTENDEES = Step(_l("Attendee list"), "attendees.index")
_CHECKLIST = Step(_l("Checklist"), "meetings.detail")
_CLOSING = Step(_l("Closing out"), "records.closing")


def _list_changes(n: int) -> Step:
    return Step(_l("Approve %(n)d list change(s)", n=n), "attendees.index", anchor="pending-title")


def _chair(m: Meeting, counters, copies) -> list[Step]:
    s = m.status
    steps = []
    if s.allows(Action.APPROVE):
        steps.append(_APPROVE)
    changes = counters.pending + counters.removals
    if changes and s.allows(Action.LIST):
        steps.append(_list_changes(changes))
    for action, step in (
        (Action.CLEAR, _CLEAR),
        (Action.START, _START),
        (Action.END, _END),
        (Action.CLOSE, _CLOSE),
    ):
        if s.allows(action):
            steps.append(step)
    return steps


def _technician(m: Meeting, counters, copies) -> list[Step]:
    if not m.status.allows(Action.CHECK):
        return []
    return [_INSPECT] + ([] if m.venue.at_hq else [_VENUE])


def _clerk(m: Meeting, counters, copies) -> list[Step]:
    s = m.status
    steps = [_DOOR] if s.allows(Action.DOOR) else []
    if copies.outstanding and s.allows(Action.RECOVER):
        steps.append(_RECOVER)
    if counters.held and s.allows(Action.CLOSE):
        steps.append(_RETURNS)
    return steps


def _organiser(m: Meeting, counters, copies) -> tuple[list[Step], str]:
    """The organiser's next step on a meeting, said in words, and where it is done."""
    s = m.status
    changes = counters.pending + counters.removals
    if s is MeetingStatus.DRAFT:
        return [_ATTENDEES, _CHECKLIST], _l(
            "Next: the chair approves the secret content. Meanwhile prepare the attendee "
            "list, the devices and the checklist."
        )
    if s is MeetingStatus.PREPARING:
        if changes:
            return [_ATTENDEES], _l(
                "Next: the chair approves %(n)d change(s) of the attendee list.", n=changes
            )
        return [_CHECKLIST], _l(
            "Next: complete the checklist; then the chair declares the meeting cleared to start."
        )
    if s is MeetingStatus.CLEARED:
        return [_ATTENDEES], _l(
            "Cleared: the door checks people in; next, the chair starts the session."
        )
    if s is MeetingStatus.IN_SESSION:
        return [_END, _CHECKLIST], _l("In session: next, the chair or you end the session.")
    # closing
    steps = [_CLOSING] + ([_RECOVER] if copies.outstanding else [])
    return steps, _l(
        "Next: close out: %(copies)d copies and %(items)d deposited items are still out; "
        "generate the records, then close.",
        copies=copies.outstanding,
        items=counters.held,
    )


def _condition(user, role: Role, today: date):
    """The meetings a role may have something to do on (the steps then say what)."""
    if role is Role.ORGANISER:
        return Meeting.organiser_id == user.id
    if role is Role.CHAIR:
        return Meeting.chair_id == user.id
    if role is Role.CLERK:
        # today's meetings, and those closing out (copies and deposits to take back)
        return home_condition(user, role, today) | (
            member_of(user, "clerk") & Meeting.status.in_(statuses(Action.CLOSE))
        )
    return home_condition(user, role, today)


def to_do(user, role: Role, today: date) -> list[Task]:
    """The meetings where ``user``, in ``role``, has something to do now, soonest first,
    each with its steps (what the meeting's status allows, ``meetings.lifecycle``). Three
    queries whatever the number of meetings: no checklist is evaluated here."""
    if role not in (Role.ORGANISER, Role.CHAIR, Role.TECHNICIAN, Role.CLERK):
        return []
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .where(_condition(user, role, today), Meeting.status.not_in(FINAL))
            .order_by(Meeting.starts_at)
        )
    )
    ids = [m.id for m in meetings]
    counters = door.counters_by_meeting(ids)
    copies = documents.copy_counts_by_meeting(ids)
    tasks = []
    for m in meetings:
        note = ""
        if role is Role.ORGANISER:
            steps, note = _organiser(m, counters[m.id], copies[m.id])
        else:
            steps = {Role.CHAIR: _chair, Role.TECHNICIAN: _technician, Role.CLERK: _clerk}[role](
                m, counters[m.id], copies[m.id]
            )
        if steps:
            tasks.append(Task(m, tuple(steps), note))
    return tasks

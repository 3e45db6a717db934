"""Who may see a meeting, and what each person may do and read on it.

A meeting is seen by its organiser, chair and team, administrators and auditors. On a
meeting's pages, a route's roles (``core.auth.roles``) are the roles the person plays *on
that meeting* (``meeting_roles``): holding the organiser role for one meeting gives nothing
on another one where one is a technician. Reaching another meeting (say, by changing the id
in the address), or a page of a role one does not play on it, is refused and audited.

What each role may read or download of a meeting is ``READERS``: the README's "Roles"
section has the same table (change them together). Every download is audited by
``log_download``.
"""

from collections.abc import Callable
from enum import StrEnum

from flask import abort, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, exists, or_, select, true
from sqlalchemy.orm import joinedload

from meetingsec.audit.services import record
from meetingsec.core.auth import access_rule
from meetingsec.core.db import begin_writing, built_once
from meetingsec.core.errors import NotAllowed
from meetingsec.core.i18n import local_date
from meetingsec.core.transactions import commit
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.models import Meeting, MeetingMember
from meetingsec.users.roles import Role

_SEE_ALL = {Role.ADMIN, Role.AUDITOR}


def responsible_ids(meeting: Meeting, role: Role) -> set[int]:
    if role is Role.ORGANISER:
        return {meeting.organiser_id}
    if role is Role.CHAIR:
        return {meeting.chair_id}
    return meeting.member_ids(role.value)


def is_on_team(user, meeting: Meeting) -> bool:
    """The meeting's organiser, its chair, or a technician or clerk of its team."""
    return user.id in (meeting.organiser_id, meeting.chair_id) or any(
        m.user_id == user.id for m in meeting.members
    )


def can_view(user, meeting: Meeting) -> bool:
    return bool(user.role_set & _SEE_ALL) or is_on_team(user, meeting)


def meeting_roles(user, meeting: Meeting) -> frozenset[Role]:
    """The roles ``user`` plays on this meeting: its organiser, its chair, a technician or
    clerk of its team, and auditor or administrator (played on every meeting). A role
    counts only while the user holds it."""
    plays = set(user.role_set & _SEE_ALL)
    if user.id == meeting.organiser_id:
        plays.add(Role.ORGANISER)
    if user.id == meeting.chair_id:
        plays.add(Role.CHAIR)
    plays.update(Role(m.role) for m in meeting.members if m.user_id == user.id)
    return frozenset(plays & user.role_set)


def visible_to(user):
    """SQL condition: the meetings ``user`` may see."""
    if user.role_set & _SEE_ALL:
        return true()
    return or_(
        Meeting.organiser_id == user.id,
        Meeting.chair_id == user.id,
        exists(
            select(MeetingMember.meeting_id).where(
                MeetingMember.meeting_id == Meeting.id, MeetingMember.user_id == user.id
            )
        ),
    )


@built_once
def _with_members():
    # with its members in the same statement: the access check reads them
    return (
        select(Meeting)
        .where(Meeting.id == bindparam("meeting_id"))
        .options(joinedload(Meeting.members))
    )


def get_meeting_for(user, meeting_id: int) -> Meeting:
    """The meeting, or 404; 403 (audited) when ``user`` may not see it, or does not play
    on it one of the roles the page's access rule names."""
    if db.session.identity_key(Meeting, meeting_id) in db.session.identity_map:
        meeting = db.session.get(Meeting, meeting_id, options=[joinedload(Meeting.members)])
    else:  # the first read of the request
        meeting = db.session.scalars(_with_members(), {"meeting_id": meeting_id}).unique().first()
    if meeting is None:
        abort(404)
    rule = access_rule(request.endpoint)
    needed = rule.roles if rule is not None else None
    if not can_view(user, meeting) or (needed and not needed & meeting_roles(user, meeting)):
        begin_writing(db.session)
        db.session.rollback()
        record("meeting.access_denied", meeting, actor=user, data={"page": request.endpoint})
        db.session.commit()
        abort(403)
    return meeting


# -- reading and downloading -------------------------------------------------------------------


class Reading(StrEnum):
    """A file that leaves the app, beyond what the pages show."""

    #: The stored records (attendance sheet, security record, closing summary, …)
    RECORDS = "records"
    #: The .xlsx export of the meeting's data
    EXPORT = "export"
    #: The device inspection record and the venue check record
    DEVICE_RECORDS = "device_records"
    #: Invitations: each carries the attendee's entry QR code
    INVITATIONS = "invitations"
    #: QR labels of the secret documents' copies
    COPY_LABELS = "copy_labels"
    #: Claim tickets of the devices deposited at the door
    CLAIM_TICKETS = "claim_tickets"
    #: QR labels of registry devices (not a meeting's: the owner unit's, devices.services)
    DEVICE_LABELS = "device_labels"

    @property
    def action(self) -> str:
        """The audit event a download leaves."""
        return _ACTIONS.get(self, f"{self.value}.downloaded")


_ACTIONS = {
    Reading.RECORDS: "record.downloaded",
    Reading.DEVICE_RECORDS: "record.downloaded",
    Reading.EXPORT: "meeting.exported",
}

#: Who reads each file of a meeting: the roles played on that meeting (``meeting_roles``).
#: The README's "Roles" table says the same; routes take their role rule from here.
READERS: dict[Reading, frozenset[Role]] = {
    Reading.RECORDS: frozenset({Role.ORGANISER, Role.CHAIR, Role.AUDITOR}),
    Reading.EXPORT: frozenset({Role.ORGANISER, Role.CHAIR, Role.AUDITOR}),
    Reading.DEVICE_RECORDS: frozenset(
        {Role.ORGANISER, Role.CHAIR, Role.TECHNICIAN, Role.AUDITOR, Role.ADMIN}
    ),
    Reading.INVITATIONS: frozenset({Role.ORGANISER}),
    Reading.COPY_LABELS: frozenset({Role.ORGANISER, Role.AUDITOR}),
    Reading.CLAIM_TICKETS: frozenset({Role.CLERK}),
}


def may_read(user, meeting: Meeting, what: Reading) -> bool:
    return bool(READERS.get(what, frozenset()) & meeting_roles(user, meeting))


def readable(user, meeting: Meeting) -> dict[str, bool]:
    """What ``user`` may download of this meeting, for the pages to offer it."""
    plays = meeting_roles(user, meeting)
    return {what.value: bool(roles & plays) for what, roles in READERS.items()}


def require_reading(user, meeting: Meeting, what: Reading) -> None:
    if not may_read(user, meeting, what):
        raise NotAllowed(_l("Your role on this meeting does not give you this file."), "not_reader")


def log_download(what: Reading, obj=None, *, actor, data: dict | None = None) -> None:
    """The audit event of a file leaving the app, in the caller's transaction: every
    download of a record, an invitation, labels or an export goes through here."""
    record(what.action, obj, actor=actor, data={"file": what.value, **(data or {})})


def open_download(meeting: Meeting, what: Reading, *, actor, obj=None, data=None) -> None:
    """A file of this meeting leaves the app: refused unless ``actor`` reads it (``READERS``),
    audited otherwise (in the caller's transaction)."""
    require_reading(actor, meeting, what)
    data = {"meeting_id": meeting.id, **(data or {})}
    log_download(what, meeting if obj is None else obj, actor=actor, data=data)


def audited_file(
    meeting: Meeting, what: Reading, render: Callable[[], bytes], *, actor, obj=None, data=None
) -> bytes:
    """For a view: the file ``render`` makes, once ``actor`` is known to read it, with its
    download audited and committed before it is sent. A refused person costs no rendering
    (NotAllowed: a 403 page), and no write lock is held while it renders."""
    require_reading(actor, meeting, what)
    content = render()
    commit(lambda: open_download(meeting, what, actor=actor, obj=obj, data=data))
    return content


def allowed_actions(user, meeting: Meeting, views) -> dict:
    """What ``user`` may do on this meeting now, for the page to offer (services check
    again when it is done)."""

    status = meeting.status
    plays = meeting_roles(user, meeting)
    is_chair, is_organiser = user.id == meeting.chair_id, user.id == meeting.organiser_id
    return {
        "edit": is_organiser and status.allows(Action.EDIT),
        "approve": is_chair and status.allows(Action.APPROVE),
        "decide": is_chair and status.allows(Action.EDIT) and meeting.classification == "mat",
        "clear": is_chair and status.allows(Action.CLEAR),
        "start": is_chair and status.allows(Action.START),
        "end": (is_chair or is_organiser) and status.allows(Action.END),
        "cancel": (is_chair or is_organiser) and status.allows(Action.CANCEL),
        "inspect": Role.TECHNICIAN in plays,
        # a meeting of several days: its room sealed each evening (meetings.room_seals)
        "seal_room": (is_organiser or Role.TECHNICIAN in plays)
        and local_date(meeting.starts_at) != local_date(meeting.ends_at),
        "door": Role.CLERK in plays,
        "records": may_read(user, meeting, Reading.RECORDS),
        "read": readable(user, meeting),
        "mark": {
            v.rule.id
            for v in views
            if v.is_manual
            and user.id in responsible_ids(meeting, v.rule.who)
            and status.allows(Action.mark(v.rule.phase))
        },
    }

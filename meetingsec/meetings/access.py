"""Who may see a meeting: its organiser, chair and team, administrators and auditors.

Reaching another meeting (say, by changing the id in the address) is refused and audited.
"""

from flask import abort
from sqlalchemy import exists, or_, select, true

from meetingsec.audit.services import record
from meetingsec.checklists.services import MARKABLE, responsible_ids
from meetingsec.core.db import begin_writing
from meetingsec.extensions import db
from meetingsec.meetings.choices import CANCELLABLE, EDITABLE, MeetingStatus
from meetingsec.meetings.models import Meeting, MeetingMember
from meetingsec.users.roles import Role

_SEE_ALL = {Role.ADMIN, Role.AUDITOR}


def can_view(user, meeting: Meeting) -> bool:
    return (
        bool(user.role_set & _SEE_ALL)
        or user.id in (meeting.organiser_id, meeting.chair_id)
        or any(m.user_id == user.id for m in meeting.members)
    )


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


def get_meeting_for(user, meeting_id: int) -> Meeting:
    """The meeting, or 404; 403 (audited) when ``user`` may not see it."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if not can_view(user, meeting):
        begin_writing(db.session)
        db.session.rollback()
        record("meeting.access_denied", meeting, actor=user)
        db.session.commit()
        abort(403)
    return meeting


def allowed_actions(user, meeting: Meeting, views) -> dict:
    """What ``user`` may do on this meeting now, for the page to offer (services check
    again when it is done)."""

    status = MeetingStatus(meeting.status)
    is_chair, is_organiser = user.id == meeting.chair_id, user.id == meeting.organiser_id
    return {
        "edit": is_organiser and status in EDITABLE,
        "approve": is_chair and status is MeetingStatus.DRAFT,
        "decide": is_chair and status in EDITABLE and meeting.classification == "mat",
        "clear": is_chair and status is MeetingStatus.PREPARING,
        "start": is_chair and status is MeetingStatus.CLEARED,
        "end": (is_chair or is_organiser) and status is MeetingStatus.IN_SESSION,
        "cancel": (is_chair or is_organiser) and status in CANCELLABLE,
        "inspect": user.id in meeting.member_ids("technician") and user.has_role(Role.TECHNICIAN),
        "door": user.id in meeting.member_ids("clerk") and user.has_role(Role.CLERK),
        "records": is_chair or is_organiser or user.has_role(Role.AUDITOR),
        "mark": {
            v.rule.id
            for v in views
            if v.is_manual
            and user.id in responsible_ids(meeting, v.rule.who)
            and status in MARKABLE[v.rule.phase]
        },
    }

"""Meetings from draft to closing. Every function validates, changes, audits (same
transaction) and flushes; the caller commits. The checklist is re-derived after a change,
and the two gates (clearing, closing) are passed, by ``workflows.services``, above the
checklist."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from meetingsec.audit.services import record
from meetingsec.core.changes import apply_changes
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.core.i18n import local_date
from meetingsec.extensions import db
from meetingsec.legal.choices import Classification
from meetingsec.legal.rules import ruleset_for, rulesets
from meetingsec.meetings.choices import DevicePolicy
from meetingsec.meetings.lifecycle import Action, MeetingStatus
from meetingsec.meetings.models import Meeting, MeetingMember
from meetingsec.users.roles import Role

if TYPE_CHECKING:
    from meetingsec.users.models import User


@dataclass
class MeetingData:
    """What an organiser enters for a meeting."""

    title: str
    kind: str
    classification: str
    format: str
    starts_at: datetime
    ends_at: datetime
    venue: object
    host_unit: object
    chair: object
    technicians: list = field(default_factory=list)
    clerks: list = field(default_factory=list)
    recording_planned: bool = False
    #: The door asks for the citizen identity card (always at Tuyệt mật)
    identity_check: bool = False
    #: The invitations carry the secret content: numbered copies, recovered (default: no)
    invitations_secret: bool = False
    foreign_participation: bool = False
    #: The written consent to foreign participation: who gave it, its number and date
    foreign_consent_by: str = ""
    foreign_consent_number: str = ""
    foreign_consent_date: date | None = None


def _validate(data: MeetingData, *, now: datetime, start_changed: bool) -> None:
    if data.ends_at <= data.starts_at:
        raise DomainError(
            _l("The end must come after the start."), "end_before_start", field="ends_at"
        )
    if start_changed and data.starts_at < now:
        raise DomainError(
            _l("A new meeting cannot start in the past."), "start_in_past", field="starts_at"
        )
    consent = (data.foreign_consent_by, data.foreign_consent_number, data.foreign_consent_date)
    if data.foreign_participation and any(consent) and not all(consent):
        raise DomainError(
            _l("Record who gave the written consent, its number and its date, or none of them."),
            "consent_incomplete",
            field="foreign_consent_by",
        )
    if data.foreign_consent_date and data.foreign_consent_date > local_date(now):
        raise DomainError(
            _l("The consent's date cannot be in the future."),
            "future_date",
            field="foreign_consent_date",
        )
    if not data.venue.active:
        raise DomainError(_l("This venue is no longer in use."), "venue_inactive", field="venue_id")
    if not (data.chair.active and data.chair.has_role(Role.CHAIR)):
        raise DomainError(
            _l("The chair must be an active user with the chair role."),
            "bad_chair",
            field="chair_id",
        )
    for users, role, name in (
        (data.technicians, Role.TECHNICIAN, "technician_ids"),
        (data.clerks, Role.CLERK, "clerk_ids"),
    ):
        if any(not (u.active and u.has_role(role)) for u in users):
            raise DomainError(
                _l("Everyone chosen here must be an active user with this role."),
                "bad_member",
                field=name,
            )


def _values(data: MeetingData) -> dict:
    ruleset = ruleset_for(local_date(data.starts_at))
    foreign = data.foreign_participation
    return {
        "title": data.title,
        "kind": data.kind,
        "classification": data.classification,
        "format": data.format,
        "starts_at": data.starts_at,
        "ends_at": data.ends_at,
        "venue_id": data.venue.id,
        "host_unit_id": data.host_unit.id,
        "chair_id": data.chair.id,
        "recording_planned": data.recording_planned,
        "identity_check": data.identity_check,
        "invitations_secret": data.invitations_secret,
        "foreign_participation": data.foreign_participation,
        # the consent is kept only while foreign parties attend
        "foreign_consent_by": (data.foreign_consent_by or None) if foreign else None,
        "foreign_consent_number": (data.foreign_consent_number or None) if foreign else None,
        "foreign_consent_date": data.foreign_consent_date if foreign else None,
        "ruleset_id": ruleset.id,
        "ruleset_version": ruleset.version,
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _set_team(meeting: Meeting, data: MeetingData) -> dict | None:
    wanted = {(u.id, "technician") for u in data.technicians} | {
        (u.id, "clerk") for u in data.clerks
    }
    have = {(m.user_id, m.role): m for m in meeting.members}
    if set(have) == wanted:
        return None
    for key in set(have) - wanted:
        meeting.members.remove(have[key])
    for user_id, role in sorted(wanted - set(have)):
        meeting.members.append(MeetingMember(user_id=user_id, role=role))
    return {"team": [sorted(map(list, have)), sorted(map(list, wanted))]}


def create_meeting(data: MeetingData, *, actor: "User", now: datetime | None = None) -> Meeting:
    """An organiser creates a meeting (its checklist: ``workflows.services.create_meeting``)."""
    now = now or utcnow()
    _validate(data, now=now, start_changed=True)
    values = _values(data)
    meeting = Meeting(**values, organiser_id=actor.id, status=MeetingStatus.DRAFT, created_at=now)
    db.session.add(meeting)
    _set_team(meeting, data)
    db.session.flush()
    db.session.refresh(meeting, ["venue"])
    record(
        "meeting.created",
        meeting,
        actor=actor,
        now=now,
        data={
            **{k: v for k, v in values.items() if k not in ("starts_at", "ends_at")},
            "foreign_consent_date": _iso(values["foreign_consent_date"]),
            "starts_at": data.starts_at.isoformat(),
            "ends_at": data.ends_at.isoformat(),
            "technicians": [u.id for u in data.technicians],
            "clerks": [u.id for u in data.clerks],
        },
    )
    return meeting


def _check_version(meeting: Meeting, version: int | None) -> None:
    if version != meeting.version:
        raise DomainError(
            _l(
                "Someone else saved this meeting after you opened it. Your "
                "changes were not saved: reload the page to see theirs."
            ),
            "stale_version",
        )


def update_meeting(
    meeting: Meeting,
    data: MeetingData,
    *,
    actor: "User",
    version: int | None,
    now: datetime | None = None,
) -> Meeting:
    """The organiser changes a meeting (draft or preparing). ``version`` is the version the
    form was built from: a save based on an older one is refused, nothing is overwritten."""
    if actor.id != meeting.organiser_id:
        raise NotAllowed(_l("Only the meeting's organiser can change it."), "not_organiser")
    if not meeting.status.allows(Action.EDIT):
        raise DomainError(_l("The meeting can no longer be changed at this stage."), "not_editable")
    _check_version(meeting, version)
    now = now or utcnow()
    _validate(data, now=now, start_changed=data.starts_at != meeting.starts_at)
    changed = apply_changes(meeting, _values(data))
    team = _set_team(meeting, data)
    if team:
        changed.update(team)
    if not changed:
        return meeting
    for key in ("starts_at", "ends_at", "foreign_consent_date"):
        if key in changed:
            changed[key] = [_iso(v) for v in changed[key]]
    # version_id_col moves the version on when the meeting's row is updated; a change of the
    # team alone updates only meeting_members, so the version is moved on here (once: the
    # mapper keeps a version set by hand), and a form built before it is stale
    meeting.version += 1
    db.session.flush()
    db.session.refresh(meeting, ["venue"])
    record("meeting.updated", meeting, actor=actor, now=now, data=changed)
    return meeting


def require_chair(meeting: Meeting, actor: "User") -> None:
    if actor.id != meeting.chair_id:
        raise NotAllowed(_l("Only the meeting's chair can do this."), "not_chair")


def transition(meeting: Meeting, to: MeetingStatus, *, actor: "User", now, action: str, data=None):
    """The meeting moves to ``to``, audited under ``action``. Only the services of a step
    call it: clearing and closing only ``workflows.services``, behind their gates."""
    old = meeting.status
    meeting.status = to
    record(
        action,
        meeting,
        actor=actor,
        now=now,
        data={"status": [old.value, to.value], **(data or {})},
    )


def approve_meeting(
    meeting: Meeting,
    *,
    actor: "User",
    approver_name: str,
    approver_position: str,
    approval_number: str,
    approval_date: date,
    now: datetime | None = None,
) -> Meeting:
    """The chair records the competent person's approval of the secret content."""
    require_chair(meeting, actor)
    if not meeting.status.allows(Action.APPROVE):
        raise DomainError(_l("This meeting has already been approved."), "already_approved")
    now = now or utcnow()
    if approval_date > local_date(now):
        raise DomainError(
            _l("The approval date cannot be in the future."), "future_date", field="approval_date"
        )
    meeting.approver_name, meeting.approver_position = approver_name, approver_position
    meeting.approval_number, meeting.approval_date = approval_number, approval_date
    meeting.approved_at, meeting.approved_by_id = now, actor.id
    transition(
        meeting,
        MeetingStatus.PREPARING,
        actor=actor,
        now=now,
        action="meeting.approved",
        data={
            "approver_name": approver_name,
            "approver_position": approver_position,
            "approval_number": approval_number,
            "approval_date": approval_date.isoformat(),
        },
    )
    return meeting


def decide_devices(
    meeting: Meeting, *, actor: "User", policy: str, now: datetime | None = None
) -> Meeting:
    """For a Mật meeting the chair decides whether attendees keep or deposit devices."""
    require_chair(meeting, actor)
    if meeting.classification != Classification.MAT.value:
        raise DomainError(
            _l("Devices are always deposited at Tối mật and Tuyệt mật meetings."), "not_mat"
        )
    if not meeting.status.allows(Action.EDIT):
        raise DomainError(
            _l("The decision can no longer be changed at this stage."), "not_editable"
        )
    policy = DevicePolicy(policy).value
    if meeting.device_policy != policy:
        record(
            "meeting.device_decision",
            meeting,
            actor=actor,
            now=now,
            data={"device_policy": [meeting.device_policy, policy]},
        )
        meeting.device_policy = policy
    return meeting


def start_session(meeting: Meeting, *, actor: "User", now: datetime | None = None) -> Meeting:
    require_chair(meeting, actor)
    if not meeting.status.allows(Action.START):
        raise DomainError(_l("Only a meeting cleared to start can start."), "not_cleared")
    now = now or utcnow()
    meeting.started_at = now
    transition(meeting, MeetingStatus.IN_SESSION, actor=actor, now=now, action="meeting.started")
    return meeting


def end_session(meeting: Meeting, *, actor: "User", now: datetime | None = None) -> Meeting:
    if actor.id not in (meeting.chair_id, meeting.organiser_id):
        raise NotAllowed(_l("Only the chair or the organiser can end the session."), "not_chair")
    if not meeting.status.allows(Action.END):
        raise DomainError(_l("The meeting is not in session."), "not_in_session")
    now = now or utcnow()
    meeting.ended_at = now
    transition(meeting, MeetingStatus.CLOSING, actor=actor, now=now, action="meeting.ended")
    return meeting


def cancel_meeting(
    meeting: Meeting, *, actor: "User", reason: str, now: datetime | None = None
) -> Meeting:
    if actor.id not in (meeting.chair_id, meeting.organiser_id):
        raise NotAllowed(
            _l("Only the chair or the organiser can cancel the meeting."), "not_allowed"
        )
    if not meeting.status.allows(Action.CANCEL):
        raise DomainError(
            _l("A meeting can only be cancelled before its session."), "not_cancellable"
        )
    now = now or utcnow()
    meeting.cancelled_at, meeting.cancel_reason = now, reason
    transition(
        meeting,
        MeetingStatus.CANCELLED,
        actor=actor,
        now=now,
        action="meeting.cancelled",
        data={"reason": reason},
    )
    return meeting


def ruleset_title(meeting: Meeting, locale: str) -> str:
    rs = rulesets()[meeting.ruleset_id]
    return rs.title.get(locale) or rs.title["vi"]

"""Where a change meets the checklist, in one transaction and by explicit calls: the change
(a service of the package below), then the checklist re-derived where the facts its rules
depend on changed (a meeting created or edited, the meeting's first deposit at the door,
its first document), and the two gates, clearing and closing, which only these functions
pass. Routes call these; the services below never call the checklist upwards.

A new fact a rule depends on: read it in ``checklists.services.facts_of`` and re-derive
here, after the service that changes it; or, where the re-derivation must come before
that service's own audit event (as at the door and for documents), give the service
``_rederive`` to call at the point the fact became true.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l

from meetingsec.checklists import services as checklist
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.documents import invitations
from meetingsec.documents import services as documents
from meetingsec.documents.models import SecretDocument
from meetingsec.door import entry
from meetingsec.door.models import CheckIn, Movement
from meetingsec.legal.choices import Phase
from meetingsec.meetings import services as meetings
from meetingsec.meetings.lifecycle import Action, MeetingStatus
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting
from meetingsec.records.queries import evaluate_checklist

if TYPE_CHECKING:
    from meetingsec.attendees.models import Attendee
    from meetingsec.users.models import User


# -- the meeting ------------------------------------------------------------------------------


def create_meeting(
    data: meetings.MeetingData, *, actor: "User", now: datetime | None = None
) -> Meeting:
    """An organiser creates a meeting; its checklist is generated at once."""
    now = now or utcnow()
    meeting = meetings.create_meeting(data, actor=actor, now=now)
    checklist.sync_items(meeting, actor=actor, now=now)
    return meeting


def update_meeting(
    meeting: Meeting,
    data: meetings.MeetingData,
    *,
    actor: "User",
    version: int | None,
    now: datetime | None = None,
) -> Meeting:
    """The organiser changes a meeting (``meetings.services.update_meeting``); a change to
    what the rules depend on (``checklists.services.FACT_FIELDS``) regenerates the
    checklist."""
    now = now or utcnow()
    facts = checklist.fact_values(meeting)
    meetings.update_meeting(meeting, data, actor=actor, version=version, now=now)
    if checklist.fact_values(meeting) != facts:
        checklist.sync_items(meeting, actor=actor, now=now)
    return meeting


def _require_gate(meeting: Meeting, phase: Phase, message) -> None:
    """A gate, checked at this moment whatever the page showed: nothing of ``phase`` may
    block. ``message(n, first)`` says how many items block and the first one's reason."""
    blocking = checklist.blockers(evaluate_checklist(meeting), phase)
    if blocking:
        raise DomainError(message(len(blocking), blocking[0].reason or ""), "blocked")


def clear_meeting(meeting: Meeting, *, actor: "User", now: datetime | None = None) -> Meeting:
    """Gate 1: the chair declares the meeting cleared to start. The gate is checked again
    here, at this moment, whatever the page showed."""
    meetings.require_chair(meeting, actor)
    if not meeting.status.allows(Action.CLEAR):
        raise DomainError(
            _l("Only an approved meeting in preparation can be cleared."), "not_preparing"
        )
    _require_gate(
        meeting,
        Phase.BEFORE,
        lambda n, first: _l(
            "Not cleared: %(n)d item(s) still block the start. %(first)s", n=n, first=first
        ),
    )
    now = now or utcnow()
    meeting.cleared_at = now
    meetings.transition(
        meeting, MeetingStatus.CLEARED, actor=actor, now=now, action="meeting.cleared"
    )
    return meeting


def close_meeting(meeting: Meeting, *, actor: "User", now: datetime | None = None) -> Meeting:
    """Gate 2: the chair or the organiser closes the meeting once nothing blocks it (every
    copy recovered or reported lost, every deposit returned or recorded unclaimed, the
    records generated after the last change), checked again here. A closed meeting is
    read-only and its records are frozen."""
    if actor.id not in (meeting.chair_id, meeting.organiser_id):
        raise NotAllowed(_l("Only the chair or the organiser can close the meeting."), "not_chair")
    lock_meeting(meeting)
    if not meeting.status.allows(Action.CLOSE):
        raise DomainError(
            _l("Only a meeting whose session has ended can be closed."), "not_closing"
        )
    _require_gate(
        meeting,
        Phase.AFTER,
        lambda n, first: _l(
            "Not closed: %(n)d item(s) still block closing. %(first)s", n=n, first=first
        ),
    )
    now = now or utcnow()
    meeting.closed_at = now
    meetings.transition(
        meeting, MeetingStatus.CLOSED, actor=actor, now=now, action="meeting.closed"
    )
    return meeting


# -- the door and the documents --------------------------------------------------------------


def _rederive(meeting: Meeting, *, actor: "User"):
    """The checklist re-derived at a given time: what a service below is given to call when
    its change made a fact the rules depend on true (the meeting's first deposit, its first
    document), at that point of its transaction (its own audit event comes after)."""
    return lambda now: checklist.sync_items(meeting, actor=actor, now=now)


def check_in(meeting: Meeting, code: str, *, actor: "User", **kw) -> CheckIn:
    """An attendee checks in at the door (``door.entry.check_in``, same arguments); the
    meeting's first deposit brings the rules on returning devices into the checklist."""
    rederive = _rederive(meeting, actor=actor)
    return entry.check_in(meeting, code, actor=actor, on_first_deposit=rederive, **kw)


def reenter(meeting: Meeting, attendee: "Attendee", *, actor: "User", **kw) -> Movement:
    """An attendee comes back in (``door.entry.reenter``, same arguments): devices declared
    again may be the meeting's first deposit, as at check-in."""
    rederive = _rederive(meeting, actor=actor)
    return entry.reenter(meeting, attendee, actor=actor, on_first_deposit=rederive, **kw)


def register_document(meeting: Meeting, *, actor: "User", **kw) -> SecretDocument:
    """A secret document registered (``documents.services.register_document``, same
    arguments); the meeting's first brings the rules on copy control into the checklist."""
    rederive = _rederive(meeting, actor=actor)
    return documents.register_document(meeting, actor=actor, on_first_document=rederive, **kw)


def issue_invitations(
    meeting: Meeting,
    attendees: list["Attendee"],
    *,
    actor: "User",
    now: datetime | None = None,
) -> dict:
    """Invitations printed (``documents.invitations.issue_invitations``): numbered ones are
    registered as a document, which may be the meeting's first."""
    return invitations.issue_invitations(
        meeting,
        attendees,
        actor=actor,
        now=now,
        on_first_document=_rederive(meeting, actor=actor),
    )

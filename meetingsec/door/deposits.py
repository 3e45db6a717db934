"""Deposited devices leaving the door: handed back to their owner (who leaves), or, at
closing, recorded as unclaimed."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.attendees.models import Attendee
from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.core.i18n import clock
from meetingsec.door.entry import _deposit_data, _exit
from meetingsec.door.models import Deposit
from meetingsec.door.queries import is_inside
from meetingsec.door.services import AlreadyDone, _require, _require_clerk, require_desk
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting
from meetingsec.users.models import User


def return_items(
    meeting: Meeting,
    attendee: Attendee,
    *,
    actor: "User",
    key: str,
    deposit_ids: list[int],
    now=None,
) -> list[Deposit]:
    """Hand deposited items back to their owner; the owner leaves (an exit is recorded)."""
    _require_clerk(meeting, actor)
    if not deposit_ids:
        raise DomainError(
            _l("Choose the items handed back."), "nothing_chosen", field="deposit_ids"
        )
    lock_meeting(meeting)
    _require(meeting, Action.EXIT, _l("The door is closed for this meeting."))
    done = list(
        db.session.scalars(select(Deposit).where(Deposit.return_key == key).order_by(Deposit.slot))
    )
    if done:
        return done
    items = list(
        db.session.scalars(
            select(Deposit)
            .where(Deposit.id.in_(deposit_ids), Deposit.attendee_id == attendee.id)
            .order_by(Deposit.slot)
            .execution_options(populate_existing=True)  # as they are now, under the lock
        )
    )
    if len(items) != len(set(deposit_ids)):
        raise DomainError(_l("Choose the items handed back."), "not_owner", field="deposit_ids")
    returned = [d for d in items if d.returned_at is not None]
    if returned:
        first = returned[0]
        raise AlreadyDone(
            _l(
                "Already handed back at %(time)s by %(clerk)s.",
                time=clock(first.returned_at),
                clerk=db.session.get(User, first.returned_by_id).full_name,
            ),
            "already_returned",
        )
    now = now or utcnow()
    for d in items:
        d.returned_at, d.returned_by_id, d.return_key = now, actor.id, key
        d.unclaimed_at = d.unclaimed_by_id = None  # the owner came back for it after all
    record(
        "door.returned",
        attendee,
        actor=actor,
        now=now,
        data={"meeting_id": meeting.id, "deposits": _deposit_data(items)},
    )
    if is_inside(attendee):
        _exit(meeting, attendee, actor=actor, key=key, now=now)
    return items


def record_unclaimed(
    meeting: Meeting, *, actor: "User", deposit_ids: list[int], note: str, now=None
) -> list[Deposit]:
    """At closing, items nobody came back for are recorded as unclaimed (where they are
    kept is the note): the door's account is then complete. Their owner can still get
    them back later, which is recorded as a return."""
    require_desk(meeting, actor)
    lock_meeting(meeting)
    _require(
        meeting,
        Action.CLOSE,
        _l("Items are recorded unclaimed once the session has ended."),
    )
    if not deposit_ids:
        raise DomainError(
            _l("Choose the items left behind."), "nothing_chosen", field="deposit_ids"
        )
    items = list(
        db.session.scalars(
            select(Deposit)
            .where(
                Deposit.id.in_(deposit_ids),
                Deposit.meeting_id == meeting.id,
                Deposit.returned_at.is_(None),
                Deposit.unclaimed_at.is_(None),
            )
            .order_by(Deposit.slot)
            .execution_options(populate_existing=True)
        )
    )
    if len(items) != len(set(deposit_ids)):
        raise AlreadyDone(
            _l("Some of these items were handed back or recorded meanwhile: check the list."),
            "changed",
        )
    now = now or utcnow()
    for d in items:
        d.unclaimed_at, d.unclaimed_by_id, d.unclaimed_note = now, actor.id, note
    record(
        "door.unclaimed",
        meeting,
        actor=actor,
        now=now,
        data={"deposits": _deposit_data(items), "note": note},
    )
    return items

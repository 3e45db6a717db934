"""Entering and leaving: check-in (devices deposited or none, the commitment signed),
exit, re-entry, and a refusal of someone not on the approved list."""

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from meetingsec.attendees.models import Attendee
from meetingsec.audit.services import record
from meetingsec.core import codes
from meetingsec.core.db import built_once, utcnow
from meetingsec.core.errors import DomainError
from meetingsec.core.i18n import clock
from meetingsec.door import signature as signatures
from meetingsec.door.choices import MAX_ITEMS, DepositKind
from meetingsec.door.commitment import sha256, signed_commitment
from meetingsec.door.models import CheckIn, Deposit, Movement
from meetingsec.door.queries import check_in_of, is_inside, unreturned
from meetingsec.door.services import (
    AlreadyDone,
    _require,
    _require_clerk,
    deposits_required,
    find_attendee,
)
from meetingsec.extensions import db
from meetingsec.incidents import queries as incidents
from meetingsec.incidents.models import Incident
from meetingsec.incidents.services import record_incident
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting

if TYPE_CHECKING:
    from meetingsec.users.models import User


def _already_in(check_in: CheckIn) -> AlreadyDone:
    return AlreadyDone(
        _l(
            "Already checked in at %(time)s by %(clerk)s.",
            time=clock(check_in.at),
            clerk=check_in.clerk.full_name,
        ),
        "already_checked_in",
    )


def _check_devices(meeting: Meeting, items: dict[str, int], carries_none: bool) -> list[str]:
    kinds = []
    for kind, n in items.items():
        DepositKind(kind)
        kinds += [kind] * n
    if len(kinds) > MAX_ITEMS:
        raise DomainError(
            _l("At most %(n)d items per person.", n=MAX_ITEMS), "too_many", field="devices"
        )
    if not deposits_required(meeting):
        if kinds:
            raise DomainError(
                _l("The chair allows attendees to keep their devices at this meeting."),
                "no_deposit",
                field="devices",
            )
        return []
    if kinds and carries_none:
        raise DomainError(
            _l('Either record the devices deposited, or "carries none": not both.'),
            "contradiction",
            field="devices",
        )
    if not kinds and not carries_none:
        raise DomainError(
            _l('Record each device deposited, or choose "carries none".'),
            "devices_undeclared",
            field="devices",
        )
    return kinds


@built_once
def _last_slot():
    return select(func.coalesce(func.max(Deposit.slot), 0)).where(
        Deposit.meeting_id == bindparam("meeting_id")
    )


@built_once
def _check_in_by_key():
    return (
        select(CheckIn).where(CheckIn.key == bindparam("key")).options(joinedload(CheckIn.attendee))
    )


#: Called with the time when a write made the meeting's first deposit: the rules on
#: returning devices apply from then on, and the caller above re-derives the checklist
#: (``workflows.services``, which passes it; the door does not call the checklist itself)
OnFirstDeposit = Callable[[datetime], None]


def _deposit(
    meeting: Meeting,
    attendee: Attendee,
    kinds: list[str],
    *,
    actor: "User",
    now,
    on_first_deposit: OnFirstDeposit,
    slot: int | None = None,
):
    """``slot``: the meeting's last slot, when the caller read it already."""
    if not kinds:
        return []
    if slot is None:
        slot = _slot_before(meeting)
    first = slot == 0
    fresh = set()
    while len(fresh) < len(kinds):  # 50 random bits each: the unique index guards the rest
        fresh.add(codes.new_code())
    items = [
        Deposit(
            meeting_id=meeting.id,
            attendee_id=attendee.id,
            kind=kind,
            claim_code=code,
            slot=slot + i,
            deposited_at=now,
            deposited_by_id=actor.id,
        )
        for i, (kind, code) in enumerate(zip(kinds, sorted(fresh), strict=False), start=1)
    ]
    db.session.add_all(items)
    if first:
        db.session.flush()
        on_first_deposit(now)  # "devices returned" now applies
    return items


def _slot_before(meeting: Meeting) -> int:
    """The meeting's last slot given (0: none yet); read under the meeting's lock."""
    return db.session.scalar(_last_slot(), {"meeting_id": meeting.id})


def _deposit_data(items: list[Deposit]) -> list[dict]:
    return [{"kind": d.kind, "slot": d.slot, "claim_code": d.claim_code} for d in items]


def _admissible(meeting: Meeting, code: str) -> Attendee:
    """The attendee whose invitation was scanned, if they may check in now."""
    attendee = find_attendee(meeting, code)  # read under the lock: judged one after the other
    if not attendee.admitted:
        raise DomainError(_l("This person is not on the approved list."), "not_admitted")
    done = check_in_of(attendee)
    if done is not None:
        raise _already_in(done)
    return attendee


def check_in(
    meeting: Meeting,
    code: str,
    *,
    actor: "User",
    key: str,
    items: dict[str, int],
    carries_none: bool,
    signature: str,
    commitment_sha256: str,
    on_first_deposit: OnFirstDeposit,
    now: datetime | None = None,
) -> CheckIn:
    """Check in the attendee whose invitation code was scanned: devices deposited (or
    none), commitment signed. One request: the lookup by code, the record, its audit."""
    _require_clerk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.DOOR, _l("The door is not open: the meeting is not cleared to start."))
    # The key is read under the lock: a retry waits for its first try and finds its record
    done = db.session.scalar(_check_in_by_key(), {"key": key})
    if done is not None and done.attendee.invitation_code == codes.normalize(code):
        return done
    if done is not None:
        raise DomainError(_l("The form expired. Reload the page and try again."), "key_reused")
    attendee = _admissible(meeting, code)
    kinds = _check_devices(meeting, items, carries_none)
    commitment = signed_commitment(meeting, commitment_sha256)
    drawn = signatures.parse(signature)
    now = now or utcnow()
    # read before the check-in is added: one flush then writes it with its deposits
    slot = _slot_before(meeting) if kinds else None
    entry = CheckIn(
        meeting_id=meeting.id,
        attendee=attendee,  # also sets attendee.check_in in this session
        clerk_id=actor.id,
        at=now,
        key=key,
        commitment_id=commitment.id,
        commitment_sha256=commitment.sha256,
        signature_strokes=signatures.dumps(drawn),
        signature_png=signatures.flatten(drawn),
        carries_none=carries_none and not kinds,
    )
    db.session.add(entry)
    deposited = _deposit(
        meeting,
        attendee,
        kinds,
        actor=actor,
        now=now,
        on_first_deposit=on_first_deposit,
        slot=slot,
    )
    record(
        "door.checked_in",
        entry,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "attendee_id": attendee.id,
            "full_name": attendee.full_name,
            "deposits": _deposit_data(deposited),
            "carries_none": entry.carries_none,
            "commitment_sha256": commitment.sha256,
            "signature_sha256": sha256(entry.signature_strokes),
        },
    )
    return entry


def _movement_done(key: str, attendee: Attendee, kind: str) -> Movement | None:
    done = db.session.scalar(select(Movement).where(Movement.key == key))
    if done is not None and (done.attendee_id, done.kind) != (attendee.id, kind):
        raise DomainError(_l("The form expired. Reload the page and try again."), "key_reused")
    return done


def leave(meeting: Meeting, attendee: Attendee, *, actor: "User", key: str, now=None) -> Movement:
    """The attendee steps out; deposited devices stay deposited."""
    _require_clerk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.EXIT, _l("The door is closed for this meeting."))
    done = _movement_done(key, attendee, "exit")
    if done is not None:
        return done
    return _exit(meeting, attendee, actor=actor, key=key, now=now or utcnow())


def _exit(meeting, attendee, *, actor: "User", key, now) -> Movement:
    if not is_inside(attendee):
        raise AlreadyDone(_l("This person is not inside."), "not_inside")
    movement = Movement(
        meeting_id=meeting.id,
        attendee_id=attendee.id,
        kind="exit",
        clerk_id=actor.id,
        at=now,
        key=key,
    )
    db.session.add(movement)
    record(
        "door.exited",
        movement,
        actor=actor,
        now=now,
        data={"meeting_id": meeting.id, "attendee_id": attendee.id},
    )
    return movement


def reenter(
    meeting: Meeting,
    attendee: Attendee,
    *,
    actor: "User",
    key: str,
    items: dict[str, int],
    carries_none: bool,
    on_first_deposit: OnFirstDeposit,
    now=None,
) -> Movement:
    """The attendee comes back in: devices declared again (nothing is signed again)."""
    _require_clerk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.DOOR, _l("The door is not open: the meeting is not cleared to start."))
    done = _movement_done(key, attendee, "entry")
    if done is not None:
        return done
    db.session.refresh(attendee)
    if check_in_of(attendee) is None:
        raise DomainError(_l("This person has not checked in yet."), "not_checked_in")
    if is_inside(attendee):
        raise AlreadyDone(_l("This person is already inside."), "already_inside")
    if not attendee.admitted:
        raise DomainError(_l("This person is not on the approved list."), "not_admitted")
    if unreturned(attendee) and not any(items.values()):
        kinds = []  # what they deposited before is still at the door
    else:
        kinds = _check_devices(meeting, items, carries_none)
    now = now or utcnow()
    movement = Movement(
        meeting_id=meeting.id,
        attendee_id=attendee.id,
        kind="entry",
        clerk_id=actor.id,
        at=now,
        key=key,
        carries_none=carries_none and not kinds,
    )
    db.session.add(movement)
    deposited = _deposit(
        meeting, attendee, kinds, actor=actor, now=now, on_first_deposit=on_first_deposit
    )
    record(
        "door.reentered",
        movement,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "attendee_id": attendee.id,
            "deposits": _deposit_data(deposited),
            "carries_none": movement.carries_none,
        },
    )
    return movement


def refuse(
    meeting: Meeting,
    *,
    actor: "User",
    key: str,
    name: str,
    unit: str,
    reason: str,
    attendee: Attendee | None = None,
    now=None,
) -> Incident:
    """Someone not on the approved list was turned away: an incident."""
    _require_clerk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.DOOR, _l("The door is not open: the meeting is not cleared to start."))
    done = incidents.get_by_key(key)
    if done is not None:
        return done
    if attendee is not None and attendee.admitted:
        raise DomainError(
            _l("This person is on the approved list: check them in instead."), "admitted"
        )
    attendee_id = attendee.id if attendee else None
    return record_incident(
        meeting,
        actor=actor,
        kind="entry_refused",
        description=reason,
        person_name=name,
        person_unit=unit,
        attendee_id=attendee_id,
        key=key,
        action="door.refused",
        data={
            "meeting_id": meeting.id,
            "name": name,
            "unit": unit,
            "reason": reason,
            "attendee_id": attendee_id,
        },
        now=now,
    )

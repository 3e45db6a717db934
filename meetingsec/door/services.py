"""The door's state changes: check-in, refusal, exit, re-entry, return of deposits, and the
agency's commitment text.

Every recording function takes a key made on the tablet (``key``/``nonce``): a double tap,
or a request retried after the Wi-Fi dropped, finds the first record instead of writing a
second one. The meeting's row is locked first (PostgreSQL; SQLite serialises writers), so
two tablets scanning the same invitation at once are judged one after the other: one
checks the person in, the other is told "already checked in".
"""

import hashlib
from datetime import datetime

from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from meetingsec.attendees.models import Attendee
from meetingsec.audit.services import record
from meetingsec.checklists import services as checklist
from meetingsec.core import codes
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.core.i18n import to_local
from meetingsec.devices.models import Device, Incident
from meetingsec.door import signature as signatures
from meetingsec.door.choices import MAX_ITEMS, DepositKind
from meetingsec.door.models import CheckIn, CommitmentText, Deposit, Movement
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting

DEFAULT_COMMITMENT = (
    "Tôi cam kết chấp hành nghiêm các quy định về bảo vệ bí mật nhà nước và yêu cầu của "
    "người chủ trì hội nghị, hội thảo, cuộc họp (khoản 3 Điều 17 Luật Bảo vệ bí mật nhà nước "
    "năm 2018); không mang vào phòng họp thiết bị có tính năng thu, phát tin, ghi âm, ghi "
    "hình khi chưa được phép (điểm b khoản 2 Điều 6 Nghị định số 26/2020/NĐ-CP); không ghi "
    "âm, ghi hình, sao chụp, tiết lộ nội dung bí mật nhà nước trái phép; nộp lại đầy đủ tài "
    "liệu mang bí mật nhà nước được phát khi kết thúc. Nếu vi phạm, tôi xin chịu trách nhiệm "
    "trước pháp luật."
)


class AlreadyDone(DomainError):
    """The person was already checked in (or the item returned) by someone else."""


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# -- the commitment text ---------------------------------------------------------------------


def _current_row() -> CommitmentText | None:
    return db.session.scalar(
        select(CommitmentText)
        .order_by(CommitmentText.created_at.desc(), CommitmentText.id.desc())
        .limit(1)
    )


def current_commitment() -> tuple[str, str]:
    """(text, SHA-256) of the commitment attendees sign now."""
    row = _current_row()
    return (row.text, row.sha256) if row else (DEFAULT_COMMITMENT, sha256(DEFAULT_COMMITMENT))


def _commitment_row(text: str) -> CommitmentText:
    digest = sha256(text)
    row = db.session.scalar(select(CommitmentText).where(CommitmentText.sha256 == digest))
    if row is None:
        row = CommitmentText(sha256=digest, text=text)
        db.session.add(row)
        db.session.flush()
    return row


def set_commitment(*, actor, text: str, now: datetime | None = None) -> CommitmentText:
    """An administrator changes the agency's commitment text (audited)."""
    old, old_hash = current_commitment()
    if text == old:
        raise DomainError(_l("The text is unchanged."), "unchanged", field="text")
    # A new text, or an earlier one (signatures may name it: it is kept) made current again
    row = _commitment_row(text)
    row.created_at, row.created_by_id = now or utcnow(), actor.id
    record(
        "door.commitment_changed",
        row,
        actor=actor,
        now=now,
        data={"sha256": [old_hash, row.sha256], "text": text},
    )
    return row


# -- finding people and tickets --------------------------------------------------------------


def normalized(typed: str) -> str:
    code = codes.normalize(typed)
    if code is None:
        raise DomainError(
            _l("This is not a valid code. Check the characters and try again."),
            "bad_code",
            field="code",
        )
    return code


#: What each scan screen reads, for the message naming a code of another kind
_EXPECTED = {
    "invitation": _l("an invitation"),
    "ticket": _l("a claim ticket"),
    "copy": _l("a document copy's label"),
}


def foreign_code(code: str, expected: str):
    """A clear message for a code that exists but is not what this screen reads
    (``expected``: invitation, ticket or copy)."""
    from meetingsec.documents.models import DocumentCopy

    what = _EXPECTED[expected]
    found = (
        ("invitation", Attendee.invitation_code),
        ("ticket", Deposit.claim_code),
        ("copy", DocumentCopy.code),
        ("device", Device.tag_code),
    )
    for kind, column in found:
        if kind != expected and db.session.scalar(select(column).where(column == code)):
            return {
                "invitation": _l("This is an invitation, not %(what)s.", what=what),
                "ticket": _l("This is a claim ticket, not %(what)s.", what=what),
                "copy": _l("This is the label of a document copy, not %(what)s.", what=what),
                "device": _l("This is a device tag, not %(what)s.", what=what),
            }[kind]
    return None


def find_attendee(meeting: Meeting, typed: str) -> Attendee:
    """The attendee whose invitation was scanned or typed, or a clear refusal."""
    code = normalized(typed)
    attendee = db.session.scalar(
        select(Attendee)
        .where(Attendee.invitation_code == code)
        .execution_options(populate_existing=True)  # as it is now, under the check-in's lock
    )
    if attendee is not None and attendee.meeting_id == meeting.id:
        return attendee
    if attendee is not None:
        message = _l("This invitation is for another meeting.")
    else:
        message = foreign_code(code, "invitation") or _l("No invitation has this code.")
    raise DomainError(message, "unknown_code", field="code")


def find_deposit(meeting: Meeting, typed: str) -> Deposit:
    code = normalized(typed)
    deposit = db.session.scalar(select(Deposit).where(Deposit.claim_code == code))
    if deposit is not None and deposit.meeting_id == meeting.id:
        return deposit
    if deposit is not None:
        message = _l("This claim ticket is for another meeting.")
    else:
        message = foreign_code(code, "ticket") or _l("No claim ticket has this code.")
    raise DomainError(message, "unknown_code", field="code")


# -- guards ------------------------------------------------------------------------------------


def _require_clerk(meeting: Meeting, actor) -> None:
    if actor.id not in meeting.member_ids("clerk"):
        raise NotAllowed(
            _l("Only a door clerk on this meeting's team can record this."), "not_clerk"
        )


def is_desk(user, meeting: Meeting) -> bool:
    """The organiser's desk or the door: where deposits and document copies change hands."""
    return user.id == meeting.organiser_id or user.id in meeting.member_ids("clerk")


def require_desk(meeting: Meeting, actor) -> None:
    if not is_desk(actor, meeting):
        raise NotAllowed(
            _l("Only the organiser or a door clerk of this meeting can do this."), "not_desk"
        )


def door_open(meeting: Meeting) -> bool:
    return meeting.status.allows(Action.DOOR)


def exits_open(meeting: Meeting) -> bool:
    return meeting.status.allows(Action.EXIT)


def _require(meeting: Meeting, action: Action, message) -> None:
    if not meeting.status.allows(action):
        raise DomainError(message, "door_closed")


def deposits_required(meeting: Meeting) -> bool:
    """Tối mật and Tuyệt mật: always; Mật: as the chair decided."""
    if meeting.classification in ("toi_mat", "tuyet_mat"):
        return True
    return meeting.device_policy == "deposit"


def when(at: datetime) -> str:
    """A time of day as a clerk reads it: "08:02"."""
    return format_time(to_local(at), "HH:mm")


def _already_in(check_in: CheckIn) -> AlreadyDone:
    return AlreadyDone(
        _l(
            "Already checked in at %(time)s by %(clerk)s.",
            time=when(check_in.at),
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


def _deposit(meeting: Meeting, attendee: Attendee, kinds: list[str], *, actor, now):
    if not kinds:
        return []
    slot = db.session.scalar(
        select(func.coalesce(func.max(Deposit.slot), 0)).where(Deposit.meeting_id == meeting.id)
    )
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
        checklist.sync_items(meeting, actor=actor, now=now)  # "devices returned" now applies
    return items


def _deposit_data(items: list[Deposit]) -> list[dict]:
    return [{"kind": d.kind, "slot": d.slot, "claim_code": d.claim_code} for d in items]


# -- entering ----------------------------------------------------------------------------------


def check_in(
    meeting: Meeting,
    code: str,
    *,
    actor,
    key: str,
    items: dict[str, int],
    carries_none: bool,
    signature: str,
    commitment_sha256: str,
    now: datetime | None = None,
) -> CheckIn:
    """Check in the attendee whose invitation code was scanned: devices deposited (or
    none), commitment signed. One request: the lookup by code, the record, its audit."""
    _require_clerk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.DOOR, _l("The door is not open: the meeting is not cleared to start."))
    # The key is read under the lock: a retry waits for its first try and finds its record
    done = db.session.scalar(select(CheckIn).where(CheckIn.key == key))
    if done is not None and done.attendee.invitation_code == codes.normalize(code):
        return done
    if done is not None:
        raise DomainError(_l("The form expired. Reload the page and try again."), "key_reused")
    attendee = find_attendee(meeting, code)  # read under the lock: judged one after the other
    if not attendee.admitted:
        raise DomainError(_l("This person is not on the approved list."), "not_admitted")
    if attendee.check_in is not None:
        raise _already_in(attendee.check_in)
    kinds = _check_devices(meeting, items, carries_none)
    commitment = _current_row() or _commitment_row(DEFAULT_COMMITMENT)
    if commitment_sha256 != commitment.sha256:
        raise DomainError(
            _l("The commitment text has changed: let the attendee read it again and sign."),
            "commitment_changed",
            field="signature",
        )
    drawn = signatures.parse(signature)
    now = now or utcnow()
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
    deposited = _deposit(meeting, attendee, kinds, actor=actor, now=now)
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


def last_movement(attendee: Attendee) -> Movement | None:
    return db.session.scalar(
        select(Movement)
        .where(Movement.attendee_id == attendee.id)
        .order_by(Movement.id.desc())
        .limit(1)
    )


def is_inside(attendee: Attendee) -> bool:
    if attendee.check_in is None:
        return False
    last = last_movement(attendee)
    return last is None or last.kind == "entry"


def _movement_done(key: str, attendee: Attendee, kind: str) -> Movement | None:
    done = db.session.scalar(select(Movement).where(Movement.key == key))
    if done is not None and (done.attendee_id, done.kind) != (attendee.id, kind):
        raise DomainError(_l("The form expired. Reload the page and try again."), "key_reused")
    return done


def leave(meeting: Meeting, attendee: Attendee, *, actor, key: str, now=None) -> Movement:
    """The attendee steps out; deposited devices stay deposited."""
    _require_clerk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.EXIT, _l("The door is closed for this meeting."))
    done = _movement_done(key, attendee, "exit")
    if done is not None:
        return done
    return _exit(meeting, attendee, actor=actor, key=key, now=now or utcnow())


def _exit(meeting, attendee, *, actor, key, now) -> Movement:
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
    actor,
    key: str,
    items: dict[str, int],
    carries_none: bool,
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
    if attendee.check_in is None:
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
    deposited = _deposit(meeting, attendee, kinds, actor=actor, now=now)
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
    actor,
    nonce: str,
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
    done = db.session.scalar(select(Incident).where(Incident.nonce == nonce))
    if done is not None:
        return done
    if attendee is not None and attendee.admitted:
        raise DomainError(
            _l("This person is on the approved list: check them in instead."), "admitted"
        )
    now = now or utcnow()
    incident = Incident(
        meeting_id=meeting.id,
        kind="entry_refused",
        description=reason,
        person_name=name,
        person_unit=unit,
        attendee_id=attendee.id if attendee else None,
        recorded_by_id=actor.id,
        at=now,
        nonce=nonce,
    )
    db.session.add(incident)
    record(
        "door.refused",
        incident,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "name": name,
            "unit": unit,
            "reason": reason,
            "attendee_id": incident.attendee_id,
        },
    )
    return incident


# -- leaving with one's devices ------------------------------------------------------------------


def unreturned(attendee: Attendee) -> list[Deposit]:
    return list(
        db.session.scalars(
            select(Deposit)
            .where(Deposit.attendee_id == attendee.id, Deposit.returned_at.is_(None))
            .order_by(Deposit.slot)
        )
    )


def return_items(
    meeting: Meeting,
    attendee: Attendee,
    *,
    actor,
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
                time=when(first.returned_at),
                clerk=first.returned_by.full_name,
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
    meeting: Meeting, *, actor, deposit_ids: list[int], note: str, now=None
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

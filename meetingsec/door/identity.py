"""Identity at the door: the citizen identity card (CCCD) scanned after the invitation.

An invitation's QR proves someone holds the invitation, not who they are. The QR on the
front of a chip-based CCCD reads ``ID|old ID|full name|DDMMYYYY birth|sex|address|DDMMYYYY
issue date``; a clerk scans it (camera or keyboard-wedge scanner) or types the 12-digit
number. The card's number must be the one on the list for the invitation just scanned (and
not another attendee's), its name the same once folded. Kept: the result, the ID number
and the time — nothing else of the card (collect the minimum: the address and the date of
birth are read, compared with nothing and dropped)."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.attendees.models import Attendee
from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.core.text import fold
from meetingsec.door.models import IdentityCheck
from meetingsec.door.services import _require, _require_clerk
from meetingsec.extensions import db
from meetingsec.incidents.services import record_incident
from meetingsec.meetings.choices import Classification
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting

if TYPE_CHECKING:
    from meetingsec.incidents.models import Incident
    from meetingsec.users.models import User

_NUMBER = re.compile(r"\d{12}")
_DATE = re.compile(r"\d{8}")
#: What a CCCD's QR can hold at most (its seven fields); anything longer is not one
MAX_LENGTH = 300


@dataclass(frozen=True)
class Card:
    """What the door uses of a scanned card: its number, and its name when the QR gave one."""

    id_number: str
    full_name: str = ""


def parse_card(text: str) -> Card | None:
    """A CCCD's QR (``ID|old ID|name|birth|sex|address|issued``) or a typed 12-digit
    number; None for anything else (an invitation, a tag, a typo)."""
    text = (text or "").strip()
    if _NUMBER.fullmatch(text.replace(" ", "")):
        return Card(text.replace(" ", ""))
    parts = [p.strip() for p in text.split("|")]
    if len(parts) < 6 or not _NUMBER.fullmatch(parts[0]) or not parts[2]:
        return None
    if not _DATE.fullmatch(parts[3]):
        return None
    return Card(parts[0], parts[2])


def looks_like_card(text: str) -> bool:
    return parse_card(text) is not None


def identity_required(meeting: Meeting) -> bool:
    """The door asks for the CCCD: always at Tuyệt mật (ND 26/2020 Điều 6 khoản 3 điểm c,
    rule tm-attendee-screening), at other levels when the organiser chose it."""
    return meeting.classification == Classification.TUYET_MAT or meeting.identity_check


def _holder(meeting: Meeting, id_number: str) -> Attendee | None:
    return db.session.scalar(
        select(Attendee).where(
            Attendee.meeting_id == meeting.id,
            Attendee.id_number == id_number,
            Attendee.removed_at.is_(None),
        )
    )


def _card_of(scanned: str) -> Card:
    card = parse_card(scanned)
    if card is None:
        raise DomainError(
            _l("This is not a citizen identity card: scan the QR code on its front."),
            "not_cccd",
            field="code",
        )
    return card


def find_by_card(meeting: Meeting, scanned: str) -> Attendee:
    """The attendee of ``meeting`` whose ID number is on the card scanned (its QR) or
    typed (its 12 digits), or a clear refusal."""
    card = _card_of(scanned)
    holder = _holder(meeting, card.id_number)
    if holder is None:
        raise DomainError(
            _l("No one on this meeting's list has this citizen identity card number."),
            "unknown_cccd",
            field="code",
        )
    return holder


def identify(
    meeting: Meeting,
    scanned: str,
    *,
    actor: "User",
    key: str,
    now: datetime | None = None,
) -> Attendee:
    """The door's first screen given a card instead of an invitation: its holder found on
    the list by the card's number and, if they may come in, the card checked against them
    at once (the name still compared), so their card opens verified. Someone not admitted
    is only found: their card shows the refusal."""
    holder = find_by_card(meeting, scanned)
    if holder.admitted:
        check_identity(meeting, holder, scanned, actor=actor, key=key, now=now)
    return holder


def check_identity(
    meeting: Meeting,
    attendee: Attendee,
    scanned: str,
    *,
    actor: "User",
    key: str,
    now: datetime | None = None,
) -> IdentityCheck:
    """Compare the card scanned (or typed) with the invitation just scanned, and keep the
    result. A mismatch is kept too: the clerk then refuses entry in one tap."""
    _require_clerk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.DOOR, _l("The door is not open: the meeting is not cleared to start."))
    done = db.session.scalar(select(IdentityCheck).where(IdentityCheck.key == key))
    if done is not None and done.attendee_id == attendee.id:
        return done
    if done is not None:
        raise DomainError(_l("The form expired. Reload the page and try again."), "key_reused")
    card = _card_of(scanned)
    if not attendee.admitted:
        raise DomainError(
            _l("Not on the approved list: do not let this person in."), "not_admitted"
        )
    mismatch = None
    holder = _holder(meeting, card.id_number)
    if attendee.id_number and attendee.id_number != card.id_number:
        mismatch = "number"
    elif holder is not None and holder.id != attendee.id:
        mismatch = "number"  # another attendee's card
    elif card.full_name and fold(card.full_name) != attendee.name_folded:
        mismatch = "name"
    now = now or utcnow()
    check = IdentityCheck(
        meeting_id=meeting.id,
        attendee_id=attendee.id,
        id_number=card.id_number,
        matched=mismatch is None,
        mismatch=mismatch,
        clerk_id=actor.id,
        at=now,
        key=key,
    )
    db.session.add(check)
    db.session.flush()
    record(
        "door.identity_checked",
        check,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "attendee_id": attendee.id,
            "id_number": card.id_number,
            "matched": check.matched,
            "mismatch": mismatch,
        },
    )
    return check


def refuse_mismatch(
    meeting: Meeting, attendee: Attendee, *, actor: "User", key: str, now=None
) -> "Incident":
    """One tap after a card that does not match the invitation: entry refused, an incident
    naming the invitation's holder and the card's number."""
    from meetingsec.door.queries import latest_identity_check
    from meetingsec.incidents import queries as incidents

    _require_clerk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.DOOR, _l("The door is not open: the meeting is not cleared to start."))
    done = incidents.get_by_key(key)
    if done is not None:
        return done
    check = latest_identity_check(attendee.id)
    if check is None or check.matched:
        raise DomainError(
            _l("No citizen identity card that does not match was scanned for this invitation."),
            "no_mismatch",
        )
    reason = str(
        _l(
            "The citizen identity card (no. %(number)s) does not match the invitation.",
            number=check.id_number,
        )
    )
    return record_incident(
        meeting,
        actor=actor,
        kind="entry_refused",
        description=reason,
        person_name=attendee.full_name,
        person_unit=attendee.unit_name,
        attendee_id=attendee.id,
        key=key,
        action="door.identity_refused",
        data={
            "meeting_id": meeting.id,
            "attendee_id": attendee.id,
            "id_number": check.id_number,
            "mismatch": check.mismatch,
        },
        now=now,
    )

"""Identity at the door: the citizen identity card (CCCD) scanned after the invitation,
or a foreign guest's passport when the list gives a passport number.

An invitation's QR proves someone holds the invitation, not who they are. The QR on the
front of a chip-based CCCD reads ``ID|old ID|full name|DDMMYYYY birth|sex|address|DDMMYYYY
issue date``; a clerk scans it (camera or keyboard-wedge scanner) or types the 12-digit
number. The card's number must be the one on the list for the invitation just scanned (and
not another attendee's), its name the same once folded. Kept: the result, the ID number
and the time — nothing else of the card (collect the minimum: the address and the date of
birth are read, compared with nothing and dropped).

A foreign guest has no CCCD: when their row of the list gives a passport number, the door
asks for the passport instead, its number typed or its machine-readable zone's second line
scanned (a keyboard-wedge MRZ reader), and compares the number with the list. Kept the same
way: the result, the document ("passport"), its number and the time."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.attendees.models import CCCD, PASSPORT, Attendee
from meetingsec.attendees.values import PASSPORT as PASSPORT_NUMBER
from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.core.text import fold
from meetingsec.door.models import IdentityCheck
from meetingsec.door.services import _require, _require_clerk
from meetingsec.extensions import db
from meetingsec.incidents.services import record_incident
from meetingsec.legal.choices import Classification
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
#: A passport's machine-readable zone (ICAO 9303, TD3): two lines of 44 characters, the
#: second beginning with the number padded by "<" and its check digit
_MRZ_LINE = re.compile(r"[A-Z0-9<]{44}")


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


def _check_digit(text: str) -> str:
    """ICAO 9303's check digit: weights 7, 3, 1; digits as themselves, A–Z as 10–35, < 0."""
    values = (int(c) if c.isdigit() else 0 if c == "<" else ord(c) - 55 for c in text)
    return str(sum(v * (7, 3, 1)[i % 3] for i, v in enumerate(values)) % 10)


def parse_passport(text: str) -> str | None:
    """A passport's number typed (6–9 letters or digits, spaces and case ignored), or read
    from its machine-readable zone's second line (its first 9 characters, "<" stripped,
    the check digit after them right); None for anything else (a CCCD, an invitation)."""
    value = "".join((text or "").split()).upper()
    if len(value) == 88 and value.startswith("P"):
        value = value[44:]  # both lines sent at once: the number is on the second
    if _MRZ_LINE.fullmatch(value):
        number = value[:9].rstrip("<")
        if value[9] != _check_digit(value[:9]):
            return None
        value = number
    return value if PASSPORT_NUMBER.fullmatch(value) else None


def _passport_of(scanned: str) -> str:
    number = parse_passport(scanned)
    if number is None:
        raise DomainError(
            _l(
                "This is not a passport number: type the 6 to 9 letters or digits of the "
                "passport, or scan the second line of its machine-readable zone."
            ),
            "not_passport",
            field="code",
        )
    return number


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
    result. A mismatch is kept too: the clerk then refuses entry in one tap. A foreign
    guest whose list entry gives a passport number shows the passport instead."""
    _require_clerk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.DOOR, _l("The door is not open: the meeting is not cleared to start."))
    done = db.session.scalar(select(IdentityCheck).where(IdentityCheck.key == key))
    if done is not None and done.attendee_id == attendee.id:
        return done
    if done is not None:
        raise DomainError(_l("The form expired. Reload the page and try again."), "key_reused")
    document = attendee.id_document
    if document == PASSPORT:
        number = _passport_of(scanned)
        # the number on the list is the passport's, so another guest's passport differs too
        mismatch = None if number == attendee.passport_number else "number"
    else:
        card = _card_of(scanned)
        number, mismatch = card.id_number, _card_mismatch(meeting, attendee, card)
    if not attendee.admitted:
        raise DomainError(
            _l("Not on the approved list: do not let this person in."), "not_admitted"
        )
    now = now or utcnow()
    check = IdentityCheck(
        meeting_id=meeting.id,
        attendee_id=attendee.id,
        document=document,
        id_number=number,
        matched=mismatch is None,
        mismatch=mismatch,
        clerk_id=actor.id,
        at=now,
        key=key,
    )
    db.session.add(check)
    db.session.flush()
    data = {
        "meeting_id": meeting.id,
        "attendee_id": attendee.id,
        "id_document": document,
        "id_number": number,
        "matched": check.matched,
        "mismatch": mismatch,
    }
    if document == PASSPORT:
        record("door.passport_checked", check, actor=actor, now=now, data=data)
    else:
        record("door.identity_checked", check, actor=actor, now=now, data=data)
    return check


def _card_mismatch(meeting: Meeting, attendee: Attendee, card: Card) -> str | None:
    """Why a CCCD is not the invitation's holder's: "number" (not the number on the list,
    or another attendee's card) or "name"; None when it is theirs."""
    holder = _holder(meeting, card.id_number)
    if attendee.id_number and attendee.id_number != card.id_number:
        return "number"
    if holder is not None and holder.id != attendee.id:
        return "number"  # another attendee's card
    if card.full_name and fold(card.full_name) != attendee.name_folded:
        return "name"
    return None


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
            _l("No citizen identity card that does not match was scanned for this invitation.")
            if attendee.id_document == CCCD
            else _l("No passport that does not match was checked for this invitation."),
            "no_mismatch",
        )
    reason = str(
        _l(
            "The citizen identity card (no. %(number)s) does not match the invitation.",
            number=check.id_number,
        )
        if check.document == CCCD
        else _l(
            "The passport (no. %(number)s) does not match the invitation.",
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
            "id_document": check.document,
            "id_number": check.id_number,
            "mismatch": check.mismatch,
        },
        now=now,
    )

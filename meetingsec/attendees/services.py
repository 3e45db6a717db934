"""A meeting's attendee list: the organiser adds and removes people, the chair approves.

Before the chair's first approval the organiser's changes are a draft. Afterwards an
addition waits for the chair before the door admits the person, and a removal of an
approved person is a request the chair approves. Every change is audited.
"""

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from meetingsec.attendees import queries
from meetingsec.attendees import values as values_of
from meetingsec.attendees.models import Attendee
from meetingsec.audit.services import record
from meetingsec.core import codes
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.core.text import clean, fold
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting

if TYPE_CHECKING:
    from meetingsec.users.models import User

FIELDS = (
    "full_name",
    "position",
    "unit_name",
    "id_number",
    "phone",
    "passport_number",
    "nationality",
)
#: A phone number as people write it: digits, spaces, + ( ) . -
PHONE_PATTERN = r"^[0-9+().\- ]{6,30}$"


def require_organiser(meeting: Meeting, actor: "User") -> None:
    if actor.id != meeting.organiser_id:
        raise NotAllowed(
            _l("Only the meeting's organiser can change its attendee list."), "not_organiser"
        )


def list_open(meeting: Meeting) -> bool:
    return meeting.status.allows(Action.LIST)


def require_list_open(meeting: Meeting) -> None:
    if not list_open(meeting):
        raise DomainError(_l("The attendee list can no longer change."), "list_closed")


def active_attendees(meeting_id: int) -> list[Attendee]:
    return list(
        db.session.scalars(
            select(Attendee)
            .where(Attendee.meeting_id == meeting_id, Attendee.removed_at.is_(None))
            .order_by(Attendee.id)
        )
    )


def person_key(full_name: str, unit_name: str) -> str:
    """Two rows with the same key are the same person."""
    return f"{fold(full_name)}|{fold(unit_name)}"


def new_invitation_codes(n: int) -> list[str]:
    """``n`` fresh invitation codes, none already in use."""
    while True:
        fresh = {codes.new_code() for _ in range(n)}
        taken = set(
            db.session.scalars(
                select(Attendee.invitation_code).where(Attendee.invitation_code.in_(fresh))
            )
        )
        if len(fresh) == n and not taken:  # 50 random bits: practically always
            return sorted(fresh)


def _values(values: dict) -> dict:
    out = {f: clean(values.get(f) or "") for f in FIELDS}
    out["id_number"] = out["id_number"].upper()
    out["passport_number"] = values_of.passport(out["passport_number"])[0]
    out["name_folded"] = fold(out["full_name"])
    return out


def add_attendees(
    meeting: Meeting, rows: list[dict], *, actor: "User", source: str, now: datetime | None = None
) -> list[Attendee]:
    """Add people (already checked: see ``duplicate_reason``); audited as one change."""
    require_organiser(meeting, actor)
    require_list_open(meeting)
    now = now or utcnow()
    people = [
        Attendee(meeting_id=meeting.id, added_by_id=actor.id, added_at=now, **_values(r))
        for r in rows
    ]
    for person, code in zip(people, new_invitation_codes(len(people)), strict=True):
        person.invitation_code = code
    db.session.add_all(people)
    db.session.flush()
    record(
        "attendees.added",
        meeting,
        actor=actor,
        now=now,
        data={
            "source": source,
            "attendees": [
                {"id": p.id, "full_name": p.full_name, "unit_name": p.unit_name} for p in people
            ],
            "needs_approval": True,
        },
    )
    return people


def document_error(values: dict):
    """``(field, why)`` when the identity document given cannot be checked at the door:
    a passport number not as ICAO prints it, or both a CCCD and a passport number."""
    number, error = values_of.passport(values.get("passport_number") or "")
    if error is not None:
        return "passport_number", error
    if number and clean(values.get("id_number") or ""):
        return "passport_number", _l(
            "Give either a CCCD number or a passport number, not both: the door checks one "
            "document."
        )
    return None


def duplicate_reason(meeting: Meeting, values: dict, known: dict | None = None):
    """``(field, why)`` when ``values`` would duplicate someone on the list, else None.
    ``known`` maps person keys and ID numbers of the list (computed once for an import)."""
    known = known if known is not None else list_keys(meeting.id)
    key = person_key(values.get("full_name") or "", values.get("unit_name") or "")
    if key in known:
        return "full_name", _l("%(name)s of this unit is already on the list.", name=known[key])
    number = clean(values.get("id_number") or "").upper()
    if number and f"#{number}" in known:
        return "id_number", _l(
            "This ID number is already on the list (%(name)s).", name=known[f"#{number}"]
        )
    passport = values_of.passport(values.get("passport_number") or "")[0]
    if passport and f"P#{passport}" in known:
        return "passport_number", _l(
            "This passport number is already on the list (%(name)s).",
            name=known[f"P#{passport}"],
        )
    return None


def list_keys(meeting_id: int) -> dict:
    keys = {}
    for p in active_attendees(meeting_id):
        keys[person_key(p.full_name, p.unit_name)] = p.full_name
        if p.id_number:
            keys[f"#{p.id_number}"] = p.full_name
        if p.passport_number:
            keys[f"P#{p.passport_number}"] = p.full_name
    return keys


def add_attendee(meeting: Meeting, values: dict, *, actor: "User", now=None) -> Attendee:
    require_organiser(meeting, actor)
    wrong = document_error(values)
    if wrong is not None:
        field, why = wrong
        raise DomainError(why, "bad_document", field=field)
    duplicate = duplicate_reason(meeting, values)
    if duplicate is not None:
        field, why = duplicate
        raise DomainError(why, "duplicate", field=field)
    return add_attendees(meeting, [values], actor=actor, source="form", now=now)[0]


def remove_attendee(
    meeting: Meeting, attendee: Attendee, *, actor: "User", reason: str, now: datetime | None = None
) -> Attendee:
    """Take someone off the list: at once while the chair has not approved them, as a
    request for the chair once they have."""
    require_organiser(meeting, actor)
    require_list_open(meeting)
    if attendee.removed_at is not None or attendee.removal_requested_at is not None:
        raise DomainError(_l("This person is already being removed."), "already_removed")
    if queries.has_checked_in(attendee):
        raise DomainError(
            _l("This person has already checked in and stays on the list."), "checked_in"
        )
    now = now or utcnow()
    if attendee.approved_at is None:
        attendee.removed_at, attendee.removed_by_id = now, actor.id
        attendee.removal_reason = reason
        action = "attendee.removed"
    else:
        if not reason:
            raise DomainError(
                _l("Write why this approved person is removed: the chair will read it."),
                "reason_required",
                field="reason",
            )
        attendee.removal_requested_at, attendee.removal_reason = now, reason
        action = "attendee.removal_requested"
    record(
        action,
        attendee,
        actor=actor,
        now=now,
        data={"meeting_id": meeting.id, "full_name": attendee.full_name, "reason": reason},
    )
    return attendee


def pending_changes(meeting_id: int) -> tuple[list[Attendee], list[Attendee]]:
    """(additions, removals) awaiting the chair (only those rows are read: a list of
    thousands with a few changes reads a few)."""
    people = db.session.scalars(
        select(Attendee)
        .where(
            Attendee.meeting_id == meeting_id,
            Attendee.removed_at.is_(None),
            or_(Attendee.approved_at.is_(None), Attendee.removal_requested_at.is_not(None)),
        )
        .order_by(Attendee.id)
    ).all()
    additions = [p for p in people if p.approved_at is None]
    removals = [p for p in people if p.removal_requested_at is not None]
    return additions, removals


def change_version(person: Attendee) -> str:
    """A pending change's version: a digest of what the chair reads of it (who, in which
    state, why), so a change edited or withdrawn since the page was shown is another one."""
    requested = person.removal_requested_at
    state = [
        person.id,
        person.list_status,
        person.full_name,
        person.position,
        person.unit_name,
        person.id_number,
        person.phone,
        person.passport_number,
        person.nationality,
        requested.isoformat() if requested else None,
        person.removal_reason,
    ]
    digest = hashlib.sha256(json.dumps(state, ensure_ascii=False).encode()).hexdigest()
    return digest[:16]


def shown_changes(additions: list[Attendee], removals: list[Attendee]) -> str:
    """What the approval form carries: the id and version of every change it shows."""
    people = sorted([*additions, *removals], key=lambda p: p.id)
    return " ".join(f"{p.id}:{change_version(p)}" for p in people)


def approve_list(
    meeting: Meeting, *, actor: "User", seen: str, now: datetime | None = None
) -> tuple[int, int]:
    """The chair approves the pending additions and removals they were shown: ``seen`` is
    ``shown_changes`` of the page they read. If the organiser changed the list meanwhile
    (a person taken off and another put on, a change edited), nothing is approved and the
    chair reads it again: the chair approves exactly the changes shown."""
    if actor.id != meeting.chair_id:
        raise NotAllowed(_l("Only the meeting's chair can approve the list."), "not_chair")
    lock_meeting(meeting)  # the list is judged as it is now, while it is approved
    require_list_open(meeting)
    additions, removals = pending_changes(meeting.id)
    if not additions and not removals:
        raise DomainError(_l("There is no change to approve."), "nothing_pending")
    if shown_changes(additions, removals) != seen:
        raise DomainError(
            _l("The list changed while you were reading it. Check it again, then approve."),
            "list_changed",
        )
    now = now or utcnow()
    for p in additions:
        p.approved_at, p.approved_by_id = now, actor.id
    for p in removals:
        p.removed_at, p.removed_by_id = now, actor.id
    record(
        "attendees.approved",
        meeting,
        actor=actor,
        now=now,
        data={
            "added": [{"id": p.id, "full_name": p.full_name} for p in additions],
            "removed": [
                {"id": p.id, "full_name": p.full_name, "reason": p.removal_reason} for p in removals
            ],
        },
    )
    return len(additions), len(removals)

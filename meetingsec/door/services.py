"""What the door's writes share: finding an invitation or a claim ticket from a scanned or
typed code (with a clear message for a code of another kind), the guards (a clerk of this
meeting, the organiser's desk, the door open), and the "already done" refusal.

The writes themselves: ``door.entry`` (check-in, exit, re-entry, refusal), ``door.deposits``
(devices handed back, left unclaimed), ``door.commitment`` (the text attendees sign).
Every write takes a key made on the tablet: a double tap, or a request retried after the
Wi-Fi dropped, finds the first record instead of writing a second one. Each checks the
clerk, locks the meeting (``meetings.locking``), checks the status, then reads its key, so
two tablets scanning the same invitation at once are judged one after the other: one
checks the person in, the other is told "already checked in"; and a retry waits for its
first try and answers the same.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from meetingsec.attendees.models import Attendee
from meetingsec.core import codes
from meetingsec.core.db import built_once
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.devices.queries import is_device_tag
from meetingsec.door.models import Deposit
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.models import Meeting

if TYPE_CHECKING:
    from meetingsec.users.models import User


class AlreadyDone(DomainError):
    """The person was already checked in (or the item returned) by someone else."""


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

#: How to recognise a kind of code: ``(kind, is_code)``, ``kind`` one of ``_EXPECTED``'s or
#: "device"
CodeKinds = tuple[tuple[str, Callable[[str], bool]], ...]


def foreign_code(code: str, expected: str, others: CodeKinds = ()):
    """A clear message for a code that exists but is not what this screen reads
    (``expected``: invitation, ticket or copy). The door knows invitations, claim tickets
    and device tags; ``others`` are kinds of the packages above it, given by the caller
    (the copies' labels: ``documents.queries.CODE_KINDS``)."""

    def has(column):
        return lambda c: db.session.scalar(select(column).where(column == c)) is not None

    what = _EXPECTED[expected]
    found = (
        ("invitation", has(Attendee.invitation_code)),
        ("ticket", has(Deposit.claim_code)),
        *others,
        ("device", is_device_tag),
    )
    for kind, is_code in found:
        if kind != expected and is_code(code):
            return {
                "invitation": _l("This is an invitation, not %(what)s.", what=what),
                "ticket": _l("This is a claim ticket, not %(what)s.", what=what),
                "copy": _l("This is the label of a document copy, not %(what)s.", what=what),
                "device": _l("This is a device tag, not %(what)s.", what=what),
            }[kind]
    return None


@built_once
def _by_invitation():
    return (
        select(Attendee)
        .where(Attendee.invitation_code == bindparam("code"))
        .options(joinedload(Attendee.check_in))  # the card and the check-in ask for it
        .execution_options(populate_existing=True)  # as it is now, under the check-in's lock
    )


def find_attendee(meeting: Meeting, typed: str, others: CodeKinds = ()) -> Attendee:
    """The attendee whose invitation was scanned or typed, or a clear refusal (naming the
    kind of a code of another kind: ``foreign_code``)."""
    code = normalized(typed)
    attendee = db.session.scalar(_by_invitation(), {"code": code})
    if attendee is not None and attendee.meeting_id == meeting.id:
        return attendee
    if attendee is not None:  # the door may still turn its holder away (a refusal)
        raise DomainError(
            _l("This invitation is for another meeting."), "other_meeting", field="code"
        )
    message = foreign_code(code, "invitation", others) or _l("No invitation has this code.")
    raise DomainError(message, "unknown_code", field="code")


def find_deposit(meeting: Meeting, typed: str, others: CodeKinds = ()) -> Deposit:
    code = normalized(typed)
    deposit = db.session.scalar(select(Deposit).where(Deposit.claim_code == code))
    if deposit is not None and deposit.meeting_id == meeting.id:
        return deposit
    if deposit is not None:
        message = _l("This claim ticket is for another meeting.")
    else:
        message = foreign_code(code, "ticket", others) or _l("No claim ticket has this code.")
    raise DomainError(message, "unknown_code", field="code")


def _require_clerk(meeting: Meeting, actor: "User") -> None:
    if actor.id not in meeting.member_ids("clerk"):
        raise NotAllowed(
            _l("Only a door clerk on this meeting's team can record this."), "not_clerk"
        )


def is_desk(user: "User", meeting: Meeting) -> bool:
    """The organiser's desk or the door: where deposits and document copies change hands."""
    return user.id == meeting.organiser_id or user.id in meeting.member_ids("clerk")


def require_desk(meeting: Meeting, actor: "User") -> None:
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

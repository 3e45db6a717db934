"""Invitations that carry the secret content, when the organiser chose so for the meeting
(``Meeting.invitations_secret``; off, they are neutral and nothing here applies).

The meeting's invitations are then one registered secret document, and each invitation is
one of its numbered copies ("Bản số n/N"): the copy's code is the invitation's own QR code,
so the door and the register of copies scan the paper the attendee holds. The copies are
handed out, recovered and reported lost as any copy (``documents.services``), the closing
page lists those still out with the others, and closing waits for them (rule recover-docs,
``checklists.derived.copies_recovered``).

Every function validates, changes, audits in the same transaction and flushes; the caller
commits.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from meetingsec.attendees.models import Attendee
from meetingsec.attendees.services import active_attendees
from meetingsec.audit.services import record
from meetingsec.core.db import built_once, utcnow
from meetingsec.documents.models import DocumentCopy, SecretDocument
from meetingsec.documents.services import (
    OnFirstDocument,
    _require,
    _require_organiser,
    add_document,
    give,
)
from meetingsec.door.models import CheckIn
from meetingsec.extensions import db
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting
from meetingsec.users.models import User


@dataclass(frozen=True)
class CopyNumber:
    """What an invitation prints: "Bản số n/N"."""

    number: int
    of: int


def invitation_document(meeting_id: int) -> SecretDocument | None:
    """The document whose copies are the meeting's invitations; None until they are issued."""
    return db.session.scalar(
        select(SecretDocument).where(
            SecretDocument.meeting_id == meeting_id, SecretDocument.is_invitation.is_(True)
        )
    )


@built_once
def _invitation_copy():
    return (
        select(DocumentCopy)
        .join(SecretDocument)
        .where(
            SecretDocument.meeting_id == bindparam("meeting_id"),
            SecretDocument.is_invitation.is_(True),
            DocumentCopy.attendee_id == bindparam("attendee_id"),
        )
    )


def invitation_copy(meeting_id: int, attendee_id: int) -> DocumentCopy | None:
    """An attendee's invitation, when it is a numbered copy."""
    return db.session.scalar(
        _invitation_copy(), {"meeting_id": meeting_id, "attendee_id": attendee_id}
    )


def _document(
    meeting: Meeting, *, actor: User, now: datetime, on_first_document: OnFirstDocument
) -> SecretDocument:
    document = invitation_document(meeting.id)
    if document is not None:
        return document
    document = SecretDocument(
        meeting_id=meeting.id,
        is_invitation=True,
        # the register reads "Giấy mời: <the meeting's title>"
        number="Giấy mời",
        title=meeting.title,
        classification=meeting.classification,
        copy_count=0,
        # the organiser issues the meeting's own invitations: no one else's copies are made
        copy_authorisation="Giấy mời của cuộc họp, do người tổ chức phát hành",
        registered_by_id=actor.id,
        registered_at=now,
    )
    add_document(meeting, document, now=now, on_first_document=on_first_document)
    return document


def _number(meeting: Meeting, document: SecretDocument, *, actor: User, now: datetime) -> None:
    """Every approved attendee without a copy gets the next number: the whole list at the
    first issue (so N is the same on every copy), someone approved later after them."""
    numbered = {c.attendee_id for c in document.copies}
    new = [a for a in active_attendees(meeting.id) if a.admitted and a.id not in numbered]
    if not new:
        return
    first = len(document.copies) + 1
    for n, attendee in enumerate(new, start=first):
        document.copies.append(
            DocumentCopy(
                meeting_id=meeting.id,
                copy_number=n,
                code=attendee.invitation_code,  # the invitation's QR is the copy's label
                attendee_id=attendee.id,
            )
        )
    document.copy_count = len(document.copies)
    db.session.flush()
    record(
        "invitation.numbered",
        document,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "copy_count": document.copy_count,
            # copies first_copy, first_copy + 1, … go to these attendees, in this order
            "first_copy": first,
            "attendee_ids": [c.attendee_id for c in document.copies[first - 1 :]],
        },
    )


def issue_invitations(
    meeting: Meeting,
    attendees: list[Attendee],
    *,
    actor: User,
    on_first_document: OnFirstDocument,
    now: datetime | None = None,
) -> dict[int, CopyNumber]:
    """The organiser prints invitations: when they carry the secret content, every approved
    attendee's copy is numbered, and the copies of ``attendees`` are issued to them (handed
    out, unless they already were). Returns each printed attendee's copy number; empty
    when the invitations are neutral. Printing the same invitation again prints the same
    copy."""
    if not meeting.invitations_secret:
        return {}
    _require_organiser(meeting, actor)
    lock_meeting(meeting)
    _require(
        meeting,
        Action.REGISTER,
        _l("Invitations can no longer be issued for this meeting: it is closing."),
    )
    now = now or utcnow()
    document = _document(meeting, actor=actor, now=now, on_first_document=on_first_document)
    _number(meeting, document, actor=actor, now=now)
    copies = {c.attendee_id: c for c in document.copies}
    out = {}
    for attendee in attendees:
        copy = copies[attendee.id]
        if copy.state == "in_hand":
            give(meeting, copy, actor=actor, now=now, via="issued")
        out[attendee.id] = CopyNumber(copy.copy_number, document.copy_count)
    return out


def hand_out_at_entry(meeting: Meeting, check_in: CheckIn, *, actor: User) -> CheckIn:
    """At the latest when its holder checks in, an invitation copy numbered but not yet
    issued counts as handed out: from the door on, it is out until recovered."""
    copy = invitation_copy(meeting.id, check_in.attendee_id)
    if copy is not None and copy.state == "in_hand":
        give(meeting, copy, actor=actor, now=check_in.at, via="entry")
    return check_in

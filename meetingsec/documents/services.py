"""Secret documents and their copies: registered and numbered by the organiser, handed out
to attendees who are inside (scan the invitation, scan the copy), recovered at the end by
scanning the copy, or reported lost (an incident).

Every function validates, changes, audits in the same transaction and flushes; the caller
commits. Hand-outs and recoveries take the meeting's lock (as the door does) and carry a
form key, so two tablets scanning the same copy record it once, and a retry after the
Wi-Fi dropped finds what the first try did.
"""

from collections.abc import Callable
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.attendees.models import Attendee
from meetingsec.audit.services import record
from meetingsec.core import codes
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.core.i18n import clock
from meetingsec.documents.models import DocumentCopy, SecretDocument
from meetingsec.documents.queries import CODE_KINDS
from meetingsec.door import queries as door_queries
from meetingsec.door import services as door
from meetingsec.door.services import AlreadyDone
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident
from meetingsec.incidents.services import record_incident
from meetingsec.legal.choices import Classification
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting
from meetingsec.users.models import User

#: Most copies one document may have
MAX_COPIES = 500


def _require_organiser(meeting: Meeting, actor: "User") -> None:
    if actor.id != meeting.organiser_id:
        raise NotAllowed(_l("Only the meeting's organiser can do this."), "not_organiser")


def _require(meeting: Meeting, action: Action, message) -> None:
    if not meeting.status.allows(action):
        raise DomainError(message, "wrong_stage")


def _number_copies(document: SecretDocument, copy_count: int) -> None:
    """Copies 1…n of a new document, each with a fresh code."""
    fresh = set()
    while len(fresh) < copy_count:  # 50 random bits each: the unique index guards the rest
        fresh.add(codes.new_code())
    for n, code in enumerate(sorted(fresh), start=1):
        document.copies.append(
            DocumentCopy(meeting_id=document.meeting_id, copy_number=n, code=code)
        )


#: Called with the time when a write registered the meeting's first document: the rules on
#: copy control apply from then on, and the caller above re-derives the checklist
#: (``workflows.services``, which passes it; documents do not call the checklist itself)
OnFirstDocument = Callable[[datetime], None]


def register_document(
    meeting: Meeting,
    *,
    actor: "User",
    number: str,
    title: str,
    classification: str,
    copy_count: int,
    copy_authorisation: str = "",
    on_first_document: OnFirstDocument,
    now: datetime | None = None,
) -> SecretDocument:
    """The organiser registers a document; its copies are numbered 1…n, each with a code."""
    _require_organiser(meeting, actor)
    _require(
        meeting, Action.REGISTER, _l("Documents can no longer be registered for this meeting.")
    )
    classification = Classification(classification).value
    if not 1 <= copy_count <= MAX_COPIES:
        raise DomainError(
            _l("A document has from 1 to %(n)d copies.", n=MAX_COPIES),
            "bad_count",
            field="copy_count",
        )
    now = now or utcnow()
    document = SecretDocument(
        meeting_id=meeting.id,
        number=number,
        title=title,
        classification=classification,
        copy_count=copy_count,
        copy_authorisation=copy_authorisation,
        registered_by_id=actor.id,
        registered_at=now,
    )
    _number_copies(document, copy_count)
    add_document(meeting, document, now=now, on_first_document=on_first_document)
    record(
        "document.registered",
        document,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "number": number,
            "title": title,
            "classification": classification,
            "copy_count": copy_count,
            "copy_authorisation": copy_authorisation,
            "codes": [c.code for c in document.copies],
        },
    )
    return document


def add_document(
    meeting: Meeting, document: SecretDocument, *, now, on_first_document: OnFirstDocument
) -> None:
    """A new document in the meeting's register."""
    first = not db.session.scalar(
        select(SecretDocument.id).where(SecretDocument.meeting_id == meeting.id).limit(1)
    )
    db.session.add(document)
    db.session.flush()
    if first:
        on_first_document(now)  # "copy control" now applies


def authorise_copies(
    meeting: Meeting, document: SecretDocument, *, actor: "User", text: str, now=None
) -> SecretDocument:
    """The organiser records who allowed the copies to be made (Luật 29/2018 Điều 11)."""
    _require_organiser(meeting, actor)
    _require(meeting, Action.REGISTER, _l("Documents can no longer be changed for this meeting."))
    if text != document.copy_authorisation:
        record(
            "document.copies_authorised",
            document,
            actor=actor,
            now=now,
            data={
                "meeting_id": meeting.id,
                "copy_authorisation": [document.copy_authorisation, text],
            },
        )
        document.copy_authorisation = text
    return document


def find_copy(meeting: Meeting, typed: str) -> DocumentCopy:
    """The copy whose label was scanned or typed, or a clear refusal."""
    code = door.normalized(typed)
    copy = db.session.scalar(
        select(DocumentCopy)
        .where(DocumentCopy.code == code)
        .execution_options(populate_existing=True)  # as it is now, under the lock
    )
    if copy is not None and copy.meeting_id == meeting.id:
        return copy
    if copy is not None:
        message = _l("This copy belongs to another meeting's documents.")
    else:
        message = door.foreign_code(code, "copy") or _l("No document copy has this code.")
    raise DomainError(message, "unknown_code", field="code")


def _copy_data(meeting: Meeting, copy: DocumentCopy) -> dict:
    return {
        "meeting_id": meeting.id,
        "document_id": copy.document_id,
        "number": copy.document.number,
        "copy_number": copy.copy_number,
        "code": copy.code,
    }


def hand_out(
    meeting: Meeting,
    *,
    actor: "User",
    key: str,
    attendee_code: str,
    copy_code: str,
    now: datetime | None = None,
) -> DocumentCopy:
    """A copy is handed to an attendee who checked in: scan the invitation, scan the copy."""
    door.require_desk(meeting, actor)
    lock_meeting(meeting)
    _require(
        meeting, Action.HAND_OUT, _l("Copies are handed out once the meeting is cleared to start.")
    )
    done = db.session.scalar(select(DocumentCopy).where(DocumentCopy.handout_key == key))
    if done is not None:
        return done
    try:
        attendee = door.find_attendee(meeting, attendee_code, CODE_KINDS)
    except DomainError as err:
        err.field = "attendee_code"
        raise
    copy = find_copy(meeting, copy_code)
    if door_queries.check_in_of(attendee) is None or not attendee.admitted:
        raise DomainError(
            _l(
                "%(name)s has not checked in: copies go only to people inside.",
                name=attendee.full_name,
            ),
            "not_checked_in",
            field="attendee_code",
        )
    if copy.state != "in_hand":
        raise _already(copy)
    if copy.document.is_invitation and copy.attendee_id != attendee.id:
        raise DomainError(
            _l(
                "This is %(name)s's invitation: it goes to no one else.",
                name=copy.attendee.full_name,
            ),
            "someone_elses_invitation",
            field="code",
        )
    copy.attendee_id, copy.attendee, copy.handout_key = attendee.id, attendee, key
    give(meeting, copy, actor=actor, now=now or utcnow())
    return copy


def give(meeting: Meeting, copy: DocumentCopy, *, actor: "User", now: datetime, **data) -> None:
    """``copy`` goes to its attendee now (its hand-out, audited; ``data``: how)."""
    copy.handed_out_at, copy.handed_out_by_id = now, actor.id
    record(
        "document.handed_out",
        copy,
        actor=actor,
        now=now,
        data={
            **_copy_data(meeting, copy),
            "attendee_id": copy.attendee_id,
            "full_name": copy.attendee.full_name,
            **data,
        },
    )


def _already(copy: DocumentCopy) -> AlreadyDone:
    if copy.state == "lost":
        return AlreadyDone(_l("This copy was reported lost."), "copy_lost")
    if copy.state == "recovered":
        return AlreadyDone(
            _l(
                "This copy was already recovered at %(time)s by %(who)s.",
                time=clock(copy.recovered_at),
                who=db.session.get(User, copy.recovered_by_id).full_name,
            ),
            "already_recovered",
        )
    return AlreadyDone(
        _l(
            "This copy was already handed to %(name)s at %(time)s.",
            name=copy.attendee.full_name,
            time=clock(copy.handed_out_at),
        ),
        "already_handed_out",
    )


def recover(
    meeting: Meeting, *, actor: "User", key: str, copy_code: str, now: datetime | None = None
) -> DocumentCopy:
    """A handed-out copy comes back: scan its label."""
    door.require_desk(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.RECOVER, _l("Copies are recovered until the meeting is closed."))
    done = db.session.scalar(select(DocumentCopy).where(DocumentCopy.recover_key == key))
    if done is not None:
        return done
    copy = find_copy(meeting, copy_code)
    if copy.state == "in_hand":
        raise DomainError(
            _l("This copy was never handed out: it is still with the organiser."),
            "not_handed_out",
            field="code",
        )
    if copy.state != "handed_out":
        raise _already(copy)
    now = now or utcnow()
    copy.recovered_at, copy.recovered_by_id, copy.recover_key = now, actor.id, key
    record(
        "document.recovered",
        copy,
        actor=actor,
        now=now,
        data={**_copy_data(meeting, copy), "attendee_id": copy.attendee_id},
    )
    return copy


def report_lost(
    meeting: Meeting, copy: DocumentCopy, *, actor: "User", reason: str, now: datetime | None = None
) -> Incident:
    """The organiser reports a handed-out copy as lost: an incident, and the copy is
    accounted for (the loss, not a recovery)."""
    _require_organiser(meeting, actor)
    lock_meeting(meeting)
    _require(meeting, Action.RECOVER, _l("Copies are recovered until the meeting is closed."))
    db.session.refresh(copy)
    if copy.state != "handed_out":
        if copy.state == "in_hand":
            raise DomainError(
                _l("This copy was never handed out: it is still with the organiser."),
                "not_handed_out",
            )
        raise _already(copy)
    attendee: Attendee = copy.attendee
    incident = record_incident(
        meeting,
        actor=actor,
        kind="document_lost",
        description=reason,
        person_name=attendee.full_name,
        person_unit=attendee.unit_name,
        attendee_id=attendee.id,
        action="document.lost",
        data={**_copy_data(meeting, copy), "attendee_id": attendee.id, "reason": reason},
        now=now,
    )
    copy.lost_incident_id = incident.id
    return incident

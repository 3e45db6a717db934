"""The commitment text every attendee signs at the door (its SHA-256 is bound to each
signature). Each legal regime carries its default text in its ruleset; an administrator's
own text for a regime replaces it; a meeting uses its regime's text."""

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select

from meetingsec.audit.services import record
from meetingsec.core.db import built_once, utcnow
from meetingsec.core.errors import DomainError
from meetingsec.door.models import CommitmentChoice, CommitmentText
from meetingsec.extensions import db
from meetingsec.legal.rules import rulesets

if TYPE_CHECKING:
    from meetingsec.meetings.models import Meeting
    from meetingsec.users.models import User


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def default_commitment(ruleset_id: str) -> str:
    """The regime's own text, from its ruleset."""
    return rulesets()[ruleset_id].commitment


@built_once
def _latest_choice():
    return (
        select(CommitmentText)
        .join(CommitmentChoice, CommitmentChoice.commitment_id == CommitmentText.id)
        .where(CommitmentChoice.ruleset_id == bindparam("ruleset_id"))
        .order_by(CommitmentChoice.chosen_at.desc(), CommitmentChoice.id.desc())
        .limit(1)
    )


@built_once
def _by_sha256():
    return select(CommitmentText).where(CommitmentText.sha256 == bindparam("sha256"))


def _chosen(ruleset_id: str) -> CommitmentText | None:
    return db.session.scalar(_latest_choice(), {"ruleset_id": ruleset_id})


def current_commitment(ruleset_id: str) -> tuple[str, str]:
    """(text, SHA-256) of the commitment signed now under the regime ``ruleset_id``."""
    row = _chosen(ruleset_id)
    text = row.text if row else default_commitment(ruleset_id)
    return text, sha256(text)


def _meeting_text(meeting: "Meeting") -> tuple[str, CommitmentText | None]:
    """What an attendee of ``meeting`` reads and signs, and its stored row when it is the
    administrator's text as chosen (None: the regime's default, or with the clause)."""
    row = _chosen(meeting.ruleset_id)
    text = row.text if row else default_commitment(meeting.ruleset_id)
    if meeting.foreign_participation:
        text, row = f"{text} {rulesets()[meeting.ruleset_id].commitment_foreign}", None
    return text, row


def commitment_for(meeting: "Meeting") -> tuple[str, str]:
    """(text, SHA-256) of what an attendee of ``meeting`` reads and signs: the regime's
    text, and when foreign parties attend the clause that nothing goes to a third party."""
    text, _row = _meeting_text(meeting)
    return text, sha256(text)


def _commitment_row(text: str) -> CommitmentText:
    digest = sha256(text)
    row = db.session.scalar(_by_sha256(), {"sha256": digest})
    if row is None:
        row = CommitmentText(sha256=digest, text=text)
        db.session.add(row)
        db.session.flush()
    return row


def set_commitment(
    *, actor: "User", ruleset_id: str, text: str, now: datetime | None = None
) -> CommitmentText:
    """An administrator changes the commitment text of one regime (audited)."""
    if ruleset_id not in rulesets():
        raise DomainError(_l("Unknown legal regime."), "unknown_regime")
    old, old_hash = current_commitment(ruleset_id)
    if text == old:
        raise DomainError(_l("The text is unchanged."), "unchanged", field="text")
    # A new text, or an earlier one (signatures may name it: it is kept) made current again
    row = _commitment_row(text)
    now = now or utcnow()
    db.session.add(
        CommitmentChoice(
            ruleset_id=ruleset_id, commitment_id=row.id, chosen_by_id=actor.id, chosen_at=now
        )
    )
    record(
        "door.commitment_changed",
        row,
        actor=actor,
        now=now,
        data={"ruleset": ruleset_id, "sha256": [old_hash, row.sha256], "text": text},
    )
    return row


def signed_commitment(meeting: "Meeting", signed_sha256: str) -> CommitmentText:
    """The meeting's text, if it is the one the attendee read and signed (``signed_sha256``)."""
    text, row = _meeting_text(meeting)
    if signed_sha256 != sha256(text):
        raise DomainError(
            _l("The commitment text has changed: let the attendee read it again and sign."),
            "commitment_changed",
            field="signature",
        )
    return row or _commitment_row(text)

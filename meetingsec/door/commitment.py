"""The agency's commitment text, which every attendee signs at the door (its SHA-256 is
bound to each signature)."""

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.door.models import CommitmentText
from meetingsec.extensions import db

if TYPE_CHECKING:
    from meetingsec.users.models import User


DEFAULT_COMMITMENT = (
    "Tôi cam kết chấp hành nghiêm các quy định về bảo vệ bí mật nhà nước và yêu cầu của "
    "người chủ trì hội nghị, hội thảo, cuộc họp (khoản 3 Điều 17 Luật Bảo vệ bí mật nhà nước "
    "năm 2018); không mang vào phòng họp thiết bị có tính năng thu, phát tin, ghi âm, ghi "
    "hình khi chưa được phép (điểm b khoản 2 Điều 6 Nghị định số 26/2020/NĐ-CP); không ghi "
    "âm, ghi hình, sao chụp, tiết lộ nội dung bí mật nhà nước trái phép; nộp lại đầy đủ tài "
    "liệu mang bí mật nhà nước được phát khi kết thúc. Nếu vi phạm, tôi xin chịu trách nhiệm "
    "trước pháp luật."
)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


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


def set_commitment(*, actor: "User", text: str, now: datetime | None = None) -> CommitmentText:
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


def signed_commitment(signed_sha256: str) -> CommitmentText:
    """The current text, if it is the one the attendee read and signed (``signed_sha256``)."""
    commitment = _current_row() or _commitment_row(DEFAULT_COMMITMENT)
    if signed_sha256 != commitment.sha256:
        raise DomainError(
            _l("The commitment text has changed: let the attendee read it again and sign."),
            "commitment_changed",
            field="signature",
        )
    return commitment

"""Reading a meeting's documents and copies."""

from dataclasses import dataclass

from sqlalchemy import func, select

from meetingsec.documents.models import DocumentCopy, SecretDocument
from meetingsec.extensions import db
from meetingsec.meetings.models import Meeting


@dataclass(frozen=True)
class CopyCounts:
    documents: int
    #: documents whose copying authorisation is not recorded
    unauthorised: int
    copies: int
    handed_out: int
    recovered: int
    lost: int

    @property
    def outstanding(self) -> int:
        """Handed out, neither recovered nor reported lost."""
        return self.handed_out - self.recovered - self.lost


def _copy_count_columns(meeting_id) -> list:
    """The documents' figures as scalar subqueries, for a meeting id or a column of them."""
    copies = DocumentCopy.meeting_id == meeting_id
    docs = SecretDocument.meeting_id == meeting_id
    return [
        select(func.count()).where(docs).scalar_subquery(),
        select(func.count()).where(docs, SecretDocument.copy_authorisation == "").scalar_subquery(),
        select(func.count()).where(copies).scalar_subquery(),
        select(func.count())
        .where(copies, DocumentCopy.handed_out_at.is_not(None))
        .scalar_subquery(),
        select(func.count())
        .where(copies, DocumentCopy.recovered_at.is_not(None))
        .scalar_subquery(),
        select(func.count())
        .where(copies, DocumentCopy.lost_incident_id.is_not(None))
        .scalar_subquery(),
    ]


def copy_counts(meeting_id: int) -> CopyCounts:
    """Every figure of the meeting's documents in one query."""
    return CopyCounts(*db.session.execute(select(*_copy_count_columns(meeting_id))).one())


def copy_counts_by_meeting(meeting_ids: list[int]) -> dict[int, CopyCounts]:
    """The documents' figures of several meetings in one query."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(Meeting.id, *_copy_count_columns(Meeting.id)).where(Meeting.id.in_(meeting_ids))
    )
    return {row[0]: CopyCounts(*row[1:]) for row in rows}


def documents_of(meeting_id: int) -> list[SecretDocument]:
    return list(
        db.session.scalars(
            select(SecretDocument)
            .where(SecretDocument.meeting_id == meeting_id)
            .order_by(SecretDocument.id)
        )
    )


def get_document(meeting_id: int, document_id: int) -> SecretDocument | None:
    return db.session.scalar(
        select(SecretDocument).where(
            SecretDocument.id == document_id, SecretDocument.meeting_id == meeting_id
        )
    )


def get_copy(meeting_id: int, copy_id: int) -> DocumentCopy | None:
    return db.session.scalar(
        select(DocumentCopy).where(
            DocumentCopy.id == copy_id, DocumentCopy.meeting_id == meeting_id
        )
    )


def copies_of(meeting_id: int, *, outstanding: bool = False) -> list[DocumentCopy]:
    """The meeting's copies by document and number (only those still out, if asked)."""
    query = (
        select(DocumentCopy)
        .join(SecretDocument)
        .where(DocumentCopy.meeting_id == meeting_id)
        .order_by(SecretDocument.id, DocumentCopy.copy_number)
    )
    if outstanding:
        query = query.where(
            DocumentCopy.handed_out_at.is_not(None),
            DocumentCopy.recovered_at.is_(None),
            DocumentCopy.lost_incident_id.is_(None),
        )
    return list(db.session.scalars(query))


def has_documents(meeting_id: int) -> bool:
    return (
        db.session.scalar(
            select(SecretDocument.id).where(SecretDocument.meeting_id == meeting_id).limit(1)
        )
        is not None
    )


def is_copy_code(code: str) -> bool:
    """Some document copy's label carries this code (the door names a wrong scan)."""
    return db.session.scalar(select(DocumentCopy.code).where(DocumentCopy.code == code)) is not None

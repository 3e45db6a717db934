"""Reading a meeting's documents and copies."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, raiseload

from meetingsec.documents.models import DocumentCopy, SecretDocument
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident
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


def documents_of(meeting_id: int, *, with_copies: bool = True) -> list[SecretDocument]:
    """The meeting's documents, with their copies (or without: the register's page reads
    its copies a page at a time, ``copies_page``)."""
    query = (
        select(SecretDocument)
        .where(SecretDocument.meeting_id == meeting_id)
        .order_by(SecretDocument.id)
    )
    if not with_copies:
        query = query.options(raiseload(SecretDocument.copies))
    return list(db.session.scalars(query))


#: The states a copy is found by (``DocumentCopy.state``), as SQL
COPY_STATES = {
    "in_hand": lambda: DocumentCopy.handed_out_at.is_(None),
    "handed_out": lambda: (
        DocumentCopy.handed_out_at.is_not(None)
        & DocumentCopy.recovered_at.is_(None)
        & DocumentCopy.lost_incident_id.is_(None)
    ),
    "recovered": lambda: DocumentCopy.recovered_at.is_not(None),
    "lost": lambda: DocumentCopy.lost_incident_id.is_not(None),
}


def copies_page(
    meeting_id: int, *, page: int, document_id: int = 0, state: str = "", per_page: int = 50
):
    """The meeting's copies by document and number, a page at a time, of one document and
    in one state (``COPY_STATES``) when asked."""
    query = (
        select(DocumentCopy)
        .where(DocumentCopy.meeting_id == meeting_id)
        .order_by(DocumentCopy.document_id, DocumentCopy.copy_number)
    )
    if document_id:
        query = query.where(DocumentCopy.document_id == document_id)
    if state in COPY_STATES:
        query = query.where(COPY_STATES[state]())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


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


def lost_copies(meeting_id: int) -> list[DocumentCopy]:
    """The copies reported lost, by document and number, each with its incident and who
    recorded it."""
    return list(
        db.session.scalars(
            select(DocumentCopy)
            .join(SecretDocument)
            .where(
                DocumentCopy.meeting_id == meeting_id, DocumentCopy.lost_incident_id.is_not(None)
            )
            .options(
                joinedload(DocumentCopy.lost_incident).joinedload(Incident.recorded_by),
                joinedload(DocumentCopy.handed_out_by),
            )
            .order_by(SecretDocument.id, DocumentCopy.copy_number)
        )
    )


def meetings_with_lost_copies(meeting_ids: list[int]) -> set[int]:
    """Which of these meetings had a copy reported lost. One query."""
    if not meeting_ids:
        return set()
    return set(
        db.session.scalars(
            select(DocumentCopy.meeting_id)
            .where(
                DocumentCopy.meeting_id.in_(meeting_ids),
                DocumentCopy.lost_incident_id.is_not(None),
            )
            .distinct()
        )
    )


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


#: The codes of this package the door's scans name when they read another kind
#: (``door.services.foreign_code``: the door is below documents and is given them)
CODE_KINDS = (("copy", is_copy_code),)

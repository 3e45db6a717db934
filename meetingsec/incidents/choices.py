"""The kinds of incident, as the app names them and as an official record does."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class IncidentKind(StrEnum):
    SEAL_BROKEN = "seal_broken"
    SEAL_MISMATCH = "seal_mismatch"
    ENTRY_REFUSED = "entry_refused"
    DOCUMENT_LOST = "document_lost"

    @property
    def title(self):
        return {
            "seal_broken": _l("Security seal broken"),
            "seal_mismatch": _l("Seal number not matching"),
            "entry_refused": _l("Entry refused"),
            "document_lost": _l("Copy of a document lost"),
        }[self]

    @property
    def official_name(self) -> str:
        """As an official record names it (Vietnamese, whatever the reader's language)."""
        return {
            "seal_broken": "Tem an ninh bị rách, hỏng",
            "seal_mismatch": "Số tem không khớp",
            "entry_refused": "Từ chối cho vào",
            "document_lost": "Mất bản tài liệu",
        }[self]


#: The cases a periodic report lists under "các vụ lộ, mất bí mật nhà nước" (Nghị định
#: 26/2020/NĐ-CP, Điều 8, điểm c): a loss, and what may have let a secret out
CASES = (
    IncidentKind.DOCUMENT_LOST,
    IncidentKind.SEAL_BROKEN,
    IncidentKind.SEAL_MISMATCH,
    IncidentKind.ENTRY_REFUSED,
)

"""Who signs a record, as Vietnamese offices sign (Nghị định 30/2020/NĐ-CP, Điều 13 and
Phụ lục I): an authority ("TM." on behalf of a collective, "KT." for a deputy, "Q." acting,
"TL." and "TUQ." by delegation) with the office it signs for, the signer's position, the
name. Each record has its default from the meeting (``builders``); the organiser may
change them before generating (``services.save_signers``)."""

from dataclasses import dataclass, replace

from sqlalchemy import select

from meetingsec.extensions import db
from meetingsec.org.queries import agency_settings
from meetingsec.records.models import RecordSigner

#: The authorities a signer may sign under ("" signs in their own name)
AUTHORITIES = ("", "TM.", "KT.", "Q.", "TL.", "TUQ.")
SIDES = ("left", "right")


@dataclass(frozen=True)
class Signer:
    position: str
    name: str
    authority: str = ""
    principal: str = ""

    @property
    def title_lines(self) -> list[str]:
        """The lines printed above the signature, in capitals: "KT. CHỦ TỊCH" then
        "PHÓ CHỦ TỊCH"; or the position alone."""
        lines = []
        if self.authority and self.principal:
            lines.append(f"{self.authority} {self.principal}".upper())
        if self.position:
            lines.append(self.position.upper())
        return lines


def agency_head() -> Signer | None:
    """The head of the agency, as the administrator named them (``None`` until named):
    who signs what the agency sends out."""
    head = agency_settings()
    if not head.head_name:
        return None
    return Signer(head.head_position or "Thủ trưởng cơ quan", head.head_name)


def stored(meeting_id: int, kind) -> dict[str, RecordSigner]:
    rows = db.session.scalars(
        select(RecordSigner).where(
            RecordSigner.meeting_id == meeting_id, RecordSigner.kind == kind.value
        )
    )
    return {r.side: r for r in rows}


def signers_for(meeting, kind, *, left: Signer | None, right: Signer) -> list[Signer | None]:
    """The record's two signature blocks: the defaults given, as the organiser changed
    them."""
    changed = stored(meeting.id, kind)
    out = []
    for side, default in zip(SIDES, (left, right), strict=True):
        row = changed.get(side)
        if row is None:
            out.append(default)
        else:
            out.append(
                replace(
                    default or Signer("", ""),
                    authority=row.authority,
                    principal=row.principal,
                    position=row.position,
                    name=row.name,
                )
            )
    return out

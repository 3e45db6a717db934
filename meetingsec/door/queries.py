"""Reading the door's data: search, live counters, an attendee's state, what is still held."""

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, func, inspect, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from meetingsec.attendees.models import Attendee
from meetingsec.core.db import built_once
from meetingsec.core.text import fold, like_escaped
from meetingsec.door.models import CheckIn, Deposit, IdentityCheck, Movement
from meetingsec.extensions import db
from meetingsec.incidents.models import Incident
from meetingsec.meetings.models import Meeting
from meetingsec.users.models import User

SEARCH_LIMIT = 12


def search(meeting_id: int, q: str, limit: int = SEARCH_LIMIT) -> list[Attendee]:
    """People on the meeting's list whose name contains ``q``, ignoring case and diacritics
    ("nguyen van a" finds "Nguyễn Văn A"); names starting with it first."""
    folded = fold(q)
    if not folded:
        return []
    escaped = like_escaped(folded)
    starts = Attendee.name_folded.like(escaped + "%", escape="\\")
    return list(
        db.session.scalars(
            select(Attendee)
            .where(
                Attendee.meeting_id == meeting_id,
                Attendee.removed_at.is_(None),
                Attendee.name_folded.like("%" + escaped + "%", escape="\\"),
            )
            .order_by(starts.desc(), Attendee.name_folded, Attendee.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class Counters:
    expected: int
    pending: int
    #: approved people whose removal awaits the chair
    removals: int
    checked_in: int
    inside: int
    refused: int
    deposited: int
    returned: int
    #: recorded at closing as left behind by their owners
    unclaimed: int = 0

    @property
    def held(self) -> int:
        return self.deposited - self.returned - self.unclaimed


def _counter_columns(meeting_id) -> list:
    """The door's figures as scalar subqueries, for a meeting id or a column of them."""
    on_list = and_(Attendee.meeting_id == meeting_id, Attendee.removed_at.is_(None))
    exits = select(func.count()).where(Movement.meeting_id == meeting_id, Movement.kind == "exit")
    entries = select(func.count()).where(
        Movement.meeting_id == meeting_id, Movement.kind == "entry"
    )
    return [
        select(func.count()).where(on_list, Attendee.approved_at.is_not(None)).scalar_subquery(),
        select(func.count()).where(on_list, Attendee.approved_at.is_(None)).scalar_subquery(),
        select(func.count())
        .where(on_list, Attendee.removal_requested_at.is_not(None))
        .scalar_subquery(),
        select(func.count()).where(CheckIn.meeting_id == meeting_id).scalar_subquery(),
        exits.scalar_subquery(),
        entries.scalar_subquery(),
        select(func.count())
        .where(Incident.meeting_id == meeting_id, Incident.kind == "entry_refused")
        .scalar_subquery(),
        select(func.count()).where(Deposit.meeting_id == meeting_id).scalar_subquery(),
        select(func.count())
        .where(Deposit.meeting_id == meeting_id, Deposit.returned_at.is_not(None))
        .scalar_subquery(),
        select(func.count())
        .where(Deposit.meeting_id == meeting_id, Deposit.unclaimed_at.is_not(None))
        .scalar_subquery(),
    ]


def _counters(row) -> Counters:
    (
        expected,
        pending,
        removals,
        checked_in,
        n_exits,
        n_entries,
        refused,
        deposited,
        returned,
        unclaimed,
    ) = row
    return Counters(
        expected=expected,
        pending=pending,
        removals=removals,
        checked_in=checked_in,
        inside=checked_in - n_exits + n_entries,
        refused=refused,
        deposited=deposited,
        returned=returned,
        unclaimed=unclaimed,
    )


@built_once
def _counters_of_one():
    return select(*_counter_columns(bindparam("meeting_id")))


def counters(meeting_id: int) -> Counters:
    """Every figure of the door in one query (the counters poll every few seconds)."""
    return _counters(db.session.execute(_counters_of_one(), {"meeting_id": meeting_id}).one())


def counters_by_meeting(meeting_ids: list[int]) -> dict[int, Counters]:
    """The door's figures of several meetings in one query (a page of the meetings list)."""
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        select(Meeting.id, *_counter_columns(Meeting.id)).where(Meeting.id.in_(meeting_ids))
    )
    return {row[0]: _counters(row[1:]) for row in rows}


def check_ins_by_attendee(meeting_id: int, ids: list[int] | None = None) -> dict[int, CheckIn]:
    """The meeting's check-ins by attendee id (of ``ids`` only, when given)."""
    query = select(CheckIn).where(CheckIn.meeting_id == meeting_id)
    if ids is not None:
        if not ids:
            return {}
        query = query.where(CheckIn.attendee_id.in_(ids))
    return {c.attendee_id: c for c in db.session.scalars(query)}


def attendee_at_door(meeting_id: int, attendee_id: int) -> Attendee | None:
    """The meeting's attendee with their check-in (or None), in one statement."""
    attendee = db.session.get(Attendee, attendee_id, options=[joinedload(Attendee.check_in)])
    return attendee if attendee is not None and attendee.meeting_id == meeting_id else None


@built_once
def _check_in_of():
    return (
        select(CheckIn)
        .where(CheckIn.attendee_id == bindparam("attendee_id"))
        # the clerk's name with it; their roles only if something asks (the tablet's
        # clerk, read already for the login, is not read again)
        .options(joinedload(CheckIn.clerk).lazyload(User.role_rows))
    )


def check_in_of(attendee: Attendee) -> CheckIn | None:
    """``attendee.check_in``, read by its attendee when not loaded yet (the relationship
    never loads on access)."""
    if attendee.id is not None and "check_in" in inspect(attendee).unloaded:
        found = db.session.scalar(_check_in_of(), {"attendee_id": attendee.id})
        set_committed_value(attendee, "check_in", found)
    return attendee.check_in


def _held(meeting_id: int):
    """Items still at the door, by slot: neither returned nor recorded unclaimed."""
    return (
        select(Deposit)
        .where(
            Deposit.meeting_id == meeting_id,
            Deposit.returned_at.is_(None),
            Deposit.unclaimed_at.is_(None),
        )
        .order_by(Deposit.slot)
    )


def held_deposits(meeting_id: int) -> list[Deposit]:
    """Items still at the door, by slot: neither returned nor recorded unclaimed."""
    return list(db.session.scalars(_held(meeting_id)))


def held_page(meeting_id: int, *, page: int, q: str = "", per_page: int = 50):
    """Items still at the door, a page at a time; only those of people whose name contains
    ``q`` (without case or diacritics)."""
    query = _held(meeting_id)
    folded = fold(q)
    if folded:
        query = query.join(Deposit.attendee).where(
            Attendee.name_folded.like("%" + like_escaped(folded) + "%", escape="\\")
        )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


@built_once
def _deposits_of():
    return (
        select(Deposit)
        .where(Deposit.attendee_id == bindparam("attendee_id"))
        .order_by(Deposit.slot)
    )


def deposits_of(attendee_id: int) -> list[Deposit]:
    return list(db.session.scalars(_deposits_of(), {"attendee_id": attendee_id}))


def movements_of(attendee_id: int) -> list[Movement]:
    return list(
        db.session.scalars(
            select(Movement).where(Movement.attendee_id == attendee_id).order_by(Movement.id)
        )
    )


@dataclass(frozen=True)
class EntryGaps:
    """What the checklist asks of a meeting's check-ins."""

    #: check-ins that neither deposited a device nor declared carrying none
    undeclared: int = 0
    #: check-ins without a signature
    unsigned: int = 0


def entry_gaps_by_meeting(meeting_ids: list[int]) -> dict[int, EntryGaps]:
    """The ``EntryGaps`` of several meetings in one query (a page of the meetings list)."""
    if not meeting_ids:
        return {}
    deposited = (
        select(Deposit.id)
        .where(Deposit.meeting_id == CheckIn.meeting_id, Deposit.attendee_id == CheckIn.attendee_id)
        .exists()
    )
    undeclared = CheckIn.carries_none.is_(False) & ~deposited
    unsigned = (CheckIn.signature_strokes == "") | (func.length(CheckIn.signature_png) == 0)
    rows = db.session.execute(
        select(
            CheckIn.meeting_id,
            func.count().filter(undeclared),
            func.count().filter(unsigned),
        )
        .where(CheckIn.meeting_id.in_(meeting_ids))
        .group_by(CheckIn.meeting_id)
    )
    found = {meeting_id: EntryGaps(*counts) for meeting_id, *counts in rows}
    return {i: found.get(i, EntryGaps()) for i in meeting_ids}


def entry_gaps(meeting_id: int) -> EntryGaps:
    return entry_gaps_by_meeting([meeting_id])[meeting_id]


def has_deposits(meeting_id: int) -> bool:
    return (
        db.session.scalar(
            select(func.count()).select_from(Deposit).where(Deposit.meeting_id == meeting_id)
        )
        > 0
    )


def last_movement(attendee: Attendee) -> Movement | None:
    return db.session.scalar(
        select(Movement)
        .where(Movement.attendee_id == attendee.id)
        .order_by(Movement.id.desc())
        .limit(1)
    )


def is_inside(attendee: Attendee) -> bool:
    if check_in_of(attendee) is None:
        return False
    last = last_movement(attendee)
    return last is None or last.kind == "entry"


def unreturned(attendee: Attendee) -> list[Deposit]:
    return list(
        db.session.scalars(
            select(Deposit)
            .where(Deposit.attendee_id == attendee.id, Deposit.returned_at.is_(None))
            .order_by(Deposit.slot)
        )
    )


# -- identity at the door (door.identity) ---------------------------------------------------


def latest_identity_check(attendee_id: int) -> IdentityCheck | None:
    """The last card scanned for this invitation."""
    return db.session.scalar(
        select(IdentityCheck)
        .where(IdentityCheck.attendee_id == attendee_id)
        .order_by(IdentityCheck.at.desc(), IdentityCheck.id.desc())
        .limit(1)
    )


def verified_documents(meeting_id: int) -> dict[int, str]:
    """Attendees whose identity a document confirmed (the last CCCD or passport checked for
    them matched) → that document ("cccd" or "passport")."""
    rows = db.session.execute(
        select(IdentityCheck.attendee_id, IdentityCheck.matched, IdentityCheck.document)
        .where(IdentityCheck.meeting_id == meeting_id)
        .order_by(IdentityCheck.at, IdentityCheck.id)
    )
    last = {attendee_id: (matched, document) for attendee_id, matched, document in rows}
    return {attendee_id: doc for attendee_id, (matched, doc) in last.items() if matched}


def verified_attendee_ids(meeting_id: int) -> set[int]:
    """Attendees whose identity a CCCD or a passport confirmed (``verified_documents``)."""
    return set(verified_documents(meeting_id))


def unverified_check_ins(meeting_id: int) -> int:
    """Check-ins whose identity no CCCD or passport confirmed."""
    entered = set(
        db.session.scalars(select(CheckIn.attendee_id).where(CheckIn.meeting_id == meeting_id))
    )
    return len(entered - verified_attendee_ids(meeting_id))

"""A meeting of two days or more seals its room after each day (ND 26/2020 Điều 6 khoản 3
điểm b): a technician of the meeting or its organiser seals it in the evening (the seal's
number scanned or typed, as for a device's seal) and, next morning, scans the seal again
and says whether it is intact. A broken seal or another number is an incident."""

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError, NotAllowed
from meetingsec.core.i18n import local_date
from meetingsec.core.seals import parse_seal_number
from meetingsec.extensions import db
from meetingsec.incidents.services import record_incident
from meetingsec.meetings.lifecycle import Action
from meetingsec.meetings.locking import lock_meeting
from meetingsec.meetings.models import Meeting, RoomSeal

if TYPE_CHECKING:
    from meetingsec.users.models import User


def meeting_days(meeting: Meeting) -> list[date]:
    """The meeting's days on the agency's calendar, first to last."""
    first, last = local_date(meeting.starts_at), local_date(meeting.ends_at)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def nights(meeting: Meeting) -> list[date]:
    """The days after which the room is sealed: every day but the last."""
    return meeting_days(meeting)[:-1]


def seals_of(meeting_id: int) -> dict[date, RoomSeal]:
    rows = db.session.scalars(select(RoomSeal).where(RoomSeal.meeting_id == meeting_id))
    return {r.day: r for r in rows}


def _require_sealer(meeting: Meeting, actor: "User") -> None:
    if actor.id != meeting.organiser_id and actor.id not in meeting.member_ids("technician"):
        raise NotAllowed(
            _l("Only the organiser or a technician of this meeting can seal its room."),
            "not_sealer",
        )


def _require_open(meeting: Meeting) -> None:
    lock_meeting(meeting)
    if not meeting.status.allows(Action.SEAL_ROOM):
        raise DomainError(
            _l("The room is sealed between the days of a meeting that is under way."),
            "not_under_way",
        )


def seal_room(
    meeting: Meeting, *, actor: "User", seal_number: str, key: str, now: datetime | None = None
) -> RoomSeal:
    """The evening of a day that is not the meeting's last: the room sealed."""
    _require_sealer(meeting, actor)
    _require_open(meeting)
    done = db.session.scalar(select(RoomSeal).where(RoomSeal.key == key))
    if done is not None:
        return done
    number = parse_seal_number(seal_number)
    now = now or utcnow()
    day = local_date(now)
    if day not in nights(meeting):
        raise DomainError(
            _l("The room is sealed after each day of the meeting but the last."), "not_a_night"
        )
    if day in seals_of(meeting.id):
        raise DomainError(_l("The room was already sealed today."), "already_sealed")
    seal = RoomSeal(
        meeting_id=meeting.id,
        day=day,
        seal_number=number,
        sealed_by_id=actor.id,
        sealed_at=now,
        key=key,
    )
    db.session.add(seal)
    db.session.flush()
    record(
        "room.sealed",
        seal,
        actor=actor,
        now=now,
        data={"meeting_id": meeting.id, "day": day.isoformat(), "seal_number": number},
    )
    return seal


def find_seal(
    meeting: Meeting,
    *,
    actor: "User",
    seal_number: str,
    intact: bool,
    key: str,
    now: datetime | None = None,
) -> RoomSeal:
    """Next morning: the seal scanned again. Not intact, or another number: an incident."""
    _require_sealer(meeting, actor)
    _require_open(meeting)
    done = db.session.scalar(select(RoomSeal).where(RoomSeal.found_key == key))
    if done is not None:
        return done
    number = parse_seal_number(seal_number)
    now = now or utcnow()
    today = local_date(now)
    seal = next(
        (s for d, s in sorted(seals_of(meeting.id).items()) if d < today and s.found_at is None),
        None,
    )
    if seal is None:
        raise DomainError(_l("No sealed night of this meeting is waiting to be opened."), "no_seal")
    seal.found_number, seal.found_intact = number, intact
    seal.found_ok = intact and number == seal.seal_number
    seal.found_by_id, seal.found_at, seal.found_key = actor.id, now, key
    data = {
        "meeting_id": meeting.id,
        "day": seal.day.isoformat(),
        "seal_number": number,
        "expected": seal.seal_number,
        "intact": intact,
        "ok": seal.found_ok,
    }
    record("room.seal_found", seal, actor=actor, now=now, data=data)
    if not seal.found_ok:
        what = "tem niêm phong bị rách" if not intact else "số tem không khớp"
        record_incident(
            meeting,
            actor=actor,
            kind="seal_broken" if not intact else "seal_mismatch",
            description=(
                f"Phòng họp niêm phong sau ngày {seal.day:%d/%m/%Y}: {what}; "
                f"tem niêm phong {seal.seal_number}, tem thấy {number}"
            ),
            action="room.seal_broken",
            data=data,
            now=now,
        )
    return seal

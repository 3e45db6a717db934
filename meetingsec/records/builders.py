"""The data each record of a meeting shows in its template of the official layout (Nghị
định 30/2020/NĐ-CP, Phụ lục I); each builder is named by its kind's entry in
``records.choices.KINDS``. Templates never query: everything is read here, once."""

import base64
import hashlib
import threading
from collections import OrderedDict, defaultdict

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from meetingsec.attendees.models import PASSPORT, Attendee
from meetingsec.devices import queries as devices
from meetingsec.documents import queries as documents
from meetingsec.door import queries as door
from meetingsec.door import signature as signatures
from meetingsec.door.models import CheckIn, Deposit
from meetingsec.extensions import db
from meetingsec.incidents import queries as incidents
from meetingsec.legal.choices import Phase
from meetingsec.meetings.models import Meeting
from meetingsec.meetings.queries import load_people
from meetingsec.org.choices import FunctionalBody
from meetingsec.org.queries import body_of
from meetingsec.records.choices import RecordKind
from meetingsec.records.official import PROVINCIAL_POLICE, highest, official_context
from meetingsec.records.signers import Signer, agency_head, signers_for

#: "Nơi nhận" of every meeting record: its chair
TO_CHAIR = "Người chủ trì cuộc họp"


def inspecting_units(technicians, body: FunctionalBody | None = None) -> list[str]:
    """The units whose officers inspected (their users' units: the police, or a defence or
    Ban Cơ yếu body for their own hosts), for "Nơi nhận"."""
    names = sorted({t.unit.name for t in technicians if t.unit is not None})
    return names or [f"{(body or FunctionalBody.POLICE).official_name} đã kiểm tra"]


def _organiser(meeting, position: str = "Người tổ chức") -> Signer:
    load_people(meeting)  # the relationships never load on access
    return Signer(position, meeting.organiser.full_name)


def _chair(meeting) -> Signer:
    load_people(meeting)
    return Signer("Người chủ trì", meeting.chair.full_name)


def _technicians(meeting: Meeting) -> list:
    people = {i.technician for d in devices.load_devices(meeting) for i in d.inspections}
    people |= {c.technician for c in devices.load_venue_checks(meeting)}
    return sorted(people, key=lambda u: u.full_name)


def _deposits_by_attendee(meeting_id: int) -> dict[int, list[Deposit]]:
    out = defaultdict(list)
    rows = db.session.scalars(
        select(Deposit).where(Deposit.meeting_id == meeting_id).order_by(Deposit.slot)
    )
    for d in rows:
        out[d.attendee_id].append(d)
    return out


#: The derived check of the checklist item that the records themselves fulfil
MADE_BY_RECORDS = "records_generated"

#: A record rendered in one go
WHOLE = {"first": True, "last": True, "offset": 0, "numbered": True}
#: Rows from which the attendance sheet is laid out in parts: a small opening part (the
#: header, the figures, the commitment and the first rows) and a small closing one (the
#: last rows, the signatures and the audit chain's head), both made when the sheet is asked
#: for, and groups of rows between them that the worker lays out while the door works
#: (``records.sheet``) and keeps until the meeting's records are final
SPLIT_FROM = 60
#: Rows of the opening part, of the closing part, and of each group between them. A group
#: is fixed by its rows' places in the list, so a change (a late signature, a re-entry)
#: re-lays out only its own group; a person added to the list changes only the last ones.
HEAD_ROWS = 10
TAIL_ROWS = 5
GROUP_ROWS = 100


def parts_of(kind: RecordKind, context: dict) -> list[dict] | None:
    """The contexts of a big attendance sheet's parts (the opening part, the groups of
    rows, the closing part: each starts a page), or None to render it in one go. Only the
    opening and closing parts carry what changes up to the moment the sheet is made (the
    date, the figures, the chain's head): a group's HTML changes only with its rows."""
    rows = context.get("rows") if kind is RecordKind.ATTENDANCE else None
    if not rows or len(rows) < SPLIT_FROM:
        return None
    n = len(rows)
    bounds = [0, HEAD_ROWS, *range(HEAD_ROWS + GROUP_ROWS, n - TAIL_ROWS, GROUP_ROWS)]
    bounds.append(n - TAIL_ROWS)
    bounds.append(n)
    spans = list(zip(bounds, bounds[1:], strict=False))
    return [
        {
            **context,
            "rows": rows[a:b],
            "part": {
                "first": i == 0,
                "last": i == len(spans) - 1,
                "offset": a,
                "numbered": False,
            },
        }
        for i, (a, b) in enumerate(spans)
    ]


#: Signatures drawn for print, by their strokes' SHA-256: the worker draws each one once
#: (the sheet is read again at every preparation and at closing); at most PRINTED_KEPT
#: of them (about 2.5 KB each)
_printed: OrderedDict[bytes, str] = OrderedDict()
_printed_lock = threading.Lock()
PRINTED_KEPT = 20_000


def printed_signature(strokes: str) -> str:
    """The signature drawn from its strokes, black at 300 dpi, as a data URI."""
    key = hashlib.sha256(strokes.encode()).digest()
    with _printed_lock:
        uri = _printed.get(key)
        if uri is not None:
            _printed.move_to_end(key)
            return uri
    uri = "data:image/png;base64," + base64.b64encode(signatures.print_png(strokes)).decode()
    with _printed_lock:
        _printed[key] = uri
        while len(_printed) > PRINTED_KEPT:
            _printed.popitem(last=False)
    return uri


def attendance(meeting: Meeting) -> dict:
    """Every approved person (and anyone who checked in), in the list's order, with the
    time of entry, the signature drawn at the door and what they deposited."""
    people = list(
        db.session.scalars(
            select(Attendee)
            .outerjoin(CheckIn)
            .where(
                Attendee.meeting_id == meeting.id,
                or_(
                    CheckIn.id.is_not(None),
                    Attendee.approved_at.is_not(None) & Attendee.removed_at.is_(None),
                ),
            )
            .options(
                joinedload(Attendee.check_in).joinedload(CheckIn.commitment),
                joinedload(Attendee.check_in).undefer(CheckIn.signature_strokes),
            )
            .order_by(Attendee.id)
        )
    )
    deposits = _deposits_by_attendee(meeting.id)
    verified = door.verified_documents(meeting.id)
    rows = []
    commitments = {}
    for a in people:
        c = a.check_in
        if c is not None:
            commitments[c.commitment_sha256] = c.commitment.text
        rows.append(
            {
                "name": a.full_name,
                "position": a.position,
                "unit": a.unit_name,
                "at": c.at if c else None,
                # drawn from the strokes themselves, black at 300 dpi
                "signature": printed_signature(c.signature_strokes) if c else None,
                "deposits": deposits.get(a.id, []),
                "carries_none": bool(c and c.carries_none),
                "identity_verified": a.id in verified,
                "identity_document": verified.get(a.id),
            }
        )
    return {
        **official_context(meeting, RecordKind.ATTENDANCE),
        "part": WHOLE,
        "total_rows": len(rows),
        "rows": rows,
        "commitments": commitments,
        "checked_in": sum(1 for r in rows if r["at"]),
        "identity_verified": len(verified),
        "passports_verified": sum(1 for d in verified.values() if d == PASSPORT),
        "signers": signers_for(
            meeting,
            RecordKind.ATTENDANCE,
            left=_organiser(meeting, "Người lập danh sách"),
            right=_chair(meeting),
        ),
        "recipients": [TO_CHAIR],
    }


def security(meeting: Meeting) -> dict:
    """The meeting security record: the meeting, its approval, every checklist item with
    its state, who and when, and its citation; incidents; deposits and returns; documents
    handed out and recovered; devices."""
    from meetingsec.records import queries

    views = queries.evaluate_checklist(meeting)
    technicians = _technicians(meeting)
    return {
        **official_context(meeting, RecordKind.SECURITY),
        "signers": signers_for(
            meeting, RecordKind.SECURITY, left=_organiser(meeting), right=_chair(meeting)
        ),
        "recipients": [TO_CHAIR, *(inspecting_units(technicians) if technicians else [])],
        "phases": list(Phase),
        "views": views,
        # the item this very record fulfils: it reads as made by it, never as still to do
        "made_here": {v.rule.id for v in views if v.rule.check == MADE_BY_RECORDS},
        "incidents": incidents.list_incidents(meeting.id),
        "counters": door.counters(meeting.id),
        "held": door.held_deposits(meeting.id),
        "unclaimed": _unclaimed(meeting.id),
        "copies": documents.copies_of(meeting.id),
        "copy_counts": documents.copy_counts(meeting.id),
        "documents": documents.documents_of(meeting.id),
        "technicians": technicians,
        "body": _body_that_inspected(meeting, _inspections(meeting)),
        "devices": devices.devices_of(meeting),
    }


def _unclaimed(meeting_id: int) -> list[Deposit]:
    return list(
        db.session.scalars(
            select(Deposit)
            .where(Deposit.meeting_id == meeting_id, Deposit.unclaimed_at.is_not(None))
            .order_by(Deposit.slot)
        )
    )


def _inspections(meeting: Meeting) -> list:
    return [i for d in devices.load_devices(meeting) for i in d.inspections]


def _body_that_inspected(meeting: Meeting, inspections) -> FunctionalBody:
    """The body that inspected the devices: the police, or a defence or Ban Cơ yếu host's
    own functional body (the one that inspects for the host unit before any did)."""
    return FunctionalBody(inspections[-1].body) if inspections else body_of(meeting.host_unit)


def inspection(meeting: Meeting) -> dict:
    inspections = _inspections(meeting)
    technicians = sorted({i.technician for i in inspections}, key=lambda u: u.full_name)
    inspector = technicians[0] if technicians else None
    body = _body_that_inspected(meeting, inspections)
    return {
        **official_context(meeting, RecordKind.INSPECTION),
        "technicians": technicians,
        "body": body,
        "signers": signers_for(
            meeting,
            RecordKind.INSPECTION,
            left=_organiser(meeting, "Đại diện đơn vị chủ trì"),
            right=Signer("Cán bộ kiểm tra", inspector.full_name if inspector else ""),
        ),
        "recipients": [TO_CHAIR, *inspecting_units(technicians, body)],
    }


def venue_check(meeting: Meeting) -> dict:
    check = devices.load_venue_checks(meeting)[-1]
    return {
        **official_context(meeting, RecordKind.VENUE_CHECK),
        "check": check,
        "body": FunctionalBody(check.body),
        "signers": signers_for(
            meeting,
            RecordKind.VENUE_CHECK,
            left=_organiser(meeting, "Đại diện đơn vị chủ trì"),
            right=Signer("Cán bộ kiểm tra", check.technician.full_name),
        ),
        "recipients": [TO_CHAIR, *inspecting_units([check.technician], FunctionalBody(check.body))],
    }


def loss_report(meeting: Meeting) -> dict:
    """The immediate report to the police of the copies lost at the meeting (Nghị định
    26/2020/NĐ-CP, Điều 8): what was lost (document, copy, classification), when and where,
    who held it, what was done; marked as the most secret of the lost documents."""
    lost = documents.lost_copies(meeting.id)
    # the police units that inspected for the meeting, or the provincial police
    police = sorted(
        {
            t.unit.name
            for t in _technicians(meeting)
            if t.unit is not None and body_of(t.unit) is FunctionalBody.POLICE
        }
    )
    return {
        **official_context(meeting, RecordKind.LOSS_REPORT),
        "lost": lost,
        "copy_counts": documents.copy_counts(meeting.id),
        "mark_class": highest([c.document.classification for c in lost]),
        "police": police or [PROVINCIAL_POLICE],
        "signers": signers_for(
            meeting, RecordKind.LOSS_REPORT, left=None, right=agency_head() or _chair(meeting)
        ),
    }


def closing(meeting: Meeting) -> dict:
    """The closing summary: the meeting's timeline, its figures, what was checked at
    closing, and the fingerprint of every other record."""
    from meetingsec.records import queries

    latest = queries.latest_records(meeting.id)
    copy_counts = documents.copy_counts(meeting.id)
    # the police hear of a meeting outside headquarters, or of a loss
    police = not meeting.venue.at_hq or copy_counts.lost > 0
    return {
        **official_context(meeting, RecordKind.CLOSING),
        "signers": signers_for(
            meeting, RecordKind.CLOSING, left=_organiser(meeting), right=_chair(meeting)
        ),
        "recipients": [TO_CHAIR, *(inspecting_units(_technicians(meeting)) if police else [])],
        "after": [v for v in queries.evaluate_checklist(meeting) if v.rule.phase is Phase.AFTER],
        "counters": door.counters(meeting.id),
        "copy_counts": copy_counts,
        "incidents": incidents.count_incidents(meeting.id),
        "records": [
            latest[k]
            for k in queries.kinds_for(meeting)
            if k in latest and k is not RecordKind.CLOSING
        ],
        "RecordKind": RecordKind,
    }

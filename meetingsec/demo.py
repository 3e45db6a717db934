"""A demo agency for trying meetingsec out (``flask seed-demo``, run by ``make run``)."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
from meetingsec.checklists import services as checklist
from meetingsec.core.db import utcnow
from meetingsec.core.i18n import local_date, to_utc
from meetingsec.devices import services as devices
from meetingsec.documents import services as documents
from meetingsec.door import commitment, deposits
from meetingsec.door import queries as door_queries
from meetingsec.extensions import db
from meetingsec.legal.choices import Phase
from meetingsec.meetings.access import responsible_ids
from meetingsec.meetings.services import MeetingData, approve_meeting, end_session, start_session
from meetingsec.org import services as org
from meetingsec.org.models import Unit, Venue
from meetingsec.records.queries import evaluate_checklist
from meetingsec.users import services as users
from meetingsec.users.roles import Role
from meetingsec.workflows import services as workflows
from meetingsec.workflows.services import clear_meeting, create_meeting

DEMO_PASSWORD = "demo-meetingsec-2026"

#: (name, parent name)
DEMO_UNITS = [
    ("Ủy ban nhân dân tỉnh Bình Minh", None),
    ("Văn phòng Ủy ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh Bình Minh"),
    ("Sở Nội vụ", "Ủy ban nhân dân tỉnh Bình Minh"),
    ("Công an tỉnh Bình Minh", None),
    ("Phòng An ninh chính trị nội bộ", "Công an tỉnh Bình Minh"),
]

#: (name, address, at HQ, closed room)
DEMO_VENUES = [
    ("Phòng họp số 1 (tầng 3)", "Trụ sở UBND tỉnh, 01 đường Trần Hưng Đạo", True, True),
    ("Hội trường lớn", "Trụ sở UBND tỉnh, 01 đường Trần Hưng Đạo", True, False),
    ("Hội trường Khách sạn Sông Hồng", "25 đường Lê Lợi, thành phố Bình Minh", False, True),
]

#: (username, full name, position, roles)
DEMO_USERS = [
    ("admin", "Trần Quản Trị", "Chuyên viên công nghệ thông tin", {Role.ADMIN}),
    ("tochuc", "Nguyễn Thị Tổ Chức", "Chánh Văn phòng", {Role.ORGANISER}),
    ("chutri", "Lê Văn Chủ Trì", "Phó Chủ tịch Ủy ban nhân dân tỉnh", {Role.CHAIR}),
    ("kythuat", "Phạm Đức Kỹ Thuật", "Thượng úy, cán bộ kỹ thuật", {Role.TECHNICIAN}),
    ("letan", "Hoàng Thị Lễ Tân", "Chuyên viên Văn phòng", {Role.CLERK}),
    ("kiemtra", "Đỗ Minh Kiểm Tra", "Thanh tra viên", {Role.AUDITOR}),
]

_USER_UNITS = {"kythuat": "Phòng An ninh chính trị nội bộ"}


def _seed_meeting(units, users_by_name) -> None:
    """A Tối mật conference at HQ in three days, its team assigned, still a draft."""

    day = local_date(utcnow()) + timedelta(days=3)
    start = to_utc(datetime.combine(day, time(8, 0)))
    venue = db.session.scalar(select(Venue).where(Venue.name == DEMO_VENUES[0][0]))
    meeting = create_meeting(
        MeetingData(
            title="Hội nghị giao ban công tác bảo vệ bí mật nhà nước quý IV",
            kind="hoi_nghi",
            classification="toi_mat",
            format="in_person",
            starts_at=start,
            ends_at=start + timedelta(hours=3, minutes=30),
            venue=venue,
            host_unit=units["Văn phòng Ủy ban nhân dân tỉnh"],
            chair=users_by_name["chutri"],
            technicians=[users_by_name["kythuat"]],
            clerks=[users_by_name["letan"]],
        ),
        actor=users_by_name["tochuc"],
    )

    add_attendees(
        meeting, _attendee_rows(DEMO_ATTENDEES[:5]), actor=users_by_name["tochuc"], source="demo"
    )


#: (full name, position, unit) of the demo attendees
DEMO_ATTENDEES = [
    ("Nguyễn Văn An", "Giám đốc", "Sở Nội vụ"),
    ("Trần Thị Bình", "Phó Giám đốc", "Sở Nội vụ"),
    ("Lê Đức Cường", "Chánh Thanh tra", "Thanh tra tỉnh"),
    ("Phạm Thị Dung", "Trưởng phòng", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Hoàng Minh Đức", "Phó Trưởng phòng", "Công an tỉnh Bình Minh"),
    ("Võ Thị Hạnh", "Chuyên viên", "Văn phòng Ủy ban nhân dân tỉnh"),
    ("Đặng Quốc Huy", "Giám đốc", "Sở Thông tin và Truyền thông"),
    ("Bùi Thị Lan", "Chánh Văn phòng", "Sở Tư pháp"),
    ("Đỗ Văn Long", "Phó Chỉ huy trưởng", "Bộ Chỉ huy Quân sự tỉnh"),
    ("Ngô Thị Mai", "Trưởng phòng", "Sở Tài chính"),
    ("Dương Văn Nam", "Phó Giám đốc", "Sở Kế hoạch và Đầu tư"),
    ("Nguyễn Thị Ánh", "Chuyên viên", "Sở Nội vụ"),
]


def _attendee_rows(people) -> list[dict]:
    return [
        {"full_name": n, "position": p, "unit_name": u, "id_number": "", "phone": ""}
        for n, p, u in people
    ]


def _through_the_gate(units, users_by_name, *, title: str, start: datetime, at: datetime):
    """A Tối mật meeting taken through every step to "cleared to start", the work done
    from ``at`` on: approved, its microphone inspected, sealed and re-checked, its
    checklist marked, its attendee list approved."""
    organiser, chair = users_by_name["tochuc"], users_by_name["chutri"]
    tech = users_by_name["kythuat"]
    venue = db.session.scalar(select(Venue).where(Venue.name == DEMO_VENUES[0][0]))
    step = iter(range(1, 1000))

    def now():
        return at + timedelta(seconds=next(step))

    meeting = create_meeting(
        MeetingData(
            title=title,
            kind="cuoc_hop",
            classification="toi_mat",
            format="in_person",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            venue=venue,
            host_unit=units["Văn phòng Ủy ban nhân dân tỉnh"],
            chair=chair,
            technicians=[tech],
            clerks=[users_by_name["letan"]],
        ),
        actor=organiser,
        now=now(),
    )
    approve_meeting(
        meeting,
        actor=chair,
        approver_name=chair.full_name,
        approver_position=chair.position,
        approval_number="45/QĐ-UBND",
        approval_date=local_date(at),
        now=now(),
    )
    mic = devices.save_device(
        None,
        actor=organiser,
        kind="wired_mic",
        make="Bosch",
        model="CCS 1000 D",
        serial=f"DEMO-{meeting.id:03d}",
        owner_unit=units["Văn phòng Ủy ban nhân dân tỉnh"],
        ban_co_yeu=False,
        notes="",
    )
    md = devices.add_device(meeting, mic, actor=organiser, now=now())
    seal = f"NP-2027-{meeting.id:04d}"
    devices.record_inspection(
        meeting,
        md,
        actor=tech,
        result="pass",
        seal_number=seal,
        notes="",
        key=f"demo-inspection-{meeting.id}",
        based_on=0,
        now=now(),
    )
    devices.install(meeting, md, actor=tech, now=now())
    devices.check_seal(
        meeting,
        md,
        actor=tech,
        seal_number=seal,
        intact=True,
        key=f"demo-seal-{meeting.id}",
        now=now(),
    )
    by_id = {u.id: u for u in users_by_name.values()}
    for view in evaluate_checklist(meeting):
        if view.is_manual and view.rule.phase is Phase.BEFORE:
            actor = by_id[sorted(responsible_ids(meeting, view.rule.who))[0]]
            checklist.mark_item(
                meeting,
                view.rule.id,
                actor=actor,
                state="done",
                note="Đã thực hiện (dữ liệu mẫu).",
                now=now(),
            )
    people = add_attendees(
        meeting, _attendee_rows(DEMO_ATTENDEES), actor=organiser, source="demo", now=now()
    )
    approve_list(meeting, actor=chair, seen=shown_changes(people, []), now=now())
    document = workflows.register_document(
        meeting,
        actor=organiser,
        number="12/KH-UBND",
        title="Kế hoạch bảo vệ bí mật nhà nước năm 2027 (dự thảo)",
        classification="toi_mat",
        copy_count=5,
        copy_authorisation="Phó Chủ tịch UBND tỉnh cho phép sao 5 bản (Phiếu trình số 88/PT-VP)",
        now=now(),
    )
    clear_meeting(meeting, actor=chair, now=now())
    return meeting, people, document, now


def _seed_cleared_meeting(units, users_by_name) -> None:
    """A meeting starting in 20 minutes, cleared to start: the door is open, check people
    in. Skipped when the start would fall on the next day (its seals are re-checked on
    the meeting's day)."""
    now = utcnow()
    start = now + timedelta(minutes=20)
    if local_date(start) != local_date(now):
        return
    # the work from half an hour ago, but not before midnight: the seal is re-checked on
    # the meeting's day
    midnight = to_utc(datetime.combine(local_date(now), time(0, 0)))
    _through_the_gate(
        units,
        users_by_name,
        title="Họp triển khai kế hoạch bảo vệ bí mật nhà nước năm 2027",
        start=start,
        at=max(now - timedelta(minutes=30), midnight),
    )


def _seed_ended_meeting(units, users_by_name) -> None:
    """A meeting held this morning whose session has ended: eight people came (phones
    deposited, commitments signed), four copies of its document were handed out; two
    copies and three phones are still out. Close it out: recover, hand back, generate the
    records, close. Skipped when "this morning" would be yesterday."""
    now = utcnow()
    start = now - timedelta(hours=2)
    if local_date(start - timedelta(hours=1)) != local_date(now):
        return
    meeting, people, document, at = _through_the_gate(
        units,
        users_by_name,
        title="Họp đánh giá công tác bảo vệ bí mật nhà nước năm 2026",
        start=start,
        at=start - timedelta(hours=1),
    )
    clerk, chair = users_by_name["letan"], users_by_name["chutri"]
    sha = commitment.commitment_for(meeting)[1]
    for i, person in enumerate(people[:8]):
        workflows.check_in(
            meeting,
            person.invitation_code,
            actor=clerk,
            key=f"demo-check-in-{person.id}",
            items={"phone": 1},
            carries_none=False,
            signature=demo_signature(i),
            commitment_sha256=sha,
            now=start - timedelta(minutes=15 - i),
        )
    start_session(meeting, actor=chair, now=start)
    for person, copy in zip(people[:4], document.copies, strict=False):
        documents.hand_out(
            meeting,
            actor=clerk,
            key=f"demo-hand-out-{copy.id}",
            attendee_code=person.invitation_code,
            copy_code=copy.code,
            now=start + timedelta(minutes=2),
        )
    end_session(meeting, actor=chair, now=start + timedelta(minutes=90))
    for copy in document.copies[:2]:
        documents.recover(
            meeting,
            actor=clerk,
            key=f"demo-recover-{copy.id}",
            copy_code=copy.code,
            now=start + timedelta(minutes=91),
        )
    for person in people[:5]:
        deposits.return_items(
            meeting,
            person,
            actor=clerk,
            key=f"demo-return-{person.id}",
            deposit_ids=[d.id for d in door_queries.unreturned(person)],
            now=start + timedelta(minutes=92),
        )


def demo_signature(i: int) -> str:
    """A plausible signature drawn on a 600 × 200 pad, different for each ``i``."""
    import json
    import math

    points = [
        {"x": 60 + t * 12, "y": 100 + 45 * math.sin(t / (2 + i % 3)), "time": t * 16}
        for t in range(40)
    ]
    return json.dumps({"width": 600, "height": 200, "strokes": [{"points": points}]})


def seed() -> bool:
    """Create what is missing of the demo agency; return whether anything was created."""
    if users.get_user_by_username(DEMO_USERS[0][0]) is not None:
        return False
    units: dict[str, Unit] = {}
    for name, parent in DEMO_UNITS:
        units[name] = org.save_unit(None, actor=None, name=name, parent=units.get(parent))
    for name, address, at_hq, closed in DEMO_VENUES:
        org.save_venue(
            None, actor=None, name=name, address=address, at_hq=at_hq, closed_room=closed
        )
    created = {}
    for username, full_name, position, roles in DEMO_USERS:
        unit = units[_USER_UNITS.get(username, "Văn phòng Ủy ban nhân dân tỉnh")]
        created[username] = users.create_user(
            actor=None,
            username=username,
            full_name=full_name,
            position=position,
            unit=unit,
            roles=roles,
            password=DEMO_PASSWORD,
        )
    org.save_agency(
        actor=created["admin"],
        parent_agency="UBND tỉnh Bình Minh",
        agency="Văn phòng",
        abbreviation="VP",
        place="Bình Minh",
        head_position="Chánh Văn phòng",
        head_name="Nguyễn Thị Tổ Chức",
    )
    _seed_meeting(units, created)
    _seed_cleared_meeting(units, created)
    _seed_ended_meeting(units, created)
    return True

"""A demo agency for trying meetingsec out (``flask seed-demo``, run by ``make run``)."""

from sqlalchemy import select

from meetingsec.extensions import db
from meetingsec.org import services as org
from meetingsec.org.models import Unit
from meetingsec.users import services as users
from meetingsec.users.roles import Role

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
    from datetime import datetime, time, timedelta

    from meetingsec.core.db import utcnow
    from meetingsec.core.i18n import local_date, to_utc
    from meetingsec.meetings.services import MeetingData, create_meeting
    from meetingsec.org.models import Venue

    day = local_date(utcnow()) + timedelta(days=3)
    start = to_utc(datetime.combine(day, time(8, 0)))
    venue = db.session.scalar(select(Venue).where(Venue.name == DEMO_VENUES[0][0]))
    create_meeting(
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
    _seed_meeting(units, created)
    return True

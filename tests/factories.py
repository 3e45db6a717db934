"""The test data factories: each ``*_factory`` returns the function a fixture of
``tests/conftest.py`` hands to tests (``make_user``, ``make_meeting``, ``make_device``,
``open_door``, ``ended_meeting``)."""

from datetime import datetime, time, timedelta

from meetingsec.extensions import db as _db

PASSWORD = "correct horse battery"


def chair_of(meeting):
    """The meeting's chair, read by id (the relationship never loads on access)."""
    from meetingsec.users.models import User

    return _db.session.get(User, meeting.chair_id)


def organiser_of(meeting):
    """The meeting's organiser, read by id (the relationship never loads on access)."""
    from meetingsec.users.models import User

    return _db.session.get(User, meeting.organiser_id)


def user_factory():
    """``make_user("organiser")`` or ``make_user(roles={Role.ADMIN}, username=…)``."""
    from meetingsec.users.roles import Role
    from meetingsec.users.services import create_user

    counter = iter(range(1, 10_000))

    def make(*role_names, **kw):
        roles = kw.pop("roles", None) or {Role(r) for r in (role_names or ("organiser",))}
        n = next(counter)
        kw.setdefault("username", f"user{n}")
        kw.setdefault("full_name", f"Người Dùng {n}")
        kw.setdefault("password", PASSWORD)
        user = create_user(actor=None, roles=roles, **kw)
        _db.session.commit()
        return user

    return make


def meeting_factory(make_user):
    """``make_meeting(classification="mat", at_hq=True, …)``: a meeting in draft, created by
    an organiser through the service, with a venue, host unit and chair of its own."""

    from meetingsec.core.db import utcnow
    from meetingsec.meetings.services import MeetingData
    from meetingsec.org.services import save_unit, save_venue
    from meetingsec.workflows.services import create_meeting

    counter = iter(range(1, 10_000))

    def make(
        *,
        classification="tuyet_mat",
        at_hq=False,
        closed_room=True,
        format="in_person",
        organiser=None,
        chair=None,
        technicians=(),
        clerks=(),
        recording_planned=False,
        foreign_participation=False,
        starts_in=timedelta(days=7),
        title=None,
    ):
        n = next(counter)
        venue = save_venue(
            None, actor=None, name=f"Địa điểm {n}", address="", at_hq=at_hq, closed_room=closed_room
        )
        unit = save_unit(None, actor=None, name=f"Đơn vị chủ trì {n}", parent=None)
        organiser = organiser or make_user("organiser")
        chair = chair or make_user("chair")
        start = utcnow() + starts_in
        meeting = create_meeting(
            MeetingData(
                title=title or f"Hội nghị số {n}",
                kind="hoi_nghi",
                classification=classification,
                format=format,
                starts_at=start,
                ends_at=one_day_end(start),
                venue=venue,
                host_unit=unit,
                chair=chair,
                technicians=list(technicians),
                clerks=list(clerks),
                recording_planned=recording_planned,
                foreign_participation=foreign_participation,
            ),
            actor=organiser,
        )
        _db.session.commit()
        return meeting

    return make


def device_factory():
    """``make_device(kind="wired_mic", ban_co_yeu=False)``: a registered device."""
    from meetingsec.devices.services import save_device

    def make(
        kind="wired_mic",
        *,
        ban_co_yeu=False,
        make="Bosch",
        model="CCS 1000",
        serial="",
        tag_code=None,
    ):
        device = save_device(
            None,
            actor=None,
            kind=kind,
            make=make,
            model=model,
            serial=serial,
            owner_unit=None,
            ban_co_yeu=ban_co_yeu,
            notes="",
        )
        if tag_code:
            device.tag_code = tag_code
        _db.session.commit()
        return device

    return make


def one_day_end(start: datetime) -> datetime:
    """Three hours after ``start``, or the end of its day: a meeting made at any hour of
    the test run stays within one local day (a meeting over two days has more rules)."""
    from meetingsec.core.i18n import local_date, to_local, to_utc

    end = start + timedelta(hours=3)
    if local_date(end) != local_date(start):
        end = max(
            to_utc(datetime.combine(to_local(start).date(), time(23, 59, 59))),
            start + timedelta(seconds=1),
        )
    return end


def door_factory(make_meeting, make_user):
    """``open_door(n=3, classification=…)``: a meeting cleared to start (the gate itself is
    tested with the meetings), a door clerk on its team, ``n`` approved attendees."""
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes

    def make(n=3, *, classification="toi_mat", device_policy=None, names=None):
        clerk = make_user("clerk")
        meeting = make_meeting(clerks=[clerk], classification=classification)
        names = names or [f"Nguyễn Văn Khách {i}" for i in range(1, n + 1)]
        people = add_attendees(
            meeting,
            [
                {"full_name": name, "unit_name": "Sở Nội vụ", "position": "Chuyên viên"}
                for name in names
            ],
            actor=organiser_of(meeting),
            source="test",
        )
        approve_list(meeting, actor=chair_of(meeting), seen=shown_changes(people, []))
        meeting.status = "cleared"
        meeting.device_policy = device_policy
        _db.session.commit()
        return meeting, clerk, people

    return make


def ended_meeting_factory(open_door):
    """``ended_meeting()``: a Tối mật meeting whose session has ended (closing): three
    approved people, two checked in with a phone each (one handed back), a document of
    two copies, copy 1 handed to the first person and not yet recovered."""
    from meetingsec.documents import services as documents
    from meetingsec.door import deposits as door_deposits
    from meetingsec.door import queries as door_queries
    from meetingsec.meetings import services as meetings
    from meetingsec.workflows import services as workflows
    from tests.helpers import check_in

    def make(**kw):
        meeting, clerk, people = open_door(**kw)
        a, b = people[0], people[1]
        check_in(meeting, clerk, a)
        check_in(meeting, clerk, b)
        doc = workflows.register_document(
            meeting,
            actor=organiser_of(meeting),
            number="07/KH-BCĐ",
            title="Kế hoạch bảo vệ",
            classification=meeting.classification,
            copy_count=2,
            copy_authorisation="Giám đốc cho phép sao 2 bản",
        )
        documents.hand_out(
            meeting,
            actor=clerk,
            key=f"fixture-handout-{meeting.id}",
            attendee_code=a.invitation_code,
            copy_code=doc.copies[0].code,
        )
        meetings.start_session(meeting, actor=chair_of(meeting))
        deposit = door_queries.unreturned(b)[0]
        door_deposits.return_items(
            meeting, b, actor=clerk, key=f"fixture-return-{meeting.id}", deposit_ids=[deposit.id]
        )
        meetings.end_session(meeting, actor=chair_of(meeting))
        _db.session.commit()
        return meeting, clerk, people, doc

    return make


def stored_record(meeting, kind: str, data: bytes):
    """A record as the worker stores it (version 1, by the organiser), without rendering."""
    import hashlib

    from meetingsec.core.db import utcnow
    from meetingsec.records.models import Record

    record = Record(
        meeting_id=meeting.id,
        kind=kind,
        version=1,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        pages=1,
        head_seq=1,
        head_hash="0" * 64,
        generated_at=utcnow(),
        generated_by_id=meeting.organiser_id,
        data=data,
    )
    _db.session.add(record)
    return record


def set_agency(admin, **changes):
    """The administrator sets how the agency names itself on its records (Văn phòng UBND
    tỉnh Bình Minh, "VP", its head the Chánh Văn phòng)."""
    from meetingsec.org.services import save_agency

    values = {
        "parent_agency": "UBND tỉnh Bình Minh",
        "agency": "Văn phòng",
        "abbreviation": "VP",
        "place": "Bình Minh",
        "head_position": "Chánh Văn phòng",
        "head_name": "Đỗ Văn Thủ Trưởng",
    }
    save_agency(actor=admin, **{**values, **changes})


def closed_out_factory(make_meeting, make_user, make_device):
    """``closed_out(n=30)``: a Tuyệt mật meeting held outside headquarters, taken through
    every step a real one goes through, ready to close: devices inspected (one supplied by
    Ban Cơ yếu, one of kind "other"), the venue checked, ``n`` approved people of whom all
    but the last came in (each with a phone), one refused at the door, a document of four
    copies handed out (one lost, the others recovered), every phone handed back. Returns
    ``(meeting, clerk, people, document)``."""
    from datetime import date, timedelta

    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
    from meetingsec.core.db import utcnow
    from meetingsec.devices import services as devices
    from meetingsec.documents import services as documents
    from meetingsec.door import deposits as door_deposits
    from meetingsec.door import entry
    from meetingsec.door import queries as door_queries
    from meetingsec.meetings import services as meetings
    from meetingsec.org.services import save_unit
    from meetingsec.workflows import services as workflows
    from tests.helpers import check_in

    def make(n=30):
        police = save_unit(
            None,
            actor=None,
            name="Phòng An ninh chính trị nội bộ, Công an tỉnh Bình Minh",
            parent=None,
        )
        tech = make_user(
            "technician", full_name="Trần Thị Kỹ Thuật", position="Đại úy", unit=police
        )
        clerk = make_user("clerk", full_name="Lê Văn Lễ Tân")
        organiser = make_user(
            "organiser", full_name="Phạm Minh Tổ Chức", position="Chánh Văn phòng"
        )
        chair = make_user("chair", full_name="Nguyễn Hữu Chủ Trì", position="Phó Chủ tịch")
        meeting = make_meeting(
            technicians=[tech],
            clerks=[clerk],
            organiser=organiser,
            chair=chair,
            starts_in=timedelta(hours=1),
            title="Hội nghị triển khai nhiệm vụ bảo vệ bí mật nhà nước năm 2027",
        )
        parent = save_unit(None, actor=None, name="Ủy ban nhân dân tỉnh Bình Minh", parent=None)
        meeting.host_unit.parent_id = parent.id
        meeting.host_unit.name = "Văn phòng Ủy ban nhân dân tỉnh Bình Minh"
        set_agency(make_user("admin"))
        meeting.approval_number = "15/QĐ-UBND"
        meeting.approval_date = date(2026, 12, 2)
        meeting.approver_name = "Nguyễn Hữu Chủ Trì"
        meeting.approver_position = "Phó Chủ tịch Ủy ban nhân dân tỉnh"
        _db.session.commit()
        kit = [
            # the widest tag code there is (Crockford's M and W), whatever the draw
            make_device("wired_mic", make="Bosch", model="CCS 1000", tag_code="MWMWMWMWMWR"),
            make_device("projector", make="Epson", model="EB-X51", serial="X4FP9300123456L"),
            make_device("other", make="Epson", model="DS-530"),
            make_device("conference_unit", make="Viettel", model="MX-1", ban_co_yeu=True),
        ]
        for i, device in enumerate(kit):
            md = devices.add_device(meeting, device, actor=organiser)
            _db.session.flush()
            exempt = device.ban_co_yeu
            devices.record_inspection(
                meeting,
                md,
                actor=tech,
                result="exempt" if exempt else "pass",
                seal_number="" if exempt else f"TEM-{i + 1:04d}",
                notes="",
                key=f"inspect-{meeting.id}-{i}",
                based_on=0,
            )
        devices.record_venue_check(
            meeting,
            actor=tech,
            result="pass",
            inside_notes="Phòng họp kín, cửa sổ có rèm, không phát hiện thiết bị lạ.",
            outside_notes="Khu vực xung quanh được kiểm soát, không có điểm quan sát.",
            key=f"venue-{meeting.id}",
        )
        people = add_attendees(
            meeting,
            [
                {
                    "full_name": f"Đặng Thị Ngọc Ánh {i}",
                    "unit_name": "Sở Khoa học và Công nghệ",
                    "position": "Phó Giám đốc",
                }
                for i in range(1, n + 1)
            ],
            actor=organiser,
            source="test",
        )
        approve_list(meeting, actor=chair, seen=shown_changes(people, []))
        meeting.status = "cleared"  # the gate itself is tested with the meetings
        meeting.approved_at = meeting.cleared_at = utcnow()
        _db.session.commit()
        for p in people[:-1]:
            check_in(meeting, clerk, p)
        entry.refuse(
            meeting,
            actor=clerk,
            key=f"refuse-{meeting.id}",
            name="Hoàng Văn Lạ",
            unit="Không rõ",
            reason="Không có tên trong danh sách được duyệt",
        )
        document = workflows.register_document(
            meeting,
            actor=organiser,
            number="07/KH-UBND",
            title="Kế hoạch bảo vệ bí mật nhà nước năm 2027",
            classification=meeting.classification,
            copy_count=4,
            copy_authorisation="Chủ tịch UBND tỉnh cho phép sao 4 bản",
        )
        for p, copy in zip(people, document.copies, strict=False):
            documents.hand_out(
                meeting,
                actor=clerk,
                key=f"handout-{copy.id}",
                attendee_code=p.invitation_code,
                copy_code=copy.code,
            )
        meetings.start_session(meeting, actor=chair)
        meetings.end_session(meeting, actor=chair)
        for copy in document.copies[1:]:
            documents.recover(meeting, actor=clerk, key=f"recover-{copy.id}", copy_code=copy.code)
        documents.report_lost(
            meeting, document.copies[0], actor=organiser, reason="Đại biểu báo để quên trên xe"
        )
        for p in people[:-1]:
            door_deposits.return_items(
                meeting,
                p,
                actor=clerk,
                key=f"return-{p.id}",
                deposit_ids=[d.id for d in door_queries.unreturned(p)],
            )
        _db.session.commit()
        return meeting, clerk, people, document

    return make

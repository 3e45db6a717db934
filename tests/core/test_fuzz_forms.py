"""Hypothesis posts generated data to every form and htmx endpoint, as a full page and as
htmx asks for a fragment: never a 5xx, and a refused form changes nothing (rows and audit
chain alike). ``make test`` runs 50 examples each (25 on PostgreSQL), ``make fuzz`` 10,000."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetingsec.users.roles import Role
from tests.helpers import audit_count, snapshot

NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\t\n",
        "<script>alert(1)</script>",
        '"><img src=x>',
        "x" * 10_000,
        "Nguyễn Văn Ă Đức",
        "ĐẶNG THỊ Ỹ",
        "😀🎉",
        "' OR 1=1 --",
        "-1",
        "0",
        "1",
        "999999999999999999999",
        "\u202eabc",
        "y",
        "on",
        "vi",
        "en",
        "admin",
        "organiser",
        "//evil.example/",
        "2026-02-30",
        "2026-11-25",
        "0001-01-01",
        "9999-12-31",
        "0001-01-01T00:00",
        "9999-12-31T23:59",
        "../../etc/passwd",
    ]
)
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
VALUE = st.one_of(NASTY, TEXT, st.integers().map(str))

#: Days at the ends of Python's calendar, and on either side of the range the app accepts
EXTREME_DAYS = [
    date.min,
    date.max,
    date(1, 12, 31),
    date(9999, 1, 1),
    date(1899, 12, 31),
    date(1900, 1, 1),
    date(2999, 12, 31),
    date(3000, 1, 1),
]
DAYS = st.one_of(st.sampled_from(EXTREME_DAYS), st.dates())
#: What a date or a date-and-time input sends
DATE_VALUE = st.one_of(
    DAYS.map(date.isoformat),
    st.builds(lambda d, t: f"{d.isoformat()}T{t:%H:%M}", DAYS, st.times()),
)
#: Fields that hold a date (or a date and time): they get dates far more often than text
DATE_FIELDS = {"date_from", "date_to", "approval_date", "starts_at", "ends_at"}


#: How the request comes: a whole page, or htmx asking for a fragment (as the pages do)
HTMX = st.sampled_from(
    [
        {},
        {"HX-Request": "true"},
        {"HX-Request": "true", "HX-Target": "results", "HX-Trigger": "q", "HX-Boosted": "true"},
        {"HX-Request": "true", "HX-Current-URL": "http://127.0.0.1/", "HX-Trigger-Name": "x"},
    ]
)


def _value(field):
    return st.one_of(DATE_VALUE, VALUE) if field in DATE_FIELDS else VALUE


def form_data(fields):
    return st.fixed_dictionaries(
        {},
        optional={f: st.one_of(_value(f), st.lists(_value(f), max_size=3)) for f in fields},
    )


MEETING_FIELDS = [
    "title",
    "kind",
    "classification",
    "format",
    "starts_at",
    "ends_at",
    "venue_id",
    "host_unit_id",
    "chair_id",
    "technician_ids",
    "clerk_ids",
    "recording_planned",
    "invitations_secret",
    "version",
]

DEVICE_FIELDS = ["kind", "make", "model", "serial", "owner_unit_id", "ban_co_yeu", "notes"]

FORMS = {
    "user_create": (
        "/admin/users/new",
        ["username", "full_name", "position", "unit_id", "roles", "password"],
    ),
    "user_edit": ("/admin/users/{target}", ["full_name", "position", "unit_id", "roles", "active"]),
    "user_password": ("/admin/users/{target}/password", ["reset-new_password"]),
    "user_unlock": ("/admin/users/{target}/unlock", ["unlock-x"]),
    "unit_create": ("/admin/units/new", ["name", "parent_id", "active"]),
    "unit_edit": ("/admin/units/{unit}", ["name", "parent_id", "active"]),
    "venue_create": ("/admin/venues/new", ["name", "address", "at_hq", "closed_room", "active"]),
    "venue_edit": ("/admin/venues/{venue}", ["name", "address", "at_hq", "closed_room", "active"]),
    "own_password": ("/account/password", ["current_password", "new_password", "confirm"]),
    "language": ("/language", ["lang", "next"]),
    "meeting_create": ("/meetings/new", MEETING_FIELDS),
    "meeting_edit": ("/meetings/{meeting}/edit", MEETING_FIELDS),
    "meeting_item": ("/meetings/{meeting}/items/protection-plan", ["state", "note"]),
    "meeting_approve": (
        "/meetings/{meeting}/approve",
        ["approver_name", "approver_position", "approval_number", "approval_date"],
    ),
    "meeting_devices": ("/meetings/{mat_meeting}/devices", ["policy"]),
    "meeting_cancel": ("/meetings/{meeting}/cancel", ["reason"]),
    "rule_citation": ("/admin/rules/vn-2026/wired-mic", ["citation", "verified"]),
    "device_create": ("/devices/new", DEVICE_FIELDS),
    "device_edit": ("/devices/{device}", DEVICE_FIELDS + ["active"]),
    "meeting_add_device": ("/meetings/{meeting}/devices/", ["code"]),
    "inspection": (
        "/meetings/{meeting}/inspection/{md}",
        ["result", "seal_number", "notes", "key", "based_on"],
    ),
    "seal_check": (
        "/meetings/{meeting}/inspection/{md}/seal",
        ["seal-seal_number", "seal-state", "seal-key"],
    ),
    "venue_check": (
        "/meetings/{meeting}/venue-check",
        ["result", "inside_notes", "outside_notes", "key"],
    ),
}

DEVICE_COUNTS = [
    f"n_{k}" for k in ("phone", "smartwatch", "laptop", "tablet", "recorder", "usb", "other")
]
ATTENDEE_FIELDS = ["full_name", "position", "unit_name", "id_number", "phone"]

FORMS.update(
    {
        "attendee_add": ("/meetings/{door}/attendees/", ATTENDEE_FIELDS),
        "attendee_remove": ("/meetings/{door}/attendees/{attendee}/remove", ["reason"]),
        "attendee_approve": ("/meetings/{door}/attendees/approve", ["seen"]),
        "attendee_import": ("/meetings/{door}/attendees/import", ["file"]),
        "import_confirm": ("/meetings/{door}/attendees/import/{batch}", ["x"]),
        "import_columns": (
            "/meetings/{door}/attendees/import/{batch}/columns",
            ["column_0", "column_1"],
        ),
        "import_convert": ("/meetings/{door}/attendees/import/{batch}/convert", ["x"]),
        "check_in": (
            "/meetings/{door}/door/check-in",
            DEVICE_COUNTS + ["code", "carries_none", "key", "signature", "commitment_sha256"],
        ),
        "reenter": (
            "/meetings/{door}/door/attendees/{inside}/reenter",
            DEVICE_COUNTS + ["carries_none", "key"],
        ),
        "leave": ("/meetings/{door}/door/attendees/{inside}/leave", ["key"]),
        "refusal": ("/meetings/{door}/door/refusals", ["key", "name", "unit", "reason"]),
        "return": ("/meetings/{door}/door/returns/{inside}", ["key", "deposit_ids"]),
        "commitment": ("/admin/commitment", ["text"]),
        "document_register": (
            "/meetings/{door}/documents/",
            ["number", "title", "classification", "copy_count", "copy_authorisation"],
        ),
        "document_authorise": (
            "/meetings/{door}/documents/{document}/authorisation",
            ["d{document}-copy_authorisation"],
        ),
        "hand_out": ("/meetings/{door}/documents/hand-out/{inside}", ["key", "code"]),
        "recover": ("/meetings/{door}/documents/recover", ["key", "code"]),
        "report_lost": ("/meetings/{door}/documents/copies/{copy}/lost", ["reason"]),
        "invitation_back": (
            "/meetings/{door}/documents/invitations/{inside}/recover",
            ["key", "back"],
        ),
        "unclaimed": ("/meetings/{door}/closing/unclaimed", ["deposit_ids", "note"]),
        "close": ("/meetings/{door}/close", ["x"]),
        "generate_record": ("/meetings/{door}/records/attendance", ["x"]),
        "report_narrative": (
            "/reports/narrative",
            ["situation", "strengths", "limits", "causes", "lessons", "forecast", "generate"],
        ),
        # the buttons that post nothing but their CSRF token
        "meeting_clear": ("/meetings/{meeting}/clear", ["x"]),
        "meeting_start": ("/meetings/{door}/start", ["x"]),
        "meeting_end": ("/meetings/{meeting}/end", ["x"]),
        "device_install": ("/meetings/{meeting}/inspection/{md}/install", ["x"]),
        "device_remove": ("/meetings/{meeting}/devices/{md}/remove", ["x"]),
        "device_withdraw": ("/meetings/{meeting}/devices/{md}/withdraw", ["x"]),
        "device_replace": ("/meetings/{meeting}/devices/{md}/replace", ["code"]),
        "device_uninstall": ("/meetings/{meeting}/inspection/{md}/uninstall", ["x"]),
    }
)

FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def ids(make_user, make_meeting, login, db):
    from meetingsec.org.services import save_unit, save_venue

    unit = save_unit(None, actor=None, name="Đơn vị gốc", parent=None)
    venue = save_venue(
        None, actor=None, name="Phòng họp 1", address="", at_hq=True, closed_room=True
    )
    target = make_user("clerk", username="target")
    fuzzer = make_user(roles=set(Role), username="fuzzer")
    meeting = make_meeting(organiser=fuzzer, chair=fuzzer, technicians=[fuzzer])
    mat_meeting = make_meeting(organiser=fuzzer, chair=fuzzer, classification="mat")
    from meetingsec.devices.services import add_device, save_device

    device = save_device(
        None,
        actor=None,
        kind="wired_mic",
        make="",
        model="",
        serial="",
        owner_unit=None,
        ban_co_yeu=False,
        notes="",
    )
    device.tag_code = "DEM0TAG0016"
    md = add_device(meeting, device, actor=fuzzer)
    door, inside, attendee, batch = _door(make_meeting, fuzzer, db)
    from meetingsec.workflows.services import register_document

    document = register_document(
        door,
        actor=fuzzer,
        number="01/TL",
        title="Tài liệu",
        classification="toi_mat",
        copy_count=2,
    )
    from meetingsec.records.services import request_record

    job = request_record(door, "attendance", actor=fuzzer)
    login(fuzzer)
    db.session.commit()
    return {
        "job": job.id,
        "door": door.id,
        "inside": inside.id,
        "attendee": attendee.id,
        "batch": batch.id,
        "document": document.id,
        "copy": document.copies[0].id,
        "target": target.id,
        "unit": unit.id,
        "venue": venue.id,
        "meeting": meeting.id,
        "mat_meeting": mat_meeting.id,
        "device": device.id,
        "md": md.id,
    }


def _door(make_meeting, fuzzer, db):
    """A meeting cleared to start with the fuzzer at its door: one attendee inside with a
    phone deposited, one waiting, and an uploaded list not yet confirmed."""
    from meetingsec.attendees.importing import stage_import
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes
    from meetingsec.door import commitment as commitments
    from meetingsec.workflows import services as workflows
    from tests.helpers import signature_json

    door = make_meeting(organiser=fuzzer, chair=fuzzer, clerks=[fuzzer], classification="toi_mat")
    inside, attendee = add_attendees(
        door,
        [
            {"full_name": "Người Đã Vào", "unit_name": "Sở A"},
            {"full_name": "Người Đang Chờ", "unit_name": "Sở B"},
        ],
        actor=fuzzer,
        source="test",
    )
    approve_list(door, actor=fuzzer, seen=shown_changes([inside, attendee], []))
    door.status = "cleared"
    workflows.check_in(
        door,
        inside.invitation_code,
        actor=fuzzer,
        key="fuzz-check-in",
        items={"phone": 1},
        carries_none=False,
        signature=signature_json(),
        commitment_sha256=commitments.commitment_for(door)[1],
    )
    batch = stage_import(
        door,
        actor=fuzzer,
        filename="ds.csv",
        data="Họ và tên,Đơn vị\nNgười Nhập,Sở C\n".encode(),
    )
    db.session.commit()
    return door, inside, attendee, batch


@pytest.fixture
def known():
    """The database's state after the last example, when it is known (a refused or
    read-only request left it as it was): the next example starts from it, which halves
    the reading of every table."""
    return {"state": None}


def _unchanged(known, before) -> bool:
    after = snapshot()
    known["state"] = after
    return after == before


@pytest.mark.parametrize("form", sorted(FORMS))
@FUZZ
@given(data=st.data())
def test_form_never_fails_and_refusal_changes_nothing(client, ids, known, form, data):
    path, fields = FORMS[form]
    payload = data.draw(form_data([f.format(**ids) for f in fields]))
    headers = data.draw(HTMX)
    before = known["state"] or snapshot()
    known["state"] = None
    events = audit_count()
    resp = client.post(path.format(**ids), data=payload, headers=headers)
    assert resp.status_code < 500, (form, payload)
    if resp.status_code >= 400:
        assert _unchanged(known, before), (form, payload)
    else:
        # a page, a redirect, or for htmx 204 with the page to load in HX-Redirect
        assert resp.status_code in (200, 303, 204), resp.status_code
        if resp.status_code == 204:
            assert headers and resp.headers["HX-Redirect"].startswith("/")
        assert audit_count() - events in (0, 1, 2)  # a return also records the exit


@FUZZ
@given(data=st.data())
def test_login_form_never_fails(client, make_user, data):
    payload = data.draw(form_data(["username", "password", "next"]))
    resp = client.post("/login", data=payload)
    assert resp.status_code in (303, 401, 422, 429), payload
    if resp.status_code == 303:
        assert resp.location.startswith("/") and not resp.location.startswith("//")
        client.post("/logout")


FILTERS = {
    "/audit/": ["actor", "action", "object_type", "object_id", "date_from", "date_to", "page"],
    "/meetings/": ["status", "date_from", "date_to", "page"],
    "/home/organiser": ["status", "date_from", "date_to", "page"],
    "/devices/": ["q", "page"],
    "/meetings/{meeting}/inspection": ["code"],
    "/meetings/{door}/door/": ["code", "last"],
    "/meetings/{door}/door/search": ["q"],
    "/meetings/{door}/door/returns": ["code", "last"],
    "/meetings/{door}/door/refusals": ["attendee", "name"],
    "/meetings/{door}/attendees/": ["q", "show", "page"],
    "/meetings/{door}/documents/": ["document", "state", "page"],
    "/meetings/{door}/documents/hand-out": ["code"],
    "/meetings/{door}/documents/hand-out/{inside}": ["last"],
    "/meetings/{door}/documents/recover": ["last"],
    "/meetings/{door}/records/": ["x"],
    "/reports/": ["year", "period", "figure"],
    # polled by htmx: the door's live counters, a record's job progress
    "/meetings/{door}/door/counters": ["x"],
    "/meetings/{door}/records/jobs/{job}": ["x"],
    "/meetings/{door}/door/attendees/{inside}": ["x"],
    "/meetings/{door}/door/returns/{inside}": ["x"],
}


@pytest.mark.parametrize("path", sorted(FILTERS))
@FUZZ
@given(data=st.data())
def test_filters_never_fail_and_change_nothing(client, ids, known, path, data):
    query = data.draw(form_data(FILTERS[path]))
    headers = data.draw(HTMX)
    before = known["state"] or snapshot()
    known["state"] = None
    resp = client.get(path.format(**ids), query_string=query, headers=headers)
    allowed = (200, 303, 422)
    if headers:  # htmx follows a redirect as 204 with HX-Redirect (a whole page to load)
        allowed += (204,)
    assert resp.status_code in allowed, query
    if resp.status_code == 204:
        assert resp.headers["HX-Redirect"].startswith("/")
    assert _unchanged(known, before)


#: Files that leave the app: a download is audited (one event), a refusal changes nothing;
#: their argument names devices, a part or a version that may not exist (404)
DOWNLOADS = {
    "/devices/labels.pdf": ["ids"],
    "/meetings/{door}/attendees/invitations.pdf": ["part"],
    "/meetings/{door}/records/attendance.pdf": ["version"],
}


@pytest.mark.parametrize("path", sorted(DOWNLOADS))
@FUZZ
@given(data=st.data())
def test_downloads_never_fail_and_are_audited(client, ids, known, path, data):
    query = data.draw(form_data(DOWNLOADS[path]))
    before = known["state"] or snapshot()
    known["state"] = None
    events = audit_count()
    resp = client.get(path.format(**ids), query_string=query)
    assert resp.status_code in (200, 303, 404), query
    if resp.status_code == 200:
        assert audit_count() - events == 1
    else:
        assert _unchanged(known, before)


@pytest.mark.parametrize("path", ["/reports/report.pdf", "/reports/report.xlsx"])
@FUZZ
@given(data=st.data())
def test_report_downloads_never_fail(client, ids, path, data):
    """A report that leaves the app is audited: one event, and nothing else changes (the
    PDF before the report is generated: back to the page)."""
    query = data.draw(form_data(["year", "period"]))
    events = audit_count()
    resp = client.get(path, query_string=query)
    assert resp.status_code in (200, 303, 422), query
    assert audit_count() - events == (1 if resp.status_code == 200 else 0)

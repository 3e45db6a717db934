"""A name a spreadsheet would run as a formula (= + - @ first), or holding invisible
text-direction controls (U+202A–U+202E, U+2066–U+2069: shown other than stored), is refused
in every form that types a name and in an imported list, with its reason; real Vietnamese
names and positions are not."""

import csv
import io

import pytest
from werkzeug.datastructures import MultiDict

from meetingsec.attendees import importing, services
from meetingsec.core.text import begins_as_formula, has_control_chars
from tests.factories import organiser_of
from tests.helpers import snapshot

BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
REFUSED = [
    '=HYPERLINK("http://x","Bấm vào")',
    "+Nguyễn Văn An",
    "-Nguyễn Văn An",
    "@SUM(A1)",
    *(f"Nguyễn{ch} Văn An" for ch in BIDI),
]
NAMES = ["Nguyễn Văn An", "Đặng Thị Hồng-Nhung", "Lê Văn Tám (Tư)", "Phó Giám đốc"]


def test_the_text_rules():
    for ch in BIDI:
        assert has_control_chars(f"Nguyễn{ch}Văn")
    for value in ("=1+2", "+84", "-An", "@x", " -An"):
        assert begins_as_formula(value)
    for value in NAMES + ["Trưởng phòng Hành chính - Tổng hợp", "Sở Nội vụ"]:
        assert not has_control_chars(value) and not begins_as_formula(value)


@pytest.mark.parametrize("field", ["full_name", "position", "unit_name"])
@pytest.mark.parametrize("value", REFUSED)
def test_the_attendee_form_refuses_it_and_saves_nothing(client, make_meeting, login, field, value):
    meeting = make_meeting()
    login(organiser_of(meeting))
    before = snapshot()
    data = {"full_name": "Nguyễn Văn An", "position": "", "unit_name": "Sở Nội vụ"}
    resp = client.post(f"/meetings/{meeting.id}/attendees/", data={**data, field: value})
    assert resp.status_code == 422
    assert f'id="{field}-error"' in resp.get_data(as_text=True)
    assert snapshot() == before


def test_the_attendee_form_takes_a_vietnamese_name_and_position(client, make_meeting, login):
    meeting = make_meeting()
    login(organiser_of(meeting))
    resp = client.post(
        f"/meetings/{meeting.id}/attendees/",
        data={
            "full_name": "Nguyễn Văn An",
            "position": "Phó Giám đốc",
            "unit_name": "Sở Nội vụ",
            "phone": "+84 912 345 678",
        },
    )
    assert resp.status_code == 303
    [person] = services.active_attendees(meeting.id)
    assert (person.full_name, person.position) == ("Nguyễn Văn An", "Phó Giám đốc")


def test_an_imported_row_with_it_is_reported_with_its_reason(make_meeting):
    meeting = make_meeting()
    rows = [["Họ và tên", "Chức vụ", "Đơn vị", "Điện thoại"]]
    rows += [["Nguyễn Văn An", "Phó Giám đốc", "Sở Nội vụ", "+84 912 345 678"]]
    rows += [[value, "", "Sở Y tế", ""] for value in REFUSED]  # a name
    rows += [["Trần Văn Bình", value, "Sở Y tế", ""] for value in REFUSED[1:4]]  # a position
    rows += [["Lê Thị Cúc", "", f"-Sở {i}", ""] for i in range(2)]  # a unit
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    data = out.getvalue().encode()
    checks = importing.check_rows(meeting, importing.preview_file("ds.csv", data).people)
    assert checks[0].ok, checks[0].errors
    assert all(len(c.errors) == 1 for c in checks[1:]), [(c.line, c.errors) for c in checks]
    reasons = {str(c.errors[0]) for c in checks[1:]}
    assert len(reasons) >= 3  # formula in a name, in a position, text direction: each said


def _forms():
    from meetingsec.attendees.forms import AttendeeForm
    from meetingsec.devices.forms import DeviceForm
    from meetingsec.documents.forms import DocumentForm
    from meetingsec.door.forms import RefusalForm
    from meetingsec.meetings.forms import ApproveForm, MeetingForm
    from meetingsec.org.forms import UnitForm, VenueForm
    from meetingsec.users.forms import UserCreateForm, UserEditForm

    return [
        (AttendeeForm, "full_name"),
        (AttendeeForm, "position"),
        (AttendeeForm, "unit_name"),
        (RefusalForm, "name"),
        (RefusalForm, "unit"),
        (UserCreateForm, "full_name"),
        (UserEditForm, "position"),
        (UnitForm, "name"),
        (VenueForm, "name"),
        (MeetingForm, "title"),
        (ApproveForm, "approver_name"),
        (ApproveForm, "approver_position"),
        (DeviceForm, "make"),
        (DeviceForm, "model"),
        (DocumentForm, "title"),
    ]


def test_every_form_that_types_a_name_refuses_it(app):
    for form_class, name in _forms():
        for value, refused in [*((v, True) for v in REFUSED), *((v, False) for v in NAMES)]:
            with app.test_request_context(method="POST"):
                form = form_class(formdata=MultiDict({name: value}))
                field = form[name]
                assert field.validate(form) is not refused, (form_class.__name__, name, value)

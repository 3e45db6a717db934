"""Importing a list: every malformed file is refused clearly; rows are checked one by one;
nothing is added before the organiser confirms."""

import io
import unicodedata

import pytest
from openpyxl import Workbook

from meetingsec.attendees import importing, services
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from tests.helpers import snapshot

HEADER = "Họ và tên,Chức vụ,Đơn vị,Số hiệu hoặc CCCD,Điện thoại\n"


def _xlsx(rows, formula_at=None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if formula_at:
        sheet[formula_at] = '=CONCATENATE("a","b")'
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cp1258(text: str) -> bytes:
    """How Windows writes Vietnamese in code page 1258: precomposed letters with hats and
    horns, tones as combining marks."""
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tone = next(m for m in d if m in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", d.replace(tone, ""))
            out += base.encode("cp1258") + tone.encode("cp1258")
    return out


def _read(name, data):
    return importing.read_file(name, data)


def test_csv_in_utf8_with_bom_keeps_diacritics():
    data = ("\ufeff" + HEADER + "Nguyễn Thị Đào,Trưởng phòng,Sở Nội vụ,,0912 345 678\n").encode()
    encoding, rows = _read("ds.csv", data)
    assert encoding == "utf-8"
    assert rows[0]["values"]["full_name"] == "Nguyễn Thị Đào"
    assert rows[0]["line"] == 2


def test_csv_in_windows_1258_and_utf16_is_read_and_composed():
    text = HEADER + "Nguyễn Thị Đào,Trưởng phòng,Sở Nội vụ,,\n"
    for encoding, data in (("cp1258", _cp1258(text)), ("utf-16", text.encode("utf-16"))):
        found, rows = _read("ds.csv", data)
        assert found == encoding
        assert rows[0]["values"]["full_name"] == "Nguyễn Thị Đào"  # NFC, as typed


def test_semicolon_separated_csv():
    data = HEADER.replace(",", ";") + "Lê Văn Tám;;Sở Tư pháp;;\n"
    _enc, rows = _read("ds.csv", data.encode())
    assert rows[0]["values"]["unit_name"] == "Sở Tư pháp"


@pytest.mark.parametrize(
    "name,data,says",
    [
        ("ds.csv", b"", "rỗng"),
        ("ds.csv", b"x" * (importing.MAX_BYTES + 1), "quá lớn"),
        ("ds.pdf", b"%PDF-1.4", ".xlsx hoặc .csv"),
        ("ds.xlsx", b"PK\x03\x04 not a zip", "Excel"),
        ("ds.csv", "Tên,Tuổi\nA,3\n".encode(), "Cột không nhận ra: Tên, Tuổi"),
        ("ds.csv", HEADER.encode(), "không có người tham dự"),
        ("ds.csv", b"\n\n  \n", "không có dòng"),
        ("ds.csv", b"\x00\x01\x02binary", "không phải tệp văn bản"),
    ],
)
def test_malformed_files_are_refused_clearly(app, name, data, says):
    with pytest.raises(DomainError) as e:
        _read(name, data)
    assert says in str(e.value.message)


def test_row_errors_and_duplicates_are_flagged(make_meeting):
    meeting = make_meeting()
    services.add_attendee(
        meeting, {"full_name": "Đã Có Tên", "unit_name": "Sở Nội vụ"}, actor=meeting.organiser
    )
    data = _xlsx(
        [
            ["Họ và tên", "Chức vụ", "Đơn vị", "Số hiệu hoặc CCCD", "Điện thoại"],
            ["Nguyễn Văn Một", "Chuyên viên", "Sở Nội vụ", "", 912345678],
            ["", "Chuyên viên", "Sở Nội vụ", "", ""],  # no name
            ["nguyen van mot", "", "SỞ NỘI VỤ", "", ""],  # same as line 2
            ["Đã Có Tên", "", "Sở Nội vụ", "", ""],  # already on the list
            ["Có Công Thức", "", "Sở Nội vụ", "", ""],  # a formula in its phone cell
            ["Điện Thoại Sai", "", "Sở Nội vụ", "", "gọi tôi"],
        ],
        formula_at="E6",
    )
    _enc, rows = _read("ds.xlsx", data)
    checks = importing.check_rows(meeting, rows)
    by_line = {c.line: [str(e) for e in c.errors] for c in checks}
    assert by_line[2] == [] and checks[0].values["phone"] == "912345678"
    assert by_line[3] == ["Thiếu Họ và tên."]
    assert by_line[4] == ["Trùng người ở dòng 2."]
    assert "đã có trong danh sách" in by_line[5][0]
    assert "không nhận công thức" in by_line[6][0]
    assert "chỉ gồm chữ số" in by_line[7][0]


def test_nothing_is_added_until_confirmed_and_only_once(make_meeting):
    meeting = make_meeting()
    data = HEADER + "Nguyễn Văn Một,,Sở Nội vụ,,\n,,Sở Nội vụ,,\nTrần Văn Hai,,Sở Y tế,,\n"
    batch = importing.stage_import(
        meeting, actor=meeting.organiser, filename="ds.csv", data=data.encode()
    )
    db.session.commit()
    assert services.active_attendees(meeting.id) == []
    assert importing.confirm_import(meeting, batch, actor=meeting.organiser) == 2
    db.session.commit()
    names = [a.full_name for a in services.active_attendees(meeting.id)]
    assert names == ["Nguyễn Văn Một", "Trần Văn Hai"]
    before = snapshot()
    with pytest.raises(DomainError) as e:
        importing.confirm_import(meeting, batch, actor=meeting.organiser)
    assert e.value.code == "already_imported"
    db.session.rollback()
    assert snapshot() == before


def test_the_template_reads_back_as_a_valid_header(app):
    out = io.BytesIO()
    importing.template_workbook().save(out)
    with pytest.raises(DomainError) as e:  # headers only: no rows, but every column known
        _read("mau.xlsx", out.getvalue())
    assert str(e.value.message) == "Tệp có dòng tiêu đề nhưng không có người tham dự."

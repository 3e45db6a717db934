"""Importing a list: every malformed file is refused clearly; rows are checked one by one;
nothing is added before the organiser confirms."""

import functools
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from meetingsec.attendees import importing, services, values, xls
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from tests.attendees.corpus import cp1258, legacy_xls
from tests.factories import organiser_of
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


def _read(name, data):
    """The people of a file, as the preview shows them."""
    return importing.preview_file(name, data).people


def test_csv_in_utf8_with_bom_keeps_diacritics():
    data = ("\ufeff" + HEADER + "Nguyễn Thị Đào,Trưởng phòng,Sở Nội vụ,,0912 345 678\n").encode()
    assert importing.read_file("ds.csv", data).encoding == "utf-8"
    [person] = _read("ds.csv", data)
    assert person.values["full_name"] == "Nguyễn Thị Đào"
    assert person.line == 2


def test_csv_in_windows_1258_and_utf16_is_read_and_composed():
    text = HEADER + "Nguyễn Thị Đào,Trưởng phòng,Sở Nội vụ,,\n"
    for encoding, data in (("cp1258", cp1258(text)), ("utf-16", text.encode("utf-16"))):
        assert importing.read_file("ds.csv", data).encoding == encoding
        assert _read("ds.csv", data)[0].values["full_name"] == "Nguyễn Thị Đào"  # NFC


def test_semicolon_separated_csv():
    data = HEADER.replace(",", ";") + "Lê Văn Tám;;Sở Tư pháp;;\n"
    assert _read("ds.csv", data.encode())[0].values["unit_name"] == "Sở Tư pháp"


@pytest.mark.parametrize(
    "name,data,code",
    [
        ("ds.csv", b"", "import_refused"),
        ("ds.csv", b"x" * (importing.MAX_BYTES + 1), "import_too_large"),
        ("ds.pdf", b"%PDF-1.4", "import_refused"),
        ("ds.xlsx", b"PK\x03\x04 not a zip", "import_refused"),
        ("ds.xls", b"PK\x03\x04 not an xls", "import_refused"),
        ("ds.xls", xls.MAGIC + b"\x00" * 600, "import_refused"),
        ("ds.csv", "Tên,Tuổi\nA,3\n".encode(), "import_no_header"),
        ("ds.csv", b"\n\n  \n", "import_no_header"),
        ("ds.csv", b"\x00\x01\x02binary", "import_refused"),
    ],
)
def test_malformed_files_are_refused_clearly(app, name, data, code):
    with pytest.raises(DomainError) as e:
        importing.list_sheets(importing.read_file(name, data))
    assert e.value.code == code and e.value.field == "file" and str(e.value.message)


def test_a_header_without_people_is_refused(app):
    with pytest.raises(DomainError) as e:
        importing.list_sheets(importing.read_file("ds.csv", HEADER.encode()))
    assert str(e.value.message).startswith("Tệp có dòng tiêu đề nhưng không có người dự.")


def test_row_errors_and_duplicates_are_flagged(make_meeting):
    meeting = make_meeting()
    services.add_attendee(
        meeting, {"full_name": "Đã Có Tên", "unit_name": "Sở Nội vụ"}, actor=organiser_of(meeting)
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
    checks = importing.check_rows(meeting, _read("ds.xlsx", data))
    by_line = {c.line: [str(e) for e in c.errors] for c in checks}
    assert by_line[2] == [] and checks[0].values["phone"] == "0912345678"  # its 0 back
    assert by_line[3] == ["Thiếu Họ và tên."]
    assert by_line[4] == ["Trùng người ở dòng 2."]
    assert "đã có trong danh sách" in by_line[5][0]
    assert "không nhận công thức" in by_line[6][0]
    assert "chỉ gồm chữ số" in by_line[7][0]


def test_nothing_is_added_until_confirmed_and_only_once(make_meeting):
    meeting = make_meeting()
    data = HEADER + "Nguyễn Văn Một,,Sở Nội vụ,,\n,,Sở Nội vụ,,\nTrần Văn Hai,,Sở Y tế,,\n"
    batch = importing.stage_import(
        meeting, actor=organiser_of(meeting), filename="ds.csv", data=data.encode()
    )
    db.session.commit()
    assert services.active_attendees(meeting.id) == []
    assert importing.confirm_import(meeting, batch, actor=organiser_of(meeting)) == 2
    db.session.commit()
    names = [a.full_name for a in services.active_attendees(meeting.id)]
    assert names == ["Nguyễn Văn Một", "Trần Văn Hai"]
    before = snapshot()
    with pytest.raises(DomainError) as e:
        importing.confirm_import(meeting, batch, actor=organiser_of(meeting))
    assert e.value.code == "already_imported"
    db.session.rollback()
    assert snapshot() == before


def test_the_template_reads_back_as_a_valid_header(app):
    out = io.BytesIO()
    importing.template_workbook().save(out)
    with pytest.raises(DomainError) as e:  # headers only: no rows, but every column known
        importing.list_sheets(importing.read_file("mau.xlsx", out.getvalue()))
    assert str(e.value.message).startswith("Tệp có dòng tiêu đề nhưng không có người dự.")


def test_a_workbook_reads_as_openpyxl_reads_it(app):
    """The bounded reader (``sheets``) against openpyxl on what Excel writes: shared
    strings with rich-text runs and phonetic hints, inline strings, numbers, booleans,
    formulas, rows and cells left out."""
    import zipfile

    from openpyxl import load_workbook

    from meetingsec.attendees import sheets
    from tests.attendees.workbooks import MAIN, PARTS, XML

    strings = (
        "<si><t>Họ và tên</t></si><si><t>Đơn vị</t></si>"
        '<si><r><t xml:space="preserve">Nguyễn </t></r><r><rPr><b/></rPr><t>Văn An</t></r>'
        "<rPh sb='0' eb='1'><t>phonetic</t></rPh></si><si><t>Sở Nội vụ</t></si>"
    ).encode()
    sheet = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="C3" t="s"><v>3</v></c>'
        '<c r="D3"><v>912345678</v></c><c r="E3"><v>1.5</v></c><c r="F3" t="b"><v>1</v></c>'
        '<c r="G3"><f>1+2</f><v>3</v></c><c r="H3" t="inlineStr"><is><t>Trực tiếp</t></is></c>'
        '<c r="I3" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="J3" s="1"/></row>'
        '<row><c><v>7</v></c><c/><c t="s"><v>3</v></c></row>'
    ).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in PARTS.items():
            z.writestr(name, data)
        z.writestr("xl/sharedStrings.xml", XML + b"<sst " + MAIN + b">" + strings + b"</sst>")
        z.writestr(
            "xl/worksheets/sheet1.xml",
            XML + b"<worksheet " + MAIN + b"><sheetData>" + sheet + b"</sheetData></worksheet>",
        )
    data = out.getvalue()

    def text(value) -> str:  # how the list read openpyxl's values
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)

    book = load_workbook(io.BytesIO(data), read_only=True)
    expected = [[text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]

    def trimmed(rows):
        return [row[: max((i + 1 for i, v in enumerate(row) if v), default=0)] for row in rows]

    assert trimmed(sheets.read_xlsx(data)[0].rows) == trimmed(expected)
    assert trimmed(expected)[2] == [
        "Nguyễn Văn An",
        "",
        "Sở Nội vụ",
        "912345678",
        "1.5",
        "True",
        "=1+2",
        "Trực tiếp",
        '="a"&"b"',
    ]


_TOKENS = [b"<", b">", b"/", b'"', b"&", b"<v>", b"</v>", b"99999999999", b"-1", b"\xff", b"\x00"]
_TOKENS += [b"<!DOCTYPE x>", b'<?xml version="1.0" encoding="UTF-s"?>', b"<f>", b'r="ZZZZ1"']
_TOKENS += [b'<row r="0">', b'<row r="1e3">', b't="s"', b't="b"', b'r="A"']


@settings(deadline=None)  # examples: the profile (conftest)
@given(data=st.data())
def test_a_damaged_workbook_is_read_or_refused_never_a_crash(data):
    import zipfile

    from tests.attendees.workbooks import PERSON, stored

    good = zipfile.ZipFile(io.BytesIO(stored(sheet=PERSON * 2)))
    parts = {name: good.read(name) for name in good.namelist()}
    name = data.draw(st.sampled_from(sorted(parts)))
    damaged = bytearray(parts[name])
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(damaged)))
        cut = data.draw(st.integers(0, 20))
        damaged[at : at + cut] = data.draw(st.sampled_from([b"", *_TOKENS]))
    parts[name] = bytes(damaged)
    out = io.BytesIO()
    compression = data.draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    with zipfile.ZipFile(out, "w", compression) as z:
        for part, content in parts.items():
            z.writestr(part, content)
    blob = bytearray(out.getvalue())
    if data.draw(st.booleans()):  # and a byte of the zip itself
        blob[data.draw(st.integers(0, len(blob) - 1))] = data.draw(st.integers(0, 255))
    try:
        importing.read_file("ds.xlsx", bytes(blob))
    except DomainError as err:
        assert err.code in ("import_refused", "import_too_large")


@functools.cache
def _xls() -> bytes:
    return legacy_xls().data


@settings(deadline=None)  # examples: the profile (conftest)
@given(data=st.data())
def test_a_damaged_xls_is_read_or_refused_never_a_crash(data):
    blob = bytearray(_xls())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(blob) - 1))
        blob[at] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):  # cut short
        del blob[data.draw(st.integers(512, len(blob))) :]
    try:
        importing.read_file("ds.xls", bytes(blob))
    except DomainError as err:
        assert err.code in ("import_refused", "import_too_large")


# -- foreign guests: a passport number instead of a CCCD (issue 19) ----------------------------


@pytest.mark.parametrize(
    "passport_header,nationality_header",
    [
        ("Số hộ chiếu", "Quốc tịch"),
        ("Hộ chiếu", "Quốc tịch"),
        ("Passport No.", "Nationality"),
        ("Passport", "Nationality"),
        ("Số hộ chiếu / Passport No.", "Quốc tịch"),
    ],
)
def test_a_passport_column_is_understood_in_either_language(
    make_meeting, passport_header, nationality_header
):
    meeting = make_meeting()
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Số CCCD"]
    data = _xlsx(
        [
            [*header, passport_header, nationality_header],
            [1, "Nguyễn Văn Một", "Chuyên viên", "Sở Nội vụ", "001085012345", "", "Việt Nam"],
            [2, "Bounmy Sisavath", "Đại tá", "Bộ Quốc phòng Lào", "", "p 1234567", "Lào"],
        ]
    )
    found = importing.preview_file("ds.xlsx", data)
    meanings = [c.meaning for c in found.columns]
    assert meanings[-2:] == ["passport_number", "nationality"] and not found.unsure
    checks = importing.check_rows(meeting, found.people)
    assert [c.errors for c in checks] == [[], []]
    guest = checks[1].values
    # in capitals, without the space typed in it
    assert (guest["passport_number"], guest["nationality"]) == ("P1234567", "Lào")
    assert checks[0].values["passport_number"] == ""


def test_a_passport_column_with_bad_values_refuses_those_rows(make_meeting):
    meeting = make_meeting()
    services.add_attendee(
        meeting,
        {"full_name": "Khách Đã Có", "unit_name": "Đại sứ quán", "passport_number": "N7654321"},
        actor=organiser_of(meeting),
    )
    data = _xlsx(
        [
            ["Họ và tên", "Đơn vị", "Số hiệu hoặc CCCD", "Số hộ chiếu", "Quốc tịch"],
            ["Khách Một", "Bộ Ngoại giao Lào", "", "C1234567", "Lào"],  # good
            ["Khách Hai", "Bộ Ngoại giao Lào", "", "C12-345", "Lào"],  # a dash
            ["Khách Ba", "Bộ Ngoại giao Lào", "", "C123", "Lào"],  # too short
            ["Khách Bốn", "Bộ Ngoại giao Lào", "", "C1234567890", "Lào"],  # too long
            ["Khách Năm", "Bộ Ngoại giao Lào", "001085012345", "C7654321", "Lào"],  # both
            ["Khách Sáu", "Bộ Ngoại giao Lào", "", "c 1234567", "Lào"],  # same as line 2
            ["Khách Bảy", "Đại sứ quán", "", "N7654321", ""],  # already on the list
        ]
    )
    checks = importing.check_rows(meeting, _read("ds.xlsx", data))
    errors = {c.line: [str(e) for e in c.errors] for c in checks}
    assert errors[2] == []
    passport_rule = str(values.passport("C12-345")[1])
    assert errors[3] == errors[4] == errors[5] == [passport_rule]
    assert errors[6] == [str(services.document_error(checks[4].values)[1])]
    assert errors[7] == ["Trùng người ở dòng 2."]
    assert len(errors[8]) == 1 and "Khách Đã Có" in errors[8][0]  # who has it already
    # only the good row is added, with its passport
    batch = importing.stage_import(
        meeting, actor=organiser_of(meeting), filename="ds.xlsx", data=data
    )
    assert importing.confirm_import(meeting, batch, actor=organiser_of(meeting)) == 1
    db.session.commit()
    guest = services.active_attendees(meeting.id)[-1]
    assert (guest.full_name, guest.passport_number, guest.nationality) == (
        "Khách Một",
        "C1234567",
        "Lào",
    )
    assert guest.id_document == "passport" and guest.id_number == ""

"""Lists as offices really keep them (``corpus``) import without editing: every person
right (name, position, unit, phone, ID number), nothing else counted as a person, the rows
that are not people skipped with their reason; a TCVN3 file once converted, a file with
columns the app cannot place once the organiser has said what they are."""

from collections import Counter

import pytest

from meetingsec.attendees import importing, services, tcvn3, values
from meetingsec.attendees.tables import Meaning
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from tests.attendees.corpus import BUILDERS, PEOPLE, corpus
from tests.factories import organiser_of
from tests.helpers import actions, snapshot

FIELDS = ("full_name", "position", "unit_name", "phone", "id_number")


def test_the_corpus_covers_what_offices_send():
    files = corpus()
    assert len(files) >= 12
    kinds = Counter(f.filename.rsplit(".", 1)[1] for f in files)
    assert kinds["xlsx"] >= 6 and kinds["xls"] >= 1 and kinds["csv"] >= 4
    encodings = {importing.read_file(f.filename, f.data).encoding for f in files}
    assert {"xlsx", "xls", "utf-8", "utf-16", "cp1258", "tcvn3"} <= encodings
    assert sum(len(f.people) for f in files) >= 80


@pytest.mark.parametrize("build", BUILDERS, ids=lambda b: b.__name__)
def test_a_list_imports_with_every_person_right(make_meeting, build):
    listing = build()
    meeting = make_meeting()
    organiser = organiser_of(meeting)
    batch = importing.stage_import(
        meeting, actor=organiser, filename=listing.filename, data=listing.data
    )
    db.session.commit()
    found, checks, state = importing.preview(meeting, batch)
    assert (state["tcvn3"] == "detected") is listing.tcvn3
    if listing.tcvn3:
        importing.convert_tcvn3(meeting, batch, actor=organiser)
    if listing.columns:
        assert found.unsure  # the mapping step is offered
        importing.choose_columns(meeting, batch, listing.columns, actor=organiser)
    else:
        assert found.unsure == []
    db.session.commit()
    found, checks, _state = importing.preview(meeting, batch)
    assert [(c.line, c.errors) for c in checks if not c.ok] == []
    assert [tuple(c.values[f] for f in FIELDS) for c in checks] == listing.people
    assert dict(Counter(r.skipped for r in found.skipped)) == listing.skipped
    if listing.sheets:
        assert found.sheets == listing.sheets
    assert batch.row_count == len(listing.people)

    assert importing.confirm_import(meeting, batch, actor=organiser) == len(listing.people)
    db.session.commit()
    stored = [tuple(getattr(a, f) for f in FIELDS) for a in services.active_attendees(meeting.id)]
    assert stored == listing.people


def test_the_columns_chosen_are_used_for_the_next_file_like_it(make_meeting):
    from tests.attendees.corpus import needs_mapping

    listing = needs_mapping()
    meeting = make_meeting()
    first = importing.stage_import(
        meeting, actor=organiser_of(meeting), filename=listing.filename, data=listing.data
    )
    importing.choose_columns(meeting, first, listing.columns, actor=organiser_of(meeting))
    db.session.commit()
    assert actions()[-1] == "attendees.import_columns_chosen"
    other = make_meeting()
    again = importing.stage_import(
        other, actor=organiser_of(other), filename="lan-sau.xlsx", data=listing.data
    )
    found, checks, _state = importing.preview(other, again)
    assert found.chosen and found.unsure == []
    assert all(c.ok for c in checks) and len(checks) == len(listing.people)


@pytest.mark.parametrize(
    "meanings,code",
    [
        (["number", "full_name", "position", "ignore", "phone", "ignore"], "columns_missing"),
        (["number", "full_name", "full_name", "unit_name", "phone", "ignore"], "column_twice"),
        (["number", "full_name", "position", "unit_name", "phone"], "columns_invalid"),
        (["number", "full_name", "position", "unit_name", "phone", "email"], "columns_invalid"),
    ],
)
def test_a_wrong_choice_of_columns_is_refused_and_changes_nothing(make_meeting, meanings, code):
    from tests.attendees.corpus import needs_mapping

    listing = needs_mapping()
    meeting = make_meeting()
    batch = importing.stage_import(
        meeting, actor=organiser_of(meeting), filename=listing.filename, data=listing.data
    )
    db.session.commit()
    before = snapshot()
    with pytest.raises(DomainError) as e:
        importing.choose_columns(meeting, batch, meanings, actor=organiser_of(meeting))
    assert e.value.code == code
    db.session.rollback()
    assert snapshot() == before


def test_a_file_not_in_tcvn3_cannot_be_converted(make_meeting):
    listing = corpus()[0]
    meeting = make_meeting()
    batch = importing.stage_import(
        meeting, actor=organiser_of(meeting), filename=listing.filename, data=listing.data
    )
    with pytest.raises(DomainError) as e:
        importing.convert_tcvn3(meeting, batch, actor=organiser_of(meeting))
    assert e.value.code == "not_tcvn3"


def test_the_tcvn3_table():
    """Every letter of the table, and words as .VnTime files hold them."""
    # 7 capitals and 7 small letters with a hat, horn or bar; 12 vowels with 5 tones each
    assert len(tcvn3.TABLE) == 74 and len(set(tcvn3.TABLE.values())) == 74
    for code, letter in tcvn3.TABLE.items():
        assert tcvn3.to_unicode(f"x{chr(code)}") == f"x{letter}"
    words = {
        "NguyÔn V¨n An": "Nguyễn Văn An",
        "Tr\xadëng phßng": "Trưởng phòng",
        "Gi¸m ®èc Së Tµi chÝnh": "Giám đốc Sở Tài chính",
        "ñy ban nh©n d©n tØnh": "ủy ban nhân dân tỉnh",
        "§inh C«ng Tr¸ng": "Đinh Công Tráng",
        "NGUYÔN THÞ HåNG": "NGUYỄN THỊ HỒNG",  # .VnTimeH: capitals
    }
    for typed, unicode in words.items():
        assert tcvn3.to_unicode(typed) == unicode
    assert tcvn3.looks_like_tcvn3(words)
    ordinary = [" ".join(p) for p in PEOPLE] + ["Số tiền: 5 µg", "Nhiệt độ 30°", "© 2026"]
    assert not tcvn3.looks_like_tcvn3(ordinary)


def test_only_the_tcvn3_files_of_the_corpus_look_like_tcvn3():
    for listing in corpus():
        assert importing.read_file(listing.filename, listing.data).tcvn3 is listing.tcvn3


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("NGUYỄN VĂN AN", "Nguyễn Văn An"),
        ("ĐẶNG THỊ HỒNG-NHUNG", "Đặng Thị Hồng-Nhung"),
        ("lê văn tám (tư)", "Lê Văn Tám (Tư)"),
        ("Nguye\u0302\u0303n\u00a0 Va\u0306n An", "Nguyễn Văn An"),  # NFD, no-break space
        ("Nguyễn Văn AN", "Nguyễn Văn AN"),  # mixed: as typed
    ],
)
def test_a_name_is_written_as_a_name(typed, stored):
    assert values.name(typed)[0] == stored


@pytest.mark.parametrize(
    "typed,stored,fixed",
    [
        ("901759898", "0901759898", True),
        ("2438251234", "02438251234", True),
        ("0912.345.678", "0912345678", False),
        ("0912 345 678", "0912345678", False),
        ("0912 345 678 / 0243 825 1234", "0912345678", True),
        ("DĐ: 0912345678", "0912345678", False),
        ("+84 912 345 678", "+84912345678", False),
        ("gọi tôi", "gọi tôi", False),  # no number: checked as typed
    ],
)
def test_a_phone_as_offices_type_it(typed, stored, fixed):
    value, fix, error = values.phone(typed)
    assert (value, fix is not None, error) == (stored, fixed, None)


def test_a_number_excel_wrote_in_scientific_notation_is_an_error():
    assert values.phone("9.01760E+08")[2] is not None
    assert values.id_number("1.23457E+11")[2] is not None


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("1085012345", "001085012345"),  # CCCD typed as a number: two zeros lost
        ("34190001122", "034190001122"),
        ("001085012345", "001085012345"),
        ("123456789", "123456789"),  # old CMND: as typed
        ("ca-12345", "CA-12345"),  # a staff number
    ],
)
def test_an_id_number_gets_its_zeros_back(typed, stored):
    assert values.id_number(typed)[0] == stored


@pytest.mark.parametrize(
    "typed,position,unit",
    [
        ("Phó Giám đốc Sở Tài chính", "Phó Giám đốc", "Sở Tài chính"),
        ("Trưởng phòng, Sở Nội vụ.", "Trưởng phòng", "Sở Nội vụ"),
        ("Chánh Văn phòng UBND tỉnh", "Chánh Văn phòng", "UBND tỉnh"),
        ("Phó Chủ tịch UBND huyện Đông Anh", "Phó Chủ tịch", "UBND huyện Đông Anh"),
        ("Bí thư Huyện ủy Gia Lâm", "Bí thư", "Huyện ủy Gia Lâm"),
        ("Đại biểu tự do", "", "Đại biểu tự do"),
    ],
)
def test_a_combined_position_and_unit_is_cut(typed, position, unit):
    assert values.position_and_unit(typed)[:2] == (position, unit)


def test_every_meaning_has_a_label():
    assert set(Meaning.SINGLE) | {Meaning.IGNORE} == set(Meaning.LABELS)


def test_two_different_lists_as_good_as_each_other_ask_the_organiser():
    """Two sheets (or two tables) whose headers differ and score alike: the first is
    taken, and the preview says to check the columns."""
    from meetingsec.attendees.limits import Sheet

    person = ["Nguyễn Văn An", "Sở Nội vụ"]
    sheets = [
        Sheet("Khách mời", [["Họ và tên", "Đơn vị"], person]),
        Sheet("Đại biểu", [["Họ tên", "Cơ quan"], person]),
    ]
    found = importing.understand(sheets)
    assert found.sheets == ["Khách mời"] and len(found.unsure) == 1
    same = [Sheet("Nhóm 1", [["Họ và tên", "Đơn vị"], person]), Sheet("Nhóm 2", sheets[0].rows)]
    found = importing.understand(same)
    assert found.sheets == ["Nhóm 1", "Nhóm 2"] and found.unsure == []
    assert len(found.people) == 2


def test_a_row_missing_its_name_is_a_person_with_an_error_not_a_heading():
    from meetingsec.attendees.limits import Sheet

    rows = [
        ["STT", "Họ và tên", "Chức vụ", "Đơn vị"],
        ["II", "KHỐI HUYỆN"],  # a heading: its STT is no number
        ["Các đơn vị khác"],  # left of the names: a merged heading
        ["", "Các sở, ngành"],  # a heading's words
        ["1", "Nguyễn Văn An", "", "Sở Nội vụ"],
        ["", "", "", "Sở Y tế"],  # a person whose name was left out
    ]
    found = importing.understand([Sheet("DS", rows)])
    assert [r.line for r in found.skipped] == [2, 3, 4]
    assert [p.line for p in found.people] == [5, 6]


def test_a_workbook_renamed_is_read_as_what_it_is():
    from tests.attendees.corpus import legacy_xls

    xlsx, xls = corpus()[0], legacy_xls()
    assert importing.read_file("ds.xls", xlsx.data).encoding == "xlsx"
    assert importing.read_file("ds.xlsx", xls.data).encoding == "xls"

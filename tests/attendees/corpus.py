"""A corpus of attendee lists made the way Vietnamese offices make them, each with the
people it holds (as the list must store them): title blocks, headers over two rows with
merged cells, a combined "Chức vụ, đơn vị" column, a cover sheet, one sheet per group,
group and total rows, signature blocks, names in capitals, numbers typed as numbers,
several phones in a cell, decomposed (NFD) text, .xls, Windows-1258, UTF-16 and TCVN3.

Built here from readable Python, so a reviewer reads what each file holds; nothing binary
is committed. The .xlsx files are written with openpyxl (as Excel lays them out) or by
hand as LibreOffice lays them out, the .xls with xlwt (a test dependency only: the app
reads .xls with xlrd). To look at them in a spreadsheet:

    .venv/bin/python -m tests.attendees.corpus /tmp/corpus
"""

import io
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from meetingsec.attendees.tcvn3 import TABLE

#: (full name, position, unit, phone, ID number) as the list must store them
PEOPLE = [
    ("Nguyễn Văn An", "Phó Giám đốc", "Sở Tài chính", "0901759898", "001085012345"),
    ("Trần Thị Bích Ngọc", "Trưởng phòng", "Sở Nội vụ", "0912345678", "034190001122"),
    ("Lê Hoàng Long", "Chuyên viên", "Văn phòng UBND tỉnh", "0987654321", "001203004455"),
    ("Phạm Thị Thu Hà", "Chánh Văn phòng", "Sở Y tế", "0243825111", "025186000777"),
    ("Hoàng Đức Thắng", "Giám đốc", "Công an tỉnh", "0868123456", "040079001234"),
    ("Đặng Thị Hồng-Nhung", "Phó Trưởng phòng", "Sở Giáo dục và Đào tạo", "0355123987", ""),
    ("Vũ Quang Huy", "Phó Chủ tịch", "UBND huyện Đông Anh", "0971000222", "001090008899"),
    ("Bùi Thị Lan", "Kế toán trưởng", "Kho bạc Nhà nước tỉnh", "0914222333", "123456789"),
    ("Đỗ Minh Tuấn", "Chỉ huy trưởng", "Bộ Chỉ huy Quân sự tỉnh", "0988111444", "036081005566"),
    ("Ngô Thị Mai", "Chuyên viên chính", "Sở Kế hoạch và Đầu tư", "0393555777", "001186009900"),
    ("Dương Văn Khoa", "Phó Giám đốc", "Sở Xây dựng", "0904567123", "027084003311"),
    ("Lý Thị Thanh Tâm", "Trưởng ban", "Ban Dân tộc tỉnh", "0965432100", "001192007788"),
    ("Hồ Sỹ Hùng", "Chủ tịch", "Liên đoàn Lao động tỉnh", "0912000111", "042075002200"),
    ("Mai Anh Tú", "Phó Trưởng ban", "Ban Quản lý các khu công nghiệp", "0977333555", ""),
    ("Đinh Công Tráng", "Giám đốc", "Trung tâm Công nghệ thông tin", "0946888999", "001087001212"),
    ("Cao Thị Ngân", "Phó Chánh Thanh tra", "Thanh tra tỉnh", "0383444666", "001195006543"),
    ("Trịnh Văn Quyết", "Bí thư", "Huyện ủy Gia Lâm", "0919777888", "001070003434"),
    ("Phan Thanh Bình", "Viện trưởng", "Viện Kiểm sát nhân dân tỉnh", "0936222444", "001072005656"),
    ("Tạ Thị Hương", "Chuyên viên", "Sở Tư pháp", "0327111999", "001199008787"),
    ("Kiều Minh Đức", "Giám đốc", "Bệnh viện Đa khoa tỉnh", "0903999000", "001076002323"),
]


def person(i: int) -> tuple[str, str, str, str, str]:
    return PEOPLE[i % len(PEOPLE)]


@dataclass
class Listing:
    """One file of the corpus and what importing it must give."""

    filename: str
    data: bytes
    #: The people, in order, as the list must store them
    people: list[tuple[str, str, str, str, str]]
    #: Rows skipped, by reason (``tables.SKIPPED``)
    skipped: dict[str, int] = field(default_factory=dict)
    #: The file's text is TCVN3: converted before it is right
    tcvn3: bool = False
    #: The columns the organiser chooses in the mapping step (None: not needed)
    columns: list[str] | None = None
    #: The sheets the list is taken from
    sheets: list[str] = field(default_factory=list)


TITLE = [
    ["UBND TỈNH HÀ NAM", None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"],
    ["SỞ NỘI VỤ", None, None, "Độc lập - Tự do - Hạnh phúc"],
    [],
    ["DANH SÁCH ĐẠI BIỂU THAM DỰ HỘI NGHỊ TRIỂN KHAI CÔNG TÁC BẢO VỆ BÍ MẬT NHÀ NƯỚC"],
    ["(Kèm theo Giấy mời số 125/GM-SNV ngày 20/11/2026)"],
    [],
]
SIGNATURE = [
    [],
    [None, None, None, "Hà Nam, ngày 20 tháng 11 năm 2026"],
    [None, "NGƯỜI LẬP BIỂU", None, "GIÁM ĐỐC"],
    [None, "(Ký, ghi rõ họ tên)", None, "(Ký, đóng dấu)"],
    [],
    [None, "Nguyễn Thị Lập", None, "Trần Văn Giám"],
]


def _xlsx(sheets: list[tuple[str, list[list], list[str]]]) -> bytes:
    """A workbook of ``(title, rows, merged ranges)`` sheets, written by openpyxl."""
    book = Workbook()
    book.remove(book.active)
    for title, rows, merges in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cells in merges:
            sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _no_zero(number: str) -> int:
    """A number typed into a General cell: its leading zeros are gone."""
    return int(number)


def title_block() -> Listing:
    """The Sở's list: title block, group headings, phones as numbers, notes and signature
    columns, a total, the signature block."""
    rows = [
        *TITLE,
        ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Số điện thoại", "Ghi chú", "Ký nhận"],
    ]
    people = [person(i) for i in range(8)]
    rows.append(["I", "ĐẠI BIỂU TRUNG ƯƠNG"])
    for n, p in enumerate(people[:3], start=1):
        rows.append([n, p[0], p[1], p[2], _no_zero(p[3]), "Có mặt" if n == 2 else None])
    rows.append(["II", "ĐẠI BIỂU ĐỊA PHƯƠNG"])
    for n, p in enumerate(people[3:], start=4):
        rows.append([n, p[0], p[1], p[2], _no_zero(p[3])])
    rows.append([None, "Tổng cộng: 8 người"])
    rows += SIGNATURE
    expected = [(p[0], p[1], p[2], p[3], "") for p in people]
    merges = ["A1:C1", "D1:G1", "A4:G4", "A5:G5"]
    return Listing(
        "01-so-noi-vu.xlsx",
        _xlsx([("Danh sách", rows, merges)]),
        expected,
        {"heading": 2, "total": 1, "signature": 4},
    )


def two_row_header() -> Listing:
    """A header over two rows with merged cells, the columns' numbers under it, names in
    capitals, an email column."""
    rows = [
        *TITLE,
        ["STT", "Họ và tên", "Thông tin đại biểu", None, "Liên hệ", None, "Ký nhận"],
        [None, None, "Chức vụ", "Cơ quan/đơn vị", "Điện thoại", "Email", None],
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
    ]
    people = [person(i) for i in range(8, 14)]
    for n, p in enumerate(people, start=1):
        rows.append([n, p[0].upper(), p[1] + ".", p[2], p[3], f"dbieu{n}@hanam.gov.vn"])
    merges = ["A7:A8", "B7:B8", "C7:D7", "E7:F7", "G7:G8"]
    return Listing(
        "02-tieu-de-hai-dong.xlsx",
        _xlsx([("DS dai bieu", rows, merges)]),
        [(p[0], p[1], p[2], p[3], "") for p in people],
        {"column_numbers": 1},
    )


def combined_column() -> Listing:
    """One "Chức vụ, đơn vị" column, TT numbered by formulas, CCCD typed as numbers."""
    rows = [
        ["DANH SÁCH KHÁCH MỜI DỰ HỘI NGHỊ"],
        [],
        ["TT", "Họ tên", "Chức vụ, đơn vị", "Số CCCD", "Điện thoại"],
    ]
    people = [person(i) for i in (0, 1, 4, 6, 10, 16)]
    for n, p in enumerate(people):
        joined = f"{p[1]}, {p[2]}" if n % 2 else f"{p[1]} {p[2]}"
        stt = 1 if n == 0 else f"=A{len(rows)}+1"
        rows.append([stt, p[0], joined, int(p[4]), p[3]])
    return Listing(
        "03-chuc-vu-don-vi.xlsx",
        _xlsx([("Sheet1", rows, ["A1:E1"])]),
        [(p[0], p[1], p[2], p[3], p[4]) for p in people],
    )


def cover_sheet() -> Listing:
    """A cover sheet first; the list on the second, headed in capitals, with columns the
    list does not need (email, sex, year of birth)."""
    cover = [
        ["HƯỚNG DẪN ĐIỀN DANH SÁCH"],
        ["1. Mỗi đại biểu một dòng."],
        ["2. Ghi rõ họ và tên, chức vụ, nơi công tác."],
        ["Họ và tên người liên hệ: Nguyễn Thị Liên - 0912 000 999"],
    ]
    rows = [
        ["DANH SÁCH ĐẠI BIỂU"],
        [
            "STT",
            "HỌ VÀ TÊN",
            "Giới tính",
            "Năm sinh",
            "CHỨC VỤ",
            "NƠI CÔNG TÁC",
            "EMAIL",
            "SỐ ĐIỆN THOẠI",
        ],
    ]
    people = [person(i) for i in range(14, 20)]
    for n, p in enumerate(people, start=1):
        rows.append([n, p[0], "Nam" if n % 2 else "Nữ", 1975 + n, p[1], p[2], "", p[3]])
    return Listing(
        "04-trang-bia.xlsx",
        _xlsx([("Hướng dẫn", cover, []), ("Danh sách", rows, [])]),
        [(p[0], p[1], p[2], p[3], "") for p in people],
        sheets=["Danh sách"],
    )


def sheet_per_group() -> Listing:
    """One sheet per group, the same header on each, a total on each."""
    header = ["STT", "Họ và tên", "Chức vụ", "Cơ quan", "Điện thoại"]
    groups = {"Khối Sở, ngành": range(0, 5), "Khối huyện": range(5, 9)}
    sheets, expected = [], []
    for title, indexes in groups.items():
        rows = [[f"DANH SÁCH ĐẠI BIỂU {title.upper()}"], [], header]
        for n, i in enumerate(indexes, start=1):
            p = person(i + 2)
            rows.append([n, p[0], p[1], p[2], p[3]])
            expected.append((p[0], p[1], p[2], p[3], ""))
        rows.append(["Cộng", None, None, f"{len(indexes)} người"])
        sheets.append((title, rows, ["A1:E1"]))
    return Listing(
        "05-moi-khoi-mot-sheet.xlsx",
        _xlsx(sheets),
        expected,
        {"total": 2},
        sheets=list(groups),
    )


_LO_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_LO_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_LO_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _column_letter(i: int) -> str:
    return "ABCDEFGHIJ"[i]


def _libreoffice(rows: list[list]) -> bytes:
    """A workbook laid out as LibreOffice Calc saves one ("Excel 2007-365"): its own
    docProps, every cell styled, numbers as ``n``, texts shared, empty cells written."""
    strings: list[str] = []
    xml_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_column_letter(c)}{r}"
            if value is None or value == "":
                cells.append(f'<c r="{ref}" s="1"/>')
            elif isinstance(value, int):
                cells.append(f'<c r="{ref}" s="2" t="n"><v>{value}</v></c>')
            else:
                if value not in strings:
                    strings.append(value)
                cells.append(f'<c r="{ref}" s="1" t="s"><v>{strings.index(value)}</v></c>')
        xml_rows.append(
            f'<row r="{r}" customFormat="false" ht="12.8" hidden="false" customHeight="false" '
            f'outlineLevel="0" collapsed="false">{"".join(cells)}</row>'
        )
    escape = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
    sst = "".join(f'<si><t xml:space="preserve">{s.translate(escape)}</t></si>' for s in strings)
    parts = {
        "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{_LO_REL}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" '
            'Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/></Relationships>'
        ),
        "docProps/core.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>\n<cp:coreProperties xmlns:cp="http://'
            'schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="'
            'http://purl.org/dc/elements/1.1/"><dc:creator>Văn thư</dc:creator>'
            "</cp:coreProperties>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{_LO_REL}/styles" Target="styles.xml"/><Relationship Id="rId2" Type="{_LO_REL}/'
            'worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="'
            f'{_LO_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{_LO_MAIN}" xmlns:r="'
            f'{_LO_REL}"><fileVersion appName="Calc"/><workbookPr backupFile="false" '
            'showObjects="all" date1904="false"/><bookViews><workbookView activeTab="0"/>'
            '</bookViews><sheets><sheet name="Trang tính1" sheetId="1" state="visible" '
            'r:id="rId2"/></sheets><calcPr iterateCount="100" refMode="A1"/></workbook>'
        ),
        "xl/styles.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="{_LO_MAIN}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="General"/></numFmts>'
            "</styleSheet>"
        ),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{_LO_MAIN}" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{_LO_MAIN}" xmlns:r="'
            f'{_LO_REL}"><sheetPr filterMode="false"><pageSetUpPr fitToPage="false"/>'
            f'</sheetPr><dimension ref="A1:F{len(rows)}"/><sheetViews><sheetView '
            'showFormulas="false" showGridLines="true" tabSelected="true" workbookViewId="0">'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="12.8"/><cols><col '
            'min="1" max="1" width="5.2" customWidth="1"/></cols><sheetData>'
            + "".join(xml_rows)
            + '</sheetData><mergeCells count="1"><mergeCell ref="A1:F1"/></mergeCells>'
            '<pageMargins left="0.7875" right="0.7875" top="1.05" bottom="1.05" '
            'header="0.7875" footer="0.7875"/></worksheet>'
        ),
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName='
            f'"/xl/workbook.xml" ContentType="{_LO_CT}.sheet.main+xml"/><Override PartName='
            f'"/xl/worksheets/sheet1.xml" ContentType="{_LO_CT}.worksheet+xml"/><Override '
            f'PartName="/xl/sharedStrings.xml" ContentType="{_LO_CT}.sharedStrings+xml"/>'
            "</Types>"
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text.encode())
    return out.getvalue()


def libreoffice() -> Listing:
    """Saved by LibreOffice Calc: a title, "Họ tên" and "Cơ quan/đơn vị", CCCD and phones
    as numbers, one old 9-digit CMND."""
    rows = [
        ["DANH SÁCH CÁN BỘ DỰ TẬP HUẤN"],
        [],
        ["STT", "Họ tên", "Chức vụ", "Cơ quan/đơn vị", "CMND/CCCD", "ĐT"],
    ]
    people = [person(i) for i in (7, 9, 11, 12, 15)]
    for n, p in enumerate(people, start=1):
        rows.append([n, p[0], p[1], p[2], int(p[4]), int(p[3])])
    return Listing("06-libreoffice.xlsx", _libreoffice(rows), [tuple(p) for p in people])


def typing_habits_csv() -> Listing:
    """UTF-8 with a BOM, semicolons, text decomposed (NFD, as macOS saves), non-breaking
    and double spaces, trailing dots, phones with dots and spaces, several in a cell."""
    lines = ["Danh sách đại biểu;;;;", "STT;Họ và tên;Chức vụ;Đơn vị;Điện thoại"]
    people = [person(i) for i in range(5)]
    for n, p in enumerate(people, start=1):
        phone = f"{p[3][:4]}.{p[3][4:7]}.{p[3][7:]}"
        if n == 2:
            phone = f"{p[3]} / 0243 825 999"
        if n == 3:
            phone = f"{p[3][:4]} {p[3][4:7]} {p[3][7:]}"
        name = p[0].replace(" ", "\u00a0", 1).replace(" ", "  ", 1)
        lines.append(f"{n};{name};{p[1]}.;{p[2]}.;{phone}")
    lines.append(";Tổng số: 5 đại biểu;;;")
    text = unicodedata.normalize("NFD", "\r\n".join(lines) + "\r\n")
    return Listing(
        "07-macos-nfd.csv",
        b"\xef\xbb\xbf" + text.encode("utf-8"),
        [(p[0], p[1], p[2], p[3], "") for p in people],
        {"total": 1},
    )


def cp1258(text: str) -> bytes:
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


def windows_1258_csv() -> Listing:
    """Saved as "CSV (Comma delimited)" on Vietnamese Windows: code page 1258, a title
    line above, quoted cells with commas, a number column."""
    lines = ['"DANH SÁCH ĐẠI BIỂU",,,,', ",,,,", "STT,Họ và tên,Chức vụ,Cơ quan,Số CCCD"]
    people = [person(i) for i in range(10, 16)]
    for n, p in enumerate(people, start=1):
        number = str(int(p[4])) if p[4] else ""
        lines.append(f'{n},{p[0]},"{p[1]}","{p[2]}",{number}')
    return Listing(
        "08-windows-1258.csv",
        cp1258("\r\n".join(lines) + "\r\n"),
        [(p[0], p[1], p[2], "", p[4]) for p in people],
    )


def utf16_csv() -> Listing:
    """Saved as "Unicode Text": UTF-16 with a BOM, tab-separated, HỌ VÀ TÊN in capitals."""
    lines = ["HỌ VÀ TÊN\tCHỨC VỤ\tĐƠN VỊ\tĐIỆN THOẠI"]
    people = [person(i) for i in range(3, 9)]
    for p in people:
        lines.append(f"{p[0].upper()}\t{p[1]}\t{p[2]}\t{int(p[3])}")
    return Listing(
        "09-unicode-text.csv",
        ("\r\n".join(lines) + "\r\n").encode("utf-16"),
        [(p[0], p[1], p[2], p[3], "") for p in people],
    )


_TO_TCVN3 = {letter: chr(code) for code, letter in TABLE.items() if code >= 0xA8}


def tcvn3(text: str) -> str:
    """Unicode Vietnamese as the .VnTime font stored it (capitals with a diacritic are the
    small letters' codes, drawn as capitals by .VnTimeH), as Latin-1 letters."""
    out = []
    for ch in text:
        if ch in _TO_TCVN3:
            out.append(_TO_TCVN3[ch])
        elif ch.lower() in _TO_TCVN3 and ch.lower() != ch:
            capital = {"ă": "¡", "â": "¢", "ê": "£", "ô": "¤", "ơ": "¥", "ư": "¦", "đ": "§"}
            out.append(capital.get(ch.lower(), _TO_TCVN3[ch.lower()]))
        else:
            out.append(ch)
    return "".join(out)


def tcvn3_csv() -> Listing:
    """An old list typed in .VnTime (TCVN3), saved as CSV: bytes the app shows as
    Latin-1 letters until the organiser converts them."""
    lines = ["STT,Hä vµ tªn,Chøc vô,§¬n vÞ,§iÖn tho¹i"]
    people = [person(i) for i in range(5)]
    for n, p in enumerate(people, start=1):
        lines.append(f"{n},{tcvn3(p[0])},{tcvn3(p[1])},{tcvn3(p[2])},{p[3]}")
    return Listing(
        "10-tcvn3-vntime.csv",
        ("\r\n".join(lines) + "\r\n").encode("latin-1"),
        [(p[0], p[1], p[2], p[3], "") for p in people],
        tcvn3=True,
    )


def legacy_xls() -> Listing:
    """Excel 97–2003 (.xls): title block with merged cells, a group heading, phones and
    CCCD typed as numbers, a total and a signature block."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    book.add_sheet("Bia")
    sheet = book.add_sheet("Danh sách")
    r = 0
    sheet.write_merge(r, r, 0, 2, "UBND TỈNH HÀ NAM")
    sheet.write_merge(r, r, 3, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    sheet.write_merge(2, 2, 0, 6, "DANH SÁCH ĐẠI BIỂU DỰ HỘI NGHỊ")
    header = ["STT", "Họ và tên", "Chức vụ", "Đơn vị", "Số CMND/CCCD", "Điện thoại", "Ký tên"]
    for c, text in enumerate(header):
        sheet.write(4, c, text)
    sheet.write_merge(5, 5, 0, 6, "Khối Sở, ngành")
    people = [person(i) for i in (0, 2, 4, 6, 8, 9, 12)]
    r = 6
    for n, p in enumerate(people, start=1):
        values = [n, p[0], p[1], p[2], int(p[4]) if p[4] else "", int(p[3])]
        for c, value in enumerate(values):
            sheet.write(r, c, value)
        r += 1
    sheet.write(r, 1, "Tổng cộng: 7 người")
    sheet.write(r + 2, 4, "NGƯỜI LẬP BIỂU")
    sheet.write(r + 5, 4, "Lê Thị Biểu")
    out = io.BytesIO()
    book.save(out)
    return Listing(
        "11-excel-97-2003.xls",
        out.getvalue(),
        [tuple(p) for p in people],
        {"heading": 1, "total": 1, "signature": 2},
        sheets=["Danh sách"],
    )


def several_phones() -> Listing:
    """Several phones in a cell, spaces everywhere, an old 9-digit CMND, CCCD as text."""
    rows = [["Họ tên", "Chức vụ", "Cơ quan", "ĐT", "CMND/CCCD"]]
    people = [person(i) for i in (7, 13, 17, 18, 19)]
    for n, p in enumerate(people):
        phone = [
            f"{p[3]} - 0243 999 888",
            f"{p[3][:4]} {p[3][4:]}; {p[3]}",
            f"DĐ: {p[3]}",
            f"{p[3]}\n0912 000 000",
            f"{p[3][:4]}.{p[3][4:7]}.{p[3][7:]} hoặc 0987 000 000",
        ][n]
        rows.append([f" {p[0]} ", f"{p[1]} ", f"  {p[2]}", phone, p[4]])
    return Listing(
        "12-nhieu-so-dien-thoai.xlsx",
        _xlsx([("DS", rows, [])]),
        [tuple(p) for p in people],
    )


def needs_mapping() -> Listing:
    """Headers the app cannot place ("Đơn vị chủ quản", "Liên lạc"): the organiser says
    what they are in the mapping step."""
    rows = [["STT", "Họ và tên", "Chức vụ", "Đơn vị chủ quản", "Liên lạc", "Ghi chú"]]
    people = [person(i) for i in (1, 3, 5, 7)]
    for n, p in enumerate(people, start=1):
        rows.append([n, p[0], p[1], p[2], p[3], ""])
    return Listing(
        "13-cot-chua-ro.xlsx",
        _xlsx([("Danh sách", rows, [])]),
        [(p[0], p[1], p[2], p[3], "") for p in people],
        columns=["number", "full_name", "position", "unit_name", "phone", "ignore"],
    )


def tcvn3_xlsx() -> Listing:
    """A workbook whose list was typed in .VnTime and .VnTimeH (capitals): TCVN3 as
    Latin-1 letters in every cell."""
    rows = [[tcvn3("DANH SÁCH ĐẠI BIỂU")], ["STT", "Hä vµ tªn", "Chøc vô", "§¬n vÞ"]]
    people = [person(i) for i in (2, 5, 8)]
    for n, p in enumerate(people, start=1):
        rows.append([n, tcvn3(p[0].upper()), tcvn3(p[1]), tcvn3(p[2])])
    return Listing(
        "14-tcvn3-vntime.xlsx",
        _xlsx([("Sheet1", rows, [])]),
        [(p[0], p[1], p[2], "", "") for p in people],
        tcvn3=True,
    )


BUILDERS = (
    title_block,
    two_row_header,
    combined_column,
    cover_sheet,
    sheet_per_group,
    libreoffice,
    typing_habits_csv,
    windows_1258_csv,
    utf16_csv,
    tcvn3_csv,
    legacy_xls,
    several_phones,
    needs_mapping,
    tcvn3_xlsx,
)


def corpus() -> list[Listing]:
    return [build() for build in BUILDERS]


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    folder.mkdir(parents=True, exist_ok=True)
    for listing in corpus():
        (folder / listing.filename).write_bytes(listing.data)
        print(folder / listing.filename, f"{len(listing.people)} people")

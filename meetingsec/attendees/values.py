"""A person's values as offices type them, made into what the list stores: each function
takes the cell's text and gives the value and, when it changed more than its spacing, the
fix the preview shows ("NGUYỄN VĂN AN" → "Nguyễn Văn An", a phone's leading zero
restored). Pure: no database, no request.
"""

import re

from flask_babel import lazy_gettext as _l

from meetingsec.core.text import clean

#: A phone number once its spaces, dots, dashes and brackets are gone: a mobile or a
#: landline (0 and 9 or 10 digits), with +84 or 84 instead of the 0
_PHONE = re.compile(r"^(?:\+84|84|0)\d{9,10}$")
#: What separates several phones in one cell: / ; , a new line, "hoặc", "và", " - "
_PHONES_SPLIT = re.compile(r"[/;,\n]|\s-\s|\bhoặc\b|\bvà\b|\bor\b", re.IGNORECASE)
_PHONE_NOISE = re.compile(r"[\s.\-()]")
#: A number in a part of the cell, without what comes around it ("DĐ: 0912…")
_PHONE_RUN = re.compile(r"\+?\d[\d\s.\-()]*\d")
#: A number Excel wrote in scientific notation: its last digits are lost
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?[eE]\+?\d+$")
#: Citizen identity card (CCCD): 12 digits, the first three the province (001–096), so a
#: number typed as a number loses one or two zeros
CCCD_DIGITS = 12
#: A passport's number as ICAO 9303 prints it: 6 to 9 capital letters or digits (the
#: machine-readable zone pads it to 9 with "<"). One rule for the list and the door.
PASSPORT = re.compile(r"[A-Z0-9]{6,9}")
#: Dots, commas, semicolons and dashes at the end of a position or unit
_TRAILING = re.compile(r"[\s.,;:\-–]+$")
_LEADING = re.compile(r"^[\s.,;:•*]+")


def name(raw: str) -> tuple[str, str | None]:
    """A full name, with single spaces, composed (NFC); typed all in capitals or all in
    small letters, each word's first letter a capital ("NGUYỄN THỊ HỒNG-NHUNG" →
    "Nguyễn Thị Hồng-Nhung")."""
    value = clean(raw)
    letters = [ch for ch in value if ch.isalpha()]
    if len(letters) < 2 or not (value.isupper() or value.islower()):
        return value, None
    fixed = " ".join(_capitalised(word) for word in value.split(" "))
    return fixed, _l("Name in capitals written as a name") if fixed != value else None


def _capitalised(word: str) -> str:
    """Each part of a word (``Hồng-Nhung``, ``(Tư)``) with a capital first letter."""
    out, start = [], True
    for ch in word.lower():
        out.append(ch.upper() if start and ch.isalpha() else ch)
        if ch.isalpha():
            start = False
        elif ch in "-(’'":
            start = True
    return "".join(out)


def label(raw: str) -> str:
    """A position or unit, without the dots and dashes typed around it."""
    return _TRAILING.sub("", _LEADING.sub("", clean(raw)))


def phone(raw: str) -> tuple[str, str | None, str | None]:
    """``(value, fix, error)``: the first valid number of the cell, as digits; a number
    Excel stored as a number gets its leading zero back. A cell holding no valid number is
    kept as typed (checked as any typed phone is)."""
    value = clean(raw)
    if _SCIENTIFIC.match(value):
        return value, None, _l("Phone: typed as a number, its last digits were lost.")
    found = (_PHONE_RUN.search(part) for part in _PHONES_SPLIT.split(raw))
    parts = [_PHONE_NOISE.sub("", m.group(0)) for m in found if m]
    for part in parts:
        lost_zero = part.isdigit() and len(part) in (9, 10) and part[0] != "0"
        restored = "0" + part if lost_zero else part
        if not _PHONE.match(restored):
            continue
        if len(parts) > 1:
            return restored, _l("Several phones: the first valid one kept"), None
        return restored, _l("Phone: leading 0 restored") if lost_zero else None, None
    return value, None, None


def id_number(raw: str) -> tuple[str, str | None, str | None]:
    """``(value, fix, error)``: a CCCD typed as a number gets its leading zeros back; a
    9-digit CMND, a staff number, stay as typed."""
    value = clean(raw).upper()
    if _SCIENTIFIC.match(value):
        return value, None, _l("ID number: typed as a number, its last digits were lost.")
    if value.isdigit() and CCCD_DIGITS - 2 <= len(value) < CCCD_DIGITS:
        return value.zfill(CCCD_DIGITS), _l("CCCD: leading zeros restored"), None
    return value, None, None


def passport(raw: str) -> tuple[str, str | None]:
    """``(value, error)``: a passport number in capitals, without the spaces typed in it
    ("c 123 4567" → "C1234567"); anything else than 6 to 9 letters or digits is refused."""
    value = "".join(clean(raw).split()).upper()
    if value and not PASSPORT.fullmatch(value):
        return value, _l("Passport number: 6 to 9 letters or digits, no other sign.")
    return value, None


#: Words that begin a unit ("Sở Tài chính", "UBND huyện…"), to cut a cell holding the
#: position and the unit ("Phó Giám đốc Sở Tài chính") where no comma does it
UNIT_WORDS = (
    "Sở", "Ban", "Bộ", "Cục", "Chi cục", "Tổng cục", "UBND", "Ủy ban", "Uỷ ban", "HĐND",
    "Hội đồng", "Văn phòng", "Phòng", "Trung tâm", "Công an", "Bộ Chỉ huy", "Bộ đội",
    "Tỉnh ủy", "Tỉnh uỷ", "Thành ủy", "Thành uỷ", "Huyện ủy", "Huyện uỷ", "Đảng ủy", "Đảng uỷ",
    "Mặt trận", "Liên đoàn", "Hội", "Trường", "Bệnh viện", "Công ty", "Tổng công ty",
    "Tập đoàn", "Viện", "Học viện", "Đại học", "Kho bạc", "Ngân hàng", "Báo", "Đài",
    "Tòa án", "Toà án", "Thanh tra", "Đoàn", "Chi nhánh", "Cảng vụ", "Quân khu",
    "Bộ Tư lệnh", "Kiểm toán",
)  # fmt: skip
#: Words after which a unit word is part of the position ("Chánh Văn phòng", "Trưởng Ban")
_OF_POSITION = {"chánh", "trưởng", "phó", "viên"}
_UNIT_START = re.compile(r"(?<!\S)(?:" + "|".join(map(re.escape, UNIT_WORDS)) + r")(?=\s|$)")


def position_and_unit(raw: str) -> tuple[str, str, str | None]:
    """``(position, unit, fix)`` of a cell holding both: cut at the first comma, or else
    before the first word that begins a unit; when neither, it is all the unit."""
    value = clean(raw)
    if "," in value:
        position, unit = value.split(",", 1)
        return label(position), label(unit), None
    for match in _UNIT_START.finditer(value):
        before = value[: match.start()].split()
        if before and before[-1].lower() not in _OF_POSITION:
            return label(" ".join(before)), label(value[match.start() :]), None
    return "", label(value), _l("Position and unit could not be told apart: all taken as unit")

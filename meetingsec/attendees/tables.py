"""Understanding a list's table as offices lay it out: which sheet and row name the
columns, what each column means, and which rows are people.

- The header is found by scoring the first ``HEADER_SEARCH`` rows of every sheet against
  the known column names (folded: no case, no diacritics, no punctuation), a header over
  two rows (merged cells) too; the best sheet wins, and the other sheets with the same
  header continue its list (one sheet per group).
- Rows that are not people are recognised and skipped with their reason: group headings,
  totals, the columns' numbers under the header, the header repeated, the signature block.

Pure: no database, no request. ``Meaning`` is the vocabulary the column-mapping step offers.
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from meetingsec.attendees.limits import Sheet
from meetingsec.attendees.tcvn3 import to_unicode
from meetingsec.core.text import fold

#: Rows of each sheet searched for the header: a title block is rarely more than ten
HEADER_SEARCH = 30


class Meaning:
    """What a column can hold."""

    FULL_NAME = "full_name"
    POSITION = "position"
    UNIT = "unit_name"
    POSITION_UNIT = "position_unit"
    ID_NUMBER = "id_number"
    PHONE = "phone"
    PASSPORT = "passport_number"
    NATIONALITY = "nationality"
    NUMBER = "number"  # the row's number (STT): not imported, tells people from headings
    IGNORE = "ignore"  # a column the list does not need (notes, signature, email…)

    LABELS = {
        FULL_NAME: _l("Full name"),
        POSITION: _l("Position"),
        UNIT: _l("Unit"),
        POSITION_UNIT: _l("Position and unit in one cell"),
        ID_NUMBER: _l("Staff or ID number"),
        PHONE: _l("Phone"),
        PASSPORT: _l("Passport number"),
        NATIONALITY: _l("Nationality"),
        NUMBER: _l("Row number (STT)"),
        IGNORE: _l("Ignore this column"),
    }
    #: Meanings a file has at most one column of
    SINGLE = (
        FULL_NAME,
        POSITION,
        UNIT,
        POSITION_UNIT,
        ID_NUMBER,
        PHONE,
        PASSPORT,
        NATIONALITY,
        NUMBER,
    )


#: Header texts (as ``header_key`` writes them) → meaning
_ALIASES = {
    Meaning.NUMBER: "stt, tt, so tt, so thu tu, thu tu, no, no.",
    Meaning.FULL_NAME: "ho va ten, ho ten, ho va ten dai bieu, ho ten dai bieu, "
    "ho va ten nguoi du, ten dai bieu, full name, name",
    Meaning.POSITION: "chuc vu, chuc danh, chuc vu chuc danh, chuc danh chuc vu, position",
    Meaning.UNIT: "don vi, co quan, co quan don vi, don vi co quan, noi cong tac, "
    "don vi cong tac, co quan cong tac, co quan don vi cong tac, unit",
    Meaning.POSITION_UNIT: "chuc vu don vi, chuc vu co quan, chuc vu noi cong tac, "
    "chuc vu don vi cong tac, chuc vu va don vi, chuc vu va don vi cong tac, "
    "chuc danh don vi, chuc vu co quan don vi, chuc vu co quan cong tac",
    Meaning.ID_NUMBER: "so hieu hoac cccd, so hieu cccd, so cccd, cccd, so hieu, "
    "staff or id number, id number, so cmnd cccd, so cccd cmnd, cmnd cccd, cccd cmnd, "
    "so cmnd, cmnd, so can cuoc, can cuoc cong dan, so can cuoc cong dan, so dinh danh, "
    "so dinh danh ca nhan",
    Meaning.PHONE: "dien thoai, so dien thoai, sdt, so dt, dt, dien thoai lien he, "
    "dien thoai di dong, di dong, phone",
    Meaning.PASSPORT: "so ho chieu, ho chieu, so ho chieu passport, ho chieu passport, passport, "
    "passport no, passport number, passport nr, so passport, so ho chieu passport no, "
    "so ho chieu passport number, ho chieu so, so ho chieu khach nuoc ngoai",
    Meaning.NATIONALITY: "quoc tich, nationality, citizenship",
    Meaning.IGNORE: "ghi chu, ky nhan, ky ten, chu ky, email, e mail, thu dien tu, gioi tinh, "
    "nam sinh, ngay sinh, nam nu, dan toc, ton giao, dia chi, que quan, thong tin lien he, "
    "lien he",
}
ALIASES = {
    alias.strip(): meaning for meaning, text in _ALIASES.items() for alias in text.split(",")
}
#: How much a header cell of each meaning counts towards a row being the header
_WEIGHT = {
    Meaning.FULL_NAME: 3,
    Meaning.UNIT: 2,
    Meaning.POSITION_UNIT: 2,
    Meaning.POSITION: 1,
    Meaning.ID_NUMBER: 1,
    Meaning.PHONE: 1,
    Meaning.PASSPORT: 1,
    Meaning.NATIONALITY: 0.5,
    Meaning.NUMBER: 1,
    Meaning.IGNORE: 0.5,
}
_PUNCTUATION = re.compile(r"[,/\-–&+;:().*\"'’]+")
_COLUMN_NUMBER = re.compile(r"^\(?\s*\d{1,2}\s*\)?$")
#: What the number column (STT) holds on a person's row: a number, or a formula
_PERSON_NUMBER = re.compile(r"^(\d{1,5}[.)]?|=.*)$")
#: Folded beginnings of a total row: "Tổng cộng: 25 người", "Cộng", "Tổng số 12 đại biểu"
_TOTAL = re.compile(r"^(tong cong|tong so|tong|cong)(\s*[:.]|\s+\d|\s+(so|dai bieu|nguoi)\b|$)")
#: Folded beginnings of a cell of the signature block, and the date line above it
_SIGNATURE = re.compile(
    r"^(nguoi lap|nguoi duyet|nguoi ky|thu truong|kt[ .]|tm[ .]|tl[ .]|q[ .]|"
    r"giam doc|pho giam doc|chu tich|pho chu tich|truong phong|pho truong phong|truong ban|"
    r"chanh van phong|pho chanh van phong|ke toan|thu ky|xac nhan|\(?ky |\(?da ky|noi nhan)"
)
_DATE_LINE = re.compile(r"\bngay\b.*\bthang\b.*\bnam\b")
#: Folded beginnings of a group heading typed where the names go
_HEADING = re.compile(
    r"^([ivx]+|[a-d])[.)]\s|^(khoi|dai bieu|thanh phan|nhom|cac|khach moi|lanh dao)\b"
)


def header_key(text: str) -> str:
    """A header cell as compared: folded, punctuation as spaces, a "(1)" numbering gone."""
    return " ".join(_PUNCTUATION.sub(" ", re.sub(r"\(\d{1,2}\)", " ", fold(text))).split())


def meaning_of(text: str) -> str | None:
    """What a header cell names; a header typed in TCVN3 (.VnTime) is understood too, so
    its file can be previewed before its text is converted."""
    return ALIASES.get(header_key(text)) or ALIASES.get(header_key(to_unicode(text)))


@dataclass
class Column:
    index: int
    #: The header as the file shows it (both rows of a two-row header)
    header: str
    #: What it was understood as (``Meaning``), None when not understood
    meaning: str | None


@dataclass
class Layout:
    """Where the list is: its sheet, the header's rows (numbered from 1), its columns."""

    sheet: int
    header_lines: tuple[int, ...]
    columns: list[Column]
    score: float

    @property
    def signature(self) -> str:
        """The header's texts: the same for every file made from the same template."""
        return "|".join(header_key(c.header) for c in self.columns)

    def index_of(self, meaning: str) -> int | None:
        return next((c.index for c in self.columns if c.meaning == meaning), None)


def _cell(row: list[str], i: int) -> str:
    return row[i].strip() if i < len(row) else ""


def _layout(sheet: int, lines: tuple[int, ...], rows: list[list[str]]) -> Layout | None:
    """The header made of ``rows`` (one, or two of a merged header), if it names a full
    name column: each column's meaning from the lower row, the upper, or both."""
    width = max(len(r) for r in rows)
    columns, seen = [], set()
    for i in range(width):
        texts = [t for t in (_cell(r, i) for r in rows) if t]
        candidates = [*reversed(texts), " ".join(texts)] if len(texts) > 1 else texts
        meaning = next((m for t in candidates if (m := meaning_of(t))), None)
        if meaning in seen and meaning in Meaning.SINGLE:
            meaning = None  # a second column of the same meaning is not understood
        if meaning:
            seen.add(meaning)
        columns.append(Column(i, " ".join(" ".join(texts).split()), meaning))
    if Meaning.FULL_NAME not in seen:
        return None
    score = sum(_WEIGHT[c.meaning] if c.meaning else -0.25 for c in columns if c.header)
    while columns and not columns[-1].header:
        columns.pop()
    return Layout(sheet, lines, columns, score)


def _candidates(sheet: int, rows: list[list[str]]):
    """Every header the first rows of a sheet could be: one row, or two rows read together
    (a header over two rows with merged cells) when they name more than either alone."""

    def filled(r: int) -> bool:
        return r < len(rows) and any(c.strip() for c in rows[r])

    def single(r: int) -> Layout | None:
        return _layout(sheet, (r + 1,), [rows[r]]) if filled(r) else None

    below = single(0)
    for r in range(min(HEADER_SEARCH, len(rows))):
        here, below = below, single(r + 1)
        if here is not None:
            yield here
        if filled(r) and filled(r + 1):
            double = _layout(sheet, (r + 1, r + 2), rows[r : r + 2])
            alone = max((c.score for c in (here, below) if c is not None), default=0)
            if double is not None and double.score > alone:
                yield double


def find_layouts(sheets: list[Sheet]) -> tuple[list[Layout], bool]:
    """The header of the list, the best first, then those of the other sheets that read
    the same (one sheet per group); and whether another header, different, is as good (two
    tables, two sheets: the organiser then checks the columns)."""
    found = [c for s, sheet in enumerate(sheets) for c in _candidates(s, sheet.rows)]
    if not found:
        return [], False
    best = max(found, key=lambda c: c.score)  # the first of equals
    best_of_sheet: dict[int, Layout] = {}
    for c in found:
        if c.sheet not in best_of_sheet or c.score > best_of_sheet[c.sheet].score:
            best_of_sheet[c.sheet] = c
    same = [c for c in best_of_sheet.values() if c.signature == best.signature and c is not best]
    rival = any(
        c.score == best.score
        and c.signature != best.signature
        and not (c.sheet == best.sheet and set(c.header_lines) & set(best.header_lines))
        for c in found
    )
    return [best, *same], rival


@dataclass
class Row:
    """A row below the header: a person's cells, or a row skipped and why."""

    sheet: str
    line: int
    cells: list[str]
    skipped: str | None = None  # a ``SKIPPED`` key

    @property
    def text(self) -> str:
        return " · ".join(c.strip() for c in self.cells if c.strip())


SKIPPED = {
    "heading": _l("Group heading"),
    "total": _l("Total row"),
    "column_numbers": _l("Column numbers"),
    "header": _l("The header again"),
    "signature": _l("Signature block"),
}


def _is_number(text: str) -> bool:
    return bool(_PERSON_NUMBER.match(text))


def _why_skipped(cells: list[str], layout: Layout) -> str | None:
    """Why a row is not a person's (a ``SKIPPED`` key), or None."""
    number_at, name_at = layout.index_of(Meaning.NUMBER), layout.index_of(Meaning.FULL_NAME)
    number = _cell(cells, number_at) if number_at is not None else ""
    name = _cell(cells, name_at) if name_at is not None else ""
    texts = [_cell(cells, i) for i in range(len(cells)) if i != number_at and _cell(cells, i)]
    every = [t for t in (number, *texts) if t]
    if len(every) > 1 and all(_COLUMN_NUMBER.match(t) for t in every):
        return "column_numbers"
    if number and _is_number(number):
        return None  # a numbered row is a person's
    if meaning_of(name) == Meaning.FULL_NAME:
        return "header"
    folded = [fold(t) for t in every]
    if _TOTAL.match(fold(next(c.strip() for c in cells if c.strip()))):
        return "total"
    if any(_DATE_LINE.search(f) for f in folded) or all(_SIGNATURE.match(f) for f in folded):
        return "signature"
    if len(set(texts)) <= 1:
        lone = texts[0] if texts else ""
        at = next((i for i, c in enumerate(cells) if c.strip() == lone), 0) if lone else 0
        # an STT that is no number ("I", "A."), a text alone left of the names (a merged
        # cell across the table), or a heading's words; a text alone elsewhere is a
        # person's row missing its name, shown with its errors
        if number or (name_at is not None and at < name_at) or _HEADING.match(fold(lone)):
            return "heading"
    return None


def body_rows(sheet: Sheet, layout: Layout) -> list[Row]:
    """Every non-empty row under the header, each a person's or skipped with its reason;
    every row after the signature block begins is part of it."""
    out, signed = [], False
    for r in range(layout.header_lines[-1], len(sheet.rows)):
        cells = sheet.rows[r]
        if not any(c.strip() for c in cells):
            continue
        row = Row(sheet.name, r + 1, cells)
        row.skipped = "signature" if signed else _why_skipped(cells, layout)
        signed = row.skipped == "signature"
        out.append(row)
    return out

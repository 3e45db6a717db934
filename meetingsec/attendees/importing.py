"""Importing an attendee list from a file as offices keep them (.xlsx, .xls, CSV), and
checking every row before anything is saved.

1. ``read_file``: the file's sheets, read within limits (``sheets``, ``xls``,
   ``textfiles``); a file-level problem (not a spreadsheet, too large) raises
   ``ImportRefused``.
2. ``understand``: where the list is and what its columns mean (``tables``), each row a
   person (its values made as the list stores them, with the fixes shown: ``values``) or
   skipped with its reason. ``preview_file`` is both: a pure function from the file's
   bytes to what the preview shows.
3. ``check_rows``: every person's errors, duplicates included, so the organiser sees every
   one of them in the preview.

The route reads the file with no transaction open (``read_upload``), then ``stage_import``
keeps the sheets that hold the list in a short one; the preview is understood from them
again each time it is shown, with the organiser's choice of columns (``choose_columns``)
or a TCVN3 text converted (``convert_tcvn3``). Nothing is added before ``confirm_import``.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select

from meetingsec.attendees import values as fix
from meetingsec.attendees.limits import (
    MAX_BYTES,
    MAX_ROWS,
    ImportRefused,
    ImportTooLarge,
    Sheet,
    too_large_a_file,
)
from meetingsec.attendees.models import AttendeeImport, ColumnChoice
from meetingsec.attendees.services import (
    PHONE_PATTERN,
    add_attendees,
    document_error,
    duplicate_reason,
    list_keys,
    person_key,
    require_list_open,
    require_organiser,
)
from meetingsec.attendees.sheets import read_xlsx
from meetingsec.attendees.tables import Column, Layout, Meaning, Row, body_rows
from meetingsec.attendees.tables import find_layouts as _find_layouts
from meetingsec.attendees.tcvn3 import looks_like_tcvn3, to_unicode
from meetingsec.attendees.textfiles import read_csv
from meetingsec.attendees.xls import MAGIC as XLS_MAGIC
from meetingsec.attendees.xls import read_xls
from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.core.text import BIDI_CONTROLS, begins_as_formula, clean, has_control_chars
from meetingsec.extensions import db

if TYPE_CHECKING:
    from meetingsec.users.models import User

#: Column → (header in the template, maximum length, required)
COLUMNS = {
    "full_name": (_l("Full name"), 200, True),
    "position": (_l("Position"), 200, False),
    "unit_name": (_l("Unit"), 300, True),
    "id_number": (_l("Staff or ID number"), 40, False),
    "phone": (_l("Phone"), 30, False),
    "passport_number": (_l("Passport number"), 20, False),
    "nationality": (_l("Nationality"), 60, False),
}
#: Columns that name someone or something: refused when they begin as a formula does.
#: Must change with the ``is_name`` fields of ``forms.AttendeeForm``.
NAMES = ("full_name", "position", "unit_name", "nationality")
_PHONE = re.compile(PHONE_PATTERN)
#: What ``read_file`` reads by the file's name
_READERS = {".xlsx": "xlsx", ".xls": "xls", ".csv": "csv", ".txt": "csv"}


@dataclass
class Reading:
    """A file as read: how (xlsx, xls, utf-8, utf-16, cp1258, tcvn3) and its sheets."""

    encoding: str
    sheets: list[Sheet]

    @property
    def tcvn3(self) -> bool:
        """Its text looks like TCVN3 (.VnTime), not yet converted."""
        return self.encoding == "tcvn3" or looks_like_tcvn3(
            cell for sheet in self.sheets for row in sheet.rows[:200] for cell in row
        )


def read_file(filename: str, data: bytes) -> Reading:
    """The file's sheets. Pure, and bounded in time and memory whatever the file holds."""
    if not data:
        raise ImportRefused(
            _l(
                "The file is empty. Open the list, check that the people are in it, save it "
                "and upload it again."
            )
        )
    if len(data) > MAX_BYTES:
        raise too_large_a_file()
    kind = next((k for ext, k in _READERS.items() if filename.lower().endswith(ext)), None)
    if kind in ("xlsx", "xls"):  # a workbook renamed (.xls for .xlsx) is read as it is
        kind = "xls" if data.startswith(XLS_MAGIC) else "xlsx" if data[:2] == b"PK" else kind
    if kind == "xlsx":
        return Reading("xlsx", read_xlsx(data))
    if kind == "xls":
        return Reading("xls", read_xls(data))
    if kind == "csv":
        sheet, encoding = read_csv(data)
        return Reading(encoding, [sheet])
    raise ImportRefused(
        _l(
            "Only .xlsx, .xls and .csv files can be imported. Save the list as .xlsx (in "
            "Excel: File, Save As, Excel Workbook) and upload it again."
        )
    )


@dataclass
class Person:
    """A person's row: its values as the list stores them, what was fixed on the way, and
    what is wrong with it as typed."""

    sheet: str
    line: int
    #: The row's cells as read
    cells: list[str]
    values: dict
    fixes: list = field(default_factory=list)
    errors: list = field(default_factory=list)


@dataclass
class Understood:
    """What the preview shows of a file, before any check against the list."""

    layout: Layout
    #: Names of the sheets the list was taken from (the first the best)
    sheets: list[str]
    people: list[Person]
    skipped: list[Row]
    #: Why the organiser should check the columns' meanings (the mapping step)
    unsure: list
    #: The columns were the organiser's choice (remembered or just made)
    chosen: bool = False

    @property
    def columns(self) -> list[Column]:
        return self.layout.columns

    @property
    def ignored(self) -> list[Column]:
        return [c for c in self.columns if c.header and c.meaning in (Meaning.IGNORE, None)]

    def samples(self, index: int, n: int = 3) -> list[str]:
        """The first texts of column ``index`` in the people's rows: what the organiser
        reads to say what the column holds."""
        out = []
        for person in self.people:
            value = person.cells[index].strip() if index < len(person.cells) else ""
            if value:
                out.append(value[:60])
                if len(out) == n:
                    break
        return out


def find_layouts(sheets: list[Sheet]) -> tuple[list[Layout], bool]:
    layouts, rival = _find_layouts(sheets)
    if not layouts:
        raise ImportRefused(
            _l(
                "No row of the file names the columns of a list. One row above the people "
                "must name at least the full name column (Họ và tên) and the unit (Đơn vị): "
                "add such a row above the first person, save the file and upload it again."
            ),
            "import_no_header",
        )
    return layouts, rival


def understand(sheets: list[Sheet], columns: list[str] | None = None) -> Understood:
    """Where the list is in ``sheets`` and its people; ``columns``: each column's meaning
    as the organiser chose it (else as understood from the header)."""
    layouts, rival = find_layouts(sheets)
    if columns is not None:
        for layout in layouts:
            layout.columns = [
                Column(i, layout.columns[i].header if i < len(layout.columns) else "", meaning)
                for i, meaning in enumerate(columns)
            ]
    people, skipped = [], []
    for layout in layouts:
        for row in body_rows(sheets[layout.sheet], layout):
            if row.skipped:
                skipped.append(row)
            else:
                people.append(_person(row, layout))
    if len(people) > MAX_ROWS:
        raise ImportTooLarge(
            _l(
                "At most %(n)d attendees can be imported at once. Split the list into "
                "several files and import them one after another.",
                n=MAX_ROWS,
            )
        )
    best = layouts[0]
    unsure = []
    if columns is None:
        if rival:
            unsure.append(_l("Another sheet has a different list as good as this one."))
        unknown = [c.header for c in best.columns if c.header and c.meaning is None]
        if unknown:
            unsure.append(
                _l("Columns not understood, ignored: %(columns)s.", columns=", ".join(unknown))
            )
        if best.index_of(Meaning.UNIT) is None and best.index_of(Meaning.POSITION_UNIT) is None:
            unsure.append(_l("No column was understood as the unit."))
    return Understood(
        best,
        [sheets[layout.sheet].name for layout in layouts],
        people,
        skipped,
        unsure,
        chosen=columns is not None,
    )


def _person(row: Row, layout: Layout) -> Person:
    """A person's row, its values made as the list stores them."""
    cells: dict[str, str] = {}
    extra = False
    for i, cell in enumerate(row.cells):
        meaning = layout.columns[i].meaning if i < len(layout.columns) else None
        if meaning in (None, Meaning.IGNORE, Meaning.NUMBER):
            extra = extra or (i >= len(layout.columns) and bool(cell.strip()))
        else:
            cells[meaning] = cell
    person = Person(row.sheet, row.line, row.cells, {c: "" for c in COLUMNS})
    if extra:
        person.errors.append(_l("This row has more cells than the header has columns."))
    raw = {c: cells.get(c, "") for c in COLUMNS}
    if any(v.lstrip().startswith("=") for v in raw.values()):
        person.values = {c: clean(v) for c, v in raw.items()}  # refused as typed
        return person
    person.values["full_name"], name_fix = fix.name(raw["full_name"])
    person.values["position"] = fix.label(raw["position"])
    person.values["unit_name"] = fix.label(raw["unit_name"])
    combined = cells.get(Meaning.POSITION_UNIT, "")
    if clean(combined):
        position, unit, split_fix = fix.position_and_unit(combined)
        person.values["position"] = person.values["position"] or position
        person.values["unit_name"] = person.values["unit_name"] or unit
        person.fixes.append(split_fix)
    person.values["phone"], phone_fix, phone_error = fix.phone(raw["phone"])
    person.values["id_number"], id_fix, id_error = fix.id_number(raw["id_number"])
    person.values["passport_number"], passport_error = fix.passport(raw["passport_number"])
    person.values["nationality"] = fix.label(raw["nationality"])
    person.fixes = [f for f in (name_fix, *person.fixes, phone_fix, id_fix) if f]
    person.errors += [e for e in (phone_error, id_error, passport_error) if e]
    return person


def preview_file(filename: str, data: bytes, columns: list[str] | None = None) -> Understood:
    """The file's bytes → what the preview shows (no check against the list yet)."""
    return understand(read_file(filename, data).sheets, columns)


def expected_headers() -> str:
    return ", ".join(str(c[0]) for c in COLUMNS.values())


@dataclass
class RowCheck:
    line: int
    values: dict
    errors: list = field(default_factory=list)
    fixes: list = field(default_factory=list)
    sheet: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_errors(col: str, value: str) -> list:
    label, max_length, required = COLUMNS[col]
    errors = []
    if col in NAMES and begins_as_formula(value):
        errors.append(
            _l(
                "%(column)s cannot begin with = + - or @: a spreadsheet would take it for a "
                "formula.",
                column=label,
            )
        )
    elif value.startswith("="):
        errors.append(_l("%(column)s: formulas are not accepted; type the value.", column=label))
    elif required and not value:
        errors.append(_l("%(column)s is required.", column=label))
    if len(value) > max_length:
        errors.append(_l("%(column)s: at most %(max)d characters.", column=label, max=max_length))
    if has_control_chars(value):
        errors.append(
            _l(
                "%(column)s contains invisible text-direction characters (often pasted from "
                "another document): type it again.",
                column=label,
            )
            if any(ch in BIDI_CONTROLS for ch in value)
            else _l("%(column)s contains characters that are not allowed.", column=label)
        )
    if col == "phone" and value and not value.startswith("=") and not _PHONE.match(value):
        errors.append(_l("Phone: only digits, spaces and + ( ) . -"))
    return errors


def check_rows(meeting, people: list[Person]) -> list[RowCheck]:
    """Every person with their errors; duplicates within the file and with the list."""
    known = list_keys(meeting.id)
    seen: dict[str, int] = {}
    checks = []
    for person in people:
        values = person.values
        check = RowCheck(person.line, values, list(person.errors), person.fixes, person.sheet)
        for col in COLUMNS:
            check.errors += _cell_errors(col, values[col])
        both = values["passport_number"] and values["id_number"]
        if both and check.ok:
            check.errors.append(document_error(values)[1])
        if check.ok:
            duplicate = duplicate_reason(meeting, values, known)
            keys = [person_key(values["full_name"], values["unit_name"])]
            if values["id_number"]:
                keys.append("#" + values["id_number"].upper())
            if values["passport_number"]:
                keys.append("P#" + values["passport_number"])
            earlier = next((seen[k] for k in keys if k in seen), None)
            if duplicate is not None:
                check.errors.append(duplicate[1])
            elif earlier is not None:
                check.errors.append(_l("Same person as line %(line)d.", line=earlier))
            for k in keys:
                seen.setdefault(k, person.line)
        checks.append(check)
    return checks


def read_upload(meeting, *, actor: "User", filename: str, data: bytes) -> Reading:
    """``read_file`` for the organiser of a list still open (checked first: no one else
    makes the app read a file), understood once to refuse a file holding no list. The
    route calls it with no transaction open."""
    require_organiser(meeting, actor)
    require_list_open(meeting)
    reading = read_file(filename, data)
    list_sheets(reading)
    return reading


def list_sheets(reading: Reading) -> list[Sheet]:
    """The sheets that hold the list, refused when it holds no person."""
    used = [reading.sheets[layout.sheet] for layout in find_layouts(reading.sheets)[0]]
    if not understand(used).people:
        raise ImportRefused(
            _l(
                "The file has a header but no attendee rows. Put the people in the rows "
                "below the header (on the same sheet), save the file and upload it again."
            )
        )
    return used


def digest(signature: str) -> str:
    return hashlib.sha256(signature.encode()).hexdigest()


def remembered_columns(signature: str) -> list[str] | None:
    """The meanings an organiser chose for a header that reads as ``signature``."""
    choice = db.session.scalar(
        select(ColumnChoice).where(ColumnChoice.header_digest == digest(signature))
    )
    return json.loads(choice.meanings) if choice is not None else None


def stage_import(
    meeting,
    *,
    actor: "User",
    filename: str,
    read: Reading | None = None,
    data: bytes | None = None,
    now=None,
) -> AttendeeImport:
    """Keep the sheets holding the list for the preview; nothing is added to the list
    yet. ``read`` is what ``read_upload`` read before the transaction began (the route:
    reading holds no lock); otherwise the file's ``data`` is read here. The columns an
    organiser chose for a file with the same header are used again."""
    db.session.flush()  # then read the meeting as it is now, not as it was before reading
    db.session.refresh(meeting, ["status", "organiser_id"])
    require_organiser(meeting, actor)
    require_list_open(meeting)
    reading = read if read is not None else read_file(filename, data or b"")
    sheets = list_sheets(reading)
    columns = remembered_columns(find_layouts(sheets)[0][0].signature)
    state = {
        "sheets": [{"name": s.name, "rows": s.rows} for s in sheets],
        "columns": columns,
        "tcvn3": "detected" if reading.tcvn3 else None,
    }
    understood = understand(sheets, columns)
    batch = AttendeeImport(
        meeting_id=meeting.id,
        filename=clean(filename)[:200] or "-",
        encoding=reading.encoding,
        rows=json.dumps(state, ensure_ascii=False),
        row_count=len(understood.people),
        created_by_id=actor.id,
        created_at=now or utcnow(),
    )
    db.session.add(batch)
    record(
        "attendees.import_uploaded",
        batch,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "filename": batch.filename,
            "rows": batch.row_count,
            "sheets": understood.sheets,
        },
    )
    return batch


def _state(batch: AttendeeImport) -> dict:
    return json.loads(batch.rows)


def _sheets(state: dict) -> list[Sheet]:
    return [Sheet(s["name"], s["rows"]) for s in state["sheets"]]


def understood(batch: AttendeeImport) -> tuple[Understood, dict]:
    """What the preview of ``batch`` shows, and its kept state."""
    state = _state(batch)
    return understand(_sheets(state), state["columns"]), state


def preview(meeting, batch: AttendeeImport) -> tuple[Understood, list[RowCheck], dict]:
    found, state = understood(batch)
    return found, check_rows(meeting, found.people), state


def _require_pending(meeting, batch: AttendeeImport, actor: "User") -> None:
    require_organiser(meeting, actor)
    require_list_open(meeting)
    _require_not_imported(batch)


def _require_not_imported(batch: AttendeeImport) -> None:
    if batch.imported_at is not None:
        raise DomainError(
            _l(
                "This file has already been imported: its people are on the list. To add "
                "others, upload a file with only them."
            ),
            "already_imported",
        )


def choose_columns(
    meeting, batch: AttendeeImport, meanings: list[str], *, actor: "User", now=None
) -> None:
    """The organiser's meaning for each column of the file: used for its preview, and
    remembered for the next file whose header reads the same."""
    _require_pending(meeting, batch, actor)
    state = _state(batch)
    layout = find_layouts(_sheets(state))[0][0]
    if len(meanings) != len(layout.columns) or any(m not in Meaning.LABELS for m in meanings):
        raise DomainError(_l("Choose a meaning for every column."), "columns_invalid")
    twice = [m for m in Meaning.SINGLE if meanings.count(m) > 1]
    if twice:
        raise DomainError(
            _l(
                "Only one column can be %(meaning)s.",
                meaning=", ".join(str(Meaning.LABELS[m]) for m in twice),
            ),
            "column_twice",
        )
    if Meaning.FULL_NAME not in meanings or not (
        Meaning.UNIT in meanings or Meaning.POSITION_UNIT in meanings
    ):
        raise DomainError(
            _l("Choose the column of the full name and the column of the unit."),
            "columns_missing",
        )
    now = now or utcnow()
    state["columns"] = meanings
    batch.rows = json.dumps(state, ensure_ascii=False)
    batch.row_count = len(understand(_sheets(state), meanings).people)
    key = digest(layout.signature)
    choice = db.session.scalar(select(ColumnChoice).where(ColumnChoice.header_digest == key))
    if choice is None:
        choice = ColumnChoice(header_digest=key)
        db.session.add(choice)
    choice.header = json.dumps([c.header for c in layout.columns], ensure_ascii=False)
    choice.meanings = json.dumps(meanings)
    choice.chosen_by_id, choice.chosen_at = actor.id, now
    record(
        "attendees.import_columns_chosen",
        batch,
        actor=actor,
        now=now,
        data={
            "meeting_id": meeting.id,
            "columns": [
                {"header": c.header, "meaning": m}
                for c, m in zip(layout.columns, meanings, strict=True)
            ],
        },
    )


def convert_tcvn3(meeting, batch: AttendeeImport, *, actor: "User", now=None) -> None:
    """Read the file's text as TCVN3 (.VnTime) and keep it in Unicode."""
    _require_pending(meeting, batch, actor)
    state = _state(batch)
    if state.get("tcvn3") != "detected":
        raise DomainError(
            _l("This file's text is not TCVN3: check the names in the preview and import it."),
            "not_tcvn3",
        )
    for sheet in state["sheets"]:
        sheet["rows"] = [[to_unicode(cell) for cell in row] for row in sheet["rows"]]
    state["tcvn3"] = "converted"
    batch.rows = json.dumps(state, ensure_ascii=False)
    batch.row_count = len(understand(_sheets(state), state["columns"]).people)
    record(
        "attendees.import_converted",
        batch,
        actor=actor,
        now=now,
        data={"meeting_id": meeting.id, "from": "tcvn3"},
    )


def confirm_import(meeting, batch: AttendeeImport, *, actor: "User", now=None) -> int:
    """Add the rows that check out (checked again now: the list may have changed)."""
    require_organiser(meeting, actor)
    _require_not_imported(batch)
    _found, checks, state = preview(meeting, batch)
    if state.get("tcvn3") == "detected":
        raise DomainError(
            _l("Convert the file's TCVN3 text to Unicode first: its names would be garbled."),
            "tcvn3_not_converted",
        )
    good = [c.values for c in checks if c.ok]
    if not good:
        raise DomainError(
            _l("No row can be imported: correct the file and upload it again."), "nothing_to_import"
        )
    now = now or utcnow()
    add_attendees(meeting, good, actor=actor, source=f"import:{batch.id}", now=now)
    batch.imported_at, batch.imported_count = now, len(good)
    return len(good)


def template_workbook():
    """The workbook to fill in: the header row, widths, nothing else (an example row would
    be imported by mistake)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sach"
    headers = {
        "full_name": "Họ và tên",
        "position": "Chức vụ",
        "unit_name": "Đơn vị",
        "id_number": "Số hiệu hoặc CCCD",
        "phone": "Điện thoại",
        "passport_number": "Số hộ chiếu (khách nước ngoài)",
        "nationality": "Quốc tịch",
    }
    for i, (col, title) in enumerate(headers.items(), start=1):
        cell = sheet.cell(row=1, column=i, value=title)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = COLUMNS[col][1] // 6 + 14
    for row in range(2, 502):  # staff, phone, passport numbers are text (leading zeros kept)
        for column in (4, 5, 6):
            sheet.cell(row=row, column=column).number_format = "@"
    return book

"""Reading an attendee list from an .xlsx or .csv file, and checking every row before
anything is saved.

A file-level problem (not a spreadsheet, no header, wrong columns, too large) raises
``ImportRefused``; row problems are reported per row by ``check_rows`` so the organiser sees
every one of them in the preview.

Reading is pure and bounded (``sheets``): the route reads the file with no transaction
open (``read_upload``), then ``stage_import`` saves the rows in a short one.
"""

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from meetingsec.attendees.models import AttendeeImport
from meetingsec.attendees.services import (
    PHONE_PATTERN,
    add_attendees,
    duplicate_reason,
    list_keys,
    person_key,
    require_list_open,
    require_organiser,
)
from meetingsec.attendees.sheets import (
    MAX_BYTES,
    MAX_ROWS,
    ImportRefused,
    ImportTooLarge,
    read_csv,
    read_xlsx,
)
from meetingsec.audit.services import record
from meetingsec.core.db import utcnow
from meetingsec.core.errors import DomainError
from meetingsec.core.text import (
    BIDI_CONTROLS,
    begins_as_formula,
    clean,
    fold,
    has_control_chars,
)
from meetingsec.extensions import db

if TYPE_CHECKING:
    from meetingsec.users.models import User

#: Column → (header in the template, headers accepted, folded), maximum length, required
COLUMNS = {
    "full_name": (_l("Full name"), ("ho va ten", "ho ten", "full name", "name"), 200, True),
    "position": (_l("Position"), ("chuc vu", "position"), 200, False),
    "unit_name": (
        _l("Unit"),
        ("don vi", "co quan", "co quan, don vi", "co quan don vi", "unit"),
        300,
        True,
    ),
    "id_number": (
        _l("Staff or ID number"),
        (
            "so hieu hoac cccd",
            "so hieu/cccd",
            "so cccd",
            "cccd",
            "so hieu",
            "staff or id number",
            "id number",
        ),
        40,
        False,
    ),
    "phone": (_l("Phone"), ("dien thoai", "so dien thoai", "phone"), 30, False),
}
#: Headers that may be present and are ignored (a row number)
IGNORED = {"stt", "no", "no."}
#: Columns that name someone or something: refused when they begin as a formula does.
#: Must change with the ``is_name`` fields of ``forms.AttendeeForm``.
NAMES = ("full_name", "position", "unit_name")
_PHONE = re.compile(PHONE_PATTERN)


def read_file(filename: str, data: bytes) -> tuple[str, list[dict]]:
    """``(encoding, rows)``: each row ``{"line": n, "values": {column: text}}``. Pure, and
    bounded in time and memory whatever the file holds (``sheets``)."""
    if not data:
        raise ImportRefused(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ImportTooLarge(_l("The file is too large: at most 2 MB."))
    name = filename.lower()
    if name.endswith(".xlsx"):
        table, encoding = read_xlsx(data), "xlsx"
    elif name.endswith((".csv", ".txt")):
        table, encoding = read_csv(data)
    else:
        raise ImportRefused(_l("Choose an .xlsx or .csv file."))
    numbered = [(i, r) for i, r in enumerate(table, start=1) if any(c.strip() for c in r)]
    if not numbered:
        raise ImportRefused(_l("The file has no rows."))
    header_line, header = numbered[0]
    columns = _columns(header)
    body = numbered[1:]
    if not body:
        raise ImportRefused(_l("The file has a header but no attendee rows."))
    if len(body) > MAX_ROWS:
        raise ImportTooLarge(_l("At most %(n)d attendees can be imported at once.", n=MAX_ROWS))
    rows = []
    for line, cells in body:
        values = {col: "" for col in COLUMNS}
        extra = []
        for i, cell in enumerate(cells):
            col = columns[i] if i < len(columns) else None
            if col:
                values[col] = cell
            elif cell.strip() and i >= len(columns):
                extra.append(cell)
        rows.append({"line": line, "values": values, "extra": bool(extra)})
    return encoding, rows


def expected_headers() -> str:
    return ", ".join(str(c[0]) for c in COLUMNS.values())


def _columns(header: list[str]) -> list[str | None]:
    """The column each header names (None for an ignored one); wrong columns refuse."""
    by_alias = {alias: col for col, (_t, aliases, _m, _r) in COLUMNS.items() for alias in aliases}
    columns, unknown = [], []
    for cell in header:
        folded = fold(cell)
        if folded in by_alias:
            columns.append(by_alias[folded])
        elif folded in IGNORED or not folded:
            columns.append(None)
        else:
            columns.append(None)
            unknown.append(cell.strip())
    missing = [str(COLUMNS[c][0]) for c, spec in COLUMNS.items() if spec[3] and c not in columns]
    if unknown or missing:
        raise ImportRefused(
            _l(
                "The first row must name the columns: %(expected)s. "
                "Not understood: %(unknown)s. Missing: %(missing)s.",
                expected=expected_headers(),
                unknown=", ".join(unknown) or "—",
                missing=", ".join(missing) or "—",
            )
        )
    if len([c for c in columns if c]) != len({c for c in columns if c}):
        raise ImportRefused(_l("A column appears twice in the first row."))
    return columns


@dataclass
class RowCheck:
    line: int
    values: dict
    errors: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell_errors(col: str, raw: str) -> list:
    label, _aliases, max_length, required = COLUMNS[col]
    value = clean(raw)
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


def check_rows(meeting, rows: list[dict]) -> list[RowCheck]:
    """Every row with its errors; duplicates within the file and with the list flagged."""
    known = list_keys(meeting.id)
    seen: dict[str, int] = {}
    checks = []
    for row in rows:
        values = {c: clean(row["values"].get(c, "")) for c in COLUMNS}
        check = RowCheck(row["line"], values)
        for col in COLUMNS:
            check.errors += _cell_errors(col, row["values"].get(col, ""))
        if row.get("extra"):
            check.errors.append(_l("This row has more cells than the header has columns."))
        if check.ok:
            duplicate = duplicate_reason(meeting, values, known)
            keys = [person_key(values["full_name"], values["unit_name"])]
            if values["id_number"]:
                keys.append("#" + values["id_number"].upper())
            earlier = next((seen[k] for k in keys if k in seen), None)
            if duplicate is not None:
                check.errors.append(duplicate[1])
            elif earlier is not None:
                check.errors.append(_l("Same person as line %(line)d.", line=earlier))
            for k in keys:
                seen.setdefault(k, row["line"])
        checks.append(check)
    return checks


def read_upload(meeting, *, actor: "User", filename: str, data: bytes) -> tuple[str, list[dict]]:
    """``read_file`` for the organiser of a list still open (checked first: no one else
    makes the app read a file). The route calls it with no transaction open."""
    require_organiser(meeting, actor)
    require_list_open(meeting)
    return read_file(filename, data)


def stage_import(
    meeting,
    *,
    actor: "User",
    filename: str,
    read: tuple[str, list[dict]] | None = None,
    data: bytes | None = None,
    now=None,
) -> AttendeeImport:
    """Keep the file's rows for the preview; nothing is added to the list yet. ``read``
    is what ``read_upload`` read before the transaction began (the route: reading holds
    no lock); otherwise the file's ``data`` is read here."""
    db.session.flush()  # then read the meeting as it is now, not as it was before reading
    db.session.refresh(meeting, ["status", "organiser_id"])
    require_organiser(meeting, actor)
    require_list_open(meeting)
    encoding, rows = read if read is not None else read_file(filename, data or b"")
    batch = AttendeeImport(
        meeting_id=meeting.id,
        filename=clean(filename)[:200] or "-",
        encoding=encoding,
        rows=json.dumps(rows, ensure_ascii=False),
        row_count=len(rows),
        created_by_id=actor.id,
        created_at=now or utcnow(),
    )
    db.session.add(batch)
    record(
        "attendees.import_uploaded",
        batch,
        actor=actor,
        now=now,
        data={"meeting_id": meeting.id, "filename": batch.filename, "rows": len(rows)},
    )
    return batch


def preview(meeting, batch: AttendeeImport) -> list[RowCheck]:
    return check_rows(meeting, json.loads(batch.rows))


def confirm_import(meeting, batch: AttendeeImport, *, actor: "User", now=None) -> int:
    """Add the rows that check out (checked again now: the list may have changed)."""
    require_organiser(meeting, actor)
    if batch.imported_at is not None:
        raise DomainError(_l("This file has already been imported."), "already_imported")
    good = [c.values for c in preview(meeting, batch) if c.ok]
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
    }
    for i, (col, title) in enumerate(headers.items(), start=1):
        cell = sheet.cell(row=1, column=i, value=title)
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = COLUMNS[col][2] // 6 + 14
    for row in range(2, 502):  # staff and phone numbers are text (leading zeros kept)
        for column in (4, 5):
            sheet.cell(row=row, column=column).number_format = "@"
    return book

"""The sheets of an uploaded legacy workbook (.xls, Excel 97–2003), read with xlrd within
the limits of ``limits``.

An .xls is not compressed: what it holds is at most the upload's 2 MB. But a few bytes can
still name a cell far away (row 65,535, column 255), and one MULRK record holds a row of
cells: xlrd would build every row up to the farthest, every cell up to it. So the
workbook's records are first walked without being parsed, counting sheets, cells, rows,
columns and strings, and the file is refused at the first limit passed; only then does
xlrd read it. Formulas are read as their last computed value (an .xls keeps the formula
compiled, not as typed text).
"""

import io
import struct

import xlrd
from flask_babel import lazy_gettext as _l
from xlrd.compdoc import CompDoc

from meetingsec.attendees.limits import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    MAX_STRINGS,
    ImportRefused,
    ImportTooLarge,
    Sheet,
    too_far_right,
    too_many_cells,
    too_many_rows,
    too_many_sheets,
)

#: How an OLE2 compound file (the container of an .xls) begins
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BOF, _SST, _MULRK = 0x0809, 0x00FC, 0x00BD
#: Records of one cell, its row and column in their first four bytes: LABELSST, LABEL,
#: RSTRING, NUMBER, RK, BOOLERR, FORMULA (three codes). BLANK and MULBLANK (formatting only)
#: are not read.
_CELLS = frozenset({0x00FD, 0x0204, 0x00D6, 0x0203, 0x027E, 0x0205, 0x0006, 0x0206, 0x0406})


def _unreadable() -> ImportRefused:
    return ImportRefused(
        _l(
            "This file cannot be read as an Excel 97–2003 workbook (.xls). If it has a "
            "password, remove it; then open the file in Excel, save it as .xlsx and upload it "
            "again."
        )
    )


def _check_records(stream: bytes) -> None:
    """Walk the workbook stream's records (a code and a length each), refusing it at the
    first limit passed, before xlrd builds anything."""
    pos, end, sheets, cells = 0, len(stream), 0, 0
    while pos + 4 <= end:
        code, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if pos > end:
            raise _unreadable()
        if code == _BOF:
            sheets += 1
            if sheets > MAX_SHEETS + 1:  # the workbook's globals begin with one too
                raise too_many_sheets()
        elif code == _SST and length >= 8:
            if struct.unpack_from("<I", stream, body + 4)[0] > MAX_STRINGS:
                raise ImportTooLarge(
                    _l(
                        "This workbook holds more than %(n)d different texts. Copy the list "
                        "alone into a new workbook and try again.",
                        n=MAX_STRINGS,
                    )
                )
        elif (code in _CELLS and length >= 4) or (code == _MULRK and length >= 6):
            row, first = struct.unpack_from("<HH", stream, body)
            last = struct.unpack_from("<H", stream, pos - 2)[0] if code == _MULRK else first
            if row + 1 > MAX_SHEET_ROWS:
                raise too_many_rows()
            if last + 1 > MAX_COLUMNS:
                raise too_far_right()
            cells += max(last - first + 1, 1)
            if cells > MAX_CELLS:
                raise too_many_cells()


def _text(cell) -> str:
    """A cell as the list reads it: a whole number without ``.0``, a date as its serial
    number (as in an .xlsx), an error as nothing."""
    if cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
        value = cell.value
        return str(int(value)) if float(value).is_integer() else repr(value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return str(bool(cell.value))
    if cell.ctype == xlrd.XL_CELL_TEXT:
        return cell.value[:MAX_CELL_CHARS]
    return ""


def read_xls(data: bytes) -> list[Sheet]:
    """The workbook's worksheets, in order, each with its rows."""
    if not data.startswith(MAGIC):
        raise _unreadable()
    log = io.StringIO()  # xlrd's warnings about a damaged file: not for the organiser
    # xlrd raises many kinds of errors on a damaged file (its own, struct's, IndexError,
    # AssertionError…): any of them means the file cannot be read.
    try:
        document = CompDoc(data, logfile=log)
        stream, base, size = document.locate_named_stream("Workbook")
        if stream is None:
            stream, base, size = document.locate_named_stream("Book")
        if stream is None:
            raise _unreadable()
        _check_records(bytes(stream[base : base + size]))
        book = xlrd.open_workbook(file_contents=data, logfile=log, ragged_rows=True)
        return [
            Sheet(sheet.name[:100], [[_text(c) for c in sheet.row(r)] for r in range(sheet.nrows)])
            for sheet in book.sheets()
        ]
    except ImportRefused:
        raise
    except Exception as err:  # noqa: BLE001 (see above)
        raise _unreadable() from err

"""What any uploaded list may hold, whatever kind of file it is, and how a file is refused.

Each reader (``sheets`` for .xlsx, ``xls``, ``textfiles`` for CSV) checks these while it
reads, so no file can hold a worker for more than a moment or grow it by more than a few
tens of MB: a file is refused at the first limit passed, before it is read any further.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from meetingsec.core.errors import DomainError

MB = 1024 * 1024
#: The largest file (the request itself is refused above ``MAX_CONTENT_LENGTH``)
MAX_BYTES = 2 * MB
#: People imported at once
MAX_ROWS = 3000
#: Rows of a sheet or lines of a CSV, counting the header, a title block, totals,
#: signatures, and the empty rows Excel writes where a row was formatted
MAX_SHEET_ROWS = 10_000
#: Columns: a real list uses about a dozen (no., name, position, unit, ID, phone, notes…)
MAX_COLUMNS = 50
#: Cells of the workbook, every sheet's, empty formatted ones included (3,000 people × 12
#: columns: 36,000)
MAX_CELLS = 100_000
#: Different texts of a workbook, every sheet's (3,000 people: about 10,000)
MAX_STRINGS = 100_000
#: Sheets read: a cover, instructions, a list, or one sheet per group of attendees
MAX_SHEETS = 30
#: Characters kept of a cell: more than any column takes (300), so a longer value is still
#: reported on its row
MAX_CELL_CHARS = 1000
#: Characters in one line of a CSV: a dozen columns of 300
MAX_LINE_CHARS = 5000


@dataclass
class Sheet:
    """A sheet as read: its name (a CSV's is empty) and its rows, row ``n`` at index
    ``n - 1``, each a list of texts (an empty list for a row the file left out)."""

    name: str
    rows: list[list[str]] = field(default_factory=list)


class ImportRefused(DomainError):
    """The file cannot be imported at all (a row's problems are shown on its row instead)."""

    def __init__(self, message, code: str = "import_refused"):
        super().__init__(message, code, field="file")


class ImportTooLarge(ImportRefused):
    """The file passes one of the limits above: refused before it is read any further."""

    def __init__(self, message):
        super().__init__(message, "import_too_large")


def too_large_a_file() -> ImportTooLarge:
    return ImportTooLarge(
        _l(
            "The file is too large: at most 2 MB. Keep only the attendee list in it "
            "(remove pictures and other sheets), save it and upload it again."
        )
    )


def too_many_rows() -> ImportTooLarge:
    return ImportTooLarge(
        _l(
            "The file has more than %(n)d rows. Keep only the attendee list in it and try again.",
            n=MAX_SHEET_ROWS,
        )
    )


def too_many_cells() -> ImportTooLarge:
    return ImportTooLarge(
        _l(
            "The sheet has more than %(n)d cells. Keep only the attendee list in it and try again.",
            n=MAX_CELLS,
        )
    )


def too_far_right() -> ImportTooLarge:
    return ImportTooLarge(
        _l(
            "The sheet has cells beyond column %(n)d. Keep only the attendee list in it and "
            "try again.",
            n=MAX_COLUMNS,
        )
    )


def too_many_sheets() -> ImportTooLarge:
    return ImportTooLarge(
        _l(
            "The workbook has more than %(n)d sheets. Copy the list alone into a new workbook "
            "and try again.",
            n=MAX_SHEETS,
        )
    )

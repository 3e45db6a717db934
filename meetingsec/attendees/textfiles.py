"""The table of an uploaded CSV (or tab-separated .txt) file, read within the limits of
``limits``: bounded by its number of lines, their length and their cells.

Its text is UTF-8 (with or without a BOM), UTF-16 (with a BOM), or else Windows-1258
(Excel's "CSV" on Vietnamese Windows) or TCVN3 bytes (an old list typed in .VnTime), told
apart by the signs only TCVN3 gives; cells are separated by commas, semicolons or tabs.
"""

import csv
import io
import unicodedata
from collections import Counter

from flask_babel import lazy_gettext as _l

from meetingsec.attendees.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_LINE_CHARS,
    MAX_SHEET_ROWS,
    ImportRefused,
    ImportTooLarge,
    Sheet,
    too_many_rows,
)
from meetingsec.attendees.tcvn3 import looks_like_tcvn3


def _decode(data: bytes) -> tuple[str, str]:
    """The text and how it was read: ``utf-16``, ``utf-8``, ``tcvn3`` (left as Latin-1
    letters, for the organiser to convert: ``tcvn3.to_unicode``) or ``cp1258``, composed
    to NFC."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return unicodedata.normalize("NFC", data.decode("utf-16")), "utf-16"
        return unicodedata.normalize("NFC", data.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError:
        pass
    latin = data.decode("latin-1")
    if looks_like_tcvn3(latin.splitlines()[:200]):
        return latin, "tcvn3"
    try:
        return unicodedata.normalize("NFC", data.decode("cp1258")), "cp1258"
    except UnicodeDecodeError as err:
        raise ImportRefused(
            _l('The text of this file cannot be read. Save it as "CSV UTF-8" and try again.')
        ) from err


def _lines(text: str):
    """The file's lines, refused at the first that is one too many or too long."""
    for number, line in enumerate(io.StringIO(text), start=1):
        if number > MAX_SHEET_ROWS:
            raise too_many_rows()
        if len(line) > MAX_LINE_CHARS:
            raise ImportTooLarge(
                _l(
                    "Line %(line)d is longer than %(n)d characters: is this an attendee list? "
                    "Upload the file that holds the list, or save the list alone as .xlsx "
                    "and upload it again.",
                    line=number,
                    n=MAX_LINE_CHARS,
                )
            )
        yield line


def _separator(text: str) -> str:
    """The separator most lines of the first hundred share: a title block above the table
    ("Hà Nội, ngày 12 tháng 11 năm 2026") does not count for more than its few lines."""
    lines = text[:50_000].splitlines()[:100]
    best, best_lines = ",", 0
    for separator in (",", ";", "\t"):
        counts = Counter(n for line in lines if (n := line.count(separator)))
        lines_agreeing = counts.most_common(1)[0][1] if counts else 0
        if lines_agreeing > best_lines:
            best, best_lines = separator, lines_agreeing
    return best


def read_csv(data: bytes) -> tuple[Sheet, str]:
    """The rows of a CSV file, and how its text was encoded (``_decode``)."""
    text, encoding = _decode(data)
    if "\x00" in text:
        raise ImportRefused(
            _l(
                "This file is not a CSV text file. Save the list as .xlsx, or as "
                '"CSV UTF-8", and upload it again.'
            )
        )
    rows = []
    reader = csv.reader(_lines(text), delimiter=_separator(text))
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ImportTooLarge(
                    _l(
                        "Line %(line)d has more than %(n)d cells: is this an attendee list? "
                        "Upload the file that holds the list, or save the list alone as .xlsx "
                        "and upload it again.",
                        line=reader.line_num,
                        n=MAX_COLUMNS,
                    )
                )
            rows.append([cell[:MAX_CELL_CHARS] for cell in row])
    except csv.Error as err:
        raise ImportRefused(
            _l(
                "This file is not a well-formed CSV file. Save the list as .xlsx, or as "
                '"CSV UTF-8", and upload it again.'
            )
        ) from err
    return Sheet("", rows), encoding

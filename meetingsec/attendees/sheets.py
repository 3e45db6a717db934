"""The table of an uploaded .xlsx or .csv file, read within limits that are checked before
any of it is parsed: no file can hold a worker for more than a moment or grow it by more
than a few tens of MB, whatever it holds.

An .xlsx is a zip of XML parts, and deflate packs repeated XML about 1,000 to 1: a 100 KB
upload can unpack to 100 MB of rows, of cells in one row, or of shared strings. openpyxl,
even read-only, parses every sheet that declares no size, builds each row whole and keeps
every shared string (through defusedxml's pure-Python parser), so it is not given such a
file. Instead:

1. the zip's directory is checked first: how many parts, what each and all of them unpack
   to, how they are compressed (``zipfile`` never unpacks more than the directory says);
2. only the parts a list needs are read: the first worksheet and the shared strings; the
   styles, other sheets and drawings are never parsed;
3. those are streamed through defusedxml's parser (no DTD, no entities) a chunk at a time,
   counting elements, rows, cells and strings, and reading stops at the first limit passed.

A CSV is bounded by its number of lines, their length and their cells.

Cells are read as openpyxl read them (a formula as ``=…``, a whole number without ``.0``),
except dates, which stay Excel's serial numbers: no column of a list is a date.
"""

import csv
import io
import posixpath
import unicodedata
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser
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
#: Cells of the sheet, empty formatted ones included (3,000 people × 12 columns: 36,000)
MAX_CELLS = 100_000
#: Shared strings of the workbook, every sheet's (3,000 people: about 10,000 different)
MAX_STRINGS = 100_000
#: Characters kept of a cell: more than any column takes (300), so a longer value is still
#: reported on its row
MAX_CELL_CHARS = 1000
#: XML elements of one part read: a 3,000-person sheet has about 50,000
MAX_XML_ELEMENTS = 500_000
#: Parts of the zip: Excel writes about ten; more sheets, images and custom XML add some
MAX_PARTS = 500
#: What one part, and all of them, unpack to: a 3,000-person sheet is about 1 MB of XML
MAX_PART_BYTES = 10 * MB
MAX_UNPACKED_BYTES = 30 * MB
#: How much a part above ``RATIO_CHECKED_FROM`` may be compressed: a sheet's XML packs about
#: 10 to 1 (50 when its rows repeat), a zip bomb's 1,000 to 1
MAX_RATIO = 200
RATIO_CHECKED_FROM = 1 * MB
#: Characters in one line of a CSV: a dozen columns of 300
MAX_LINE_CHARS = 5000
_CHUNK = 64 * 1024


class ImportRefused(DomainError):
    """The file cannot be imported at all (a row's problems are shown on its row instead)."""

    def __init__(self, message, code: str = "import_refused"):
        super().__init__(message, code, field="file")


class ImportTooLarge(ImportRefused):
    """The file passes one of the limits above: refused before it is read any further."""

    def __init__(self, message):
        super().__init__(message, "import_too_large")


#: Zip flags of parts zipfile cannot read: encrypted (0x1; a protected workbook is not a
#: zip at all), compressed patched data (0x20), strong encryption (0x40). Refused from the
#: directory, before anything is unpacked.
_UNREADABLE_FLAGS = 0x1 | 0x20 | 0x40

#: What reading a broken workbook raises: it is refused as unreadable
_BROKEN = (
    zipfile.BadZipFile,  # not a zip, or a part whose CRC does not match
    zipfile.LargeZipFile,
    zlib.error,  # a broken deflate stream
    RuntimeError,  # an encrypted part
    EOFError,
    OSError,
    KeyError,  # a part missing
    ParseError,  # malformed XML
    DefusedXmlException,  # a DTD, an entity
    LookupError,  # an encoding Python does not know
    ValueError,  # text that is not in its declared encoding
)


def _unreadable() -> ImportRefused:
    return ImportRefused(_l("This file cannot be read as an Excel workbook (.xlsx)."))


def _too_big_a_workbook() -> ImportTooLarge:
    return ImportTooLarge(
        _l(
            "This workbook unpacks to far more data than an attendee list holds. Copy the "
            "list alone into a new workbook and try again."
        )
    )


def _too_many_rows() -> ImportTooLarge:
    return ImportTooLarge(
        _l(
            "The file has more than %(n)d rows. Keep only the attendee list in it and try again.",
            n=MAX_SHEET_ROWS,
        )
    )


# -- .xlsx ---------------------------------------------------------------------------------


def _open_zip(data: bytes) -> zipfile.ZipFile:
    """The workbook's zip, once its directory shows nothing that unpacks too far."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _BROKEN as err:
        raise _unreadable() from err
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise ImportTooLarge(
            _l(
                "This workbook has too many parts (more than %(n)d). Copy the list alone into "
                "a new workbook and try again.",
                n=MAX_PARTS,
            )
        )
    total = 0
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _unreadable()  # Excel only deflates; bzip2 and lzma unpack unbounded chunks
        if part.flag_bits & _UNREADABLE_FLAGS:
            raise _unreadable()  # encrypted, or a zip feature Excel never writes
        total += part.file_size
        if (
            part.file_size > MAX_PART_BYTES
            or total > MAX_UNPACKED_BYTES
            or part.file_size > RATIO_CHECKED_FROM
            and part.file_size > MAX_RATIO * max(part.compress_size, 1)
        ):
            raise _too_big_a_workbook()
    return archive


class _Stop(Exception):
    """Ends a part's parse early: what was needed has been read."""


class _Part:
    """What reading one part of the workbook does with its elements (a target of
    defusedxml's parser: ``start``, ``end``, ``data``, ``close``), by local name."""

    def __init__(self):
        self.elements = 0

    def start(self, tag: str, attrib: dict) -> None:
        self.elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise _too_big_a_workbook()
        self.opened(tag.rpartition("}")[2], attrib)

    def end(self, tag: str) -> None:
        self.closed(tag.rpartition("}")[2])

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def opened(self, name: str, attrib: dict) -> None:
        pass

    def closed(self, name: str) -> None:
        pass


def _read_part(archive: zipfile.ZipFile, name: str, target: _Part) -> None:
    """Stream part ``name`` through ``target``, a chunk at a time: never all in memory."""
    parser = XMLParser(target=target, forbid_dtd=True)
    try:
        with archive.open(name) as part:
            while chunk := part.read(_CHUNK):
                parser.feed(chunk)
        parser.close()
    except _Stop:
        pass
    except _BROKEN as err:
        raise _unreadable() from err


class _Relationships(_Part):
    """A ``.rels`` part: relationship id → (type, target)."""

    def __init__(self):
        super().__init__()
        self.by_id: dict[str, tuple[str, str]] = {}

    def opened(self, name, attrib):
        if name == "Relationship":
            self.by_id[attrib.get("Id", "")] = (attrib.get("Type", ""), attrib.get("Target", ""))


class _Workbook(_Part):
    """``workbook.xml``: the relationship ids of its sheets, in order."""

    def __init__(self):
        super().__init__()
        self.sheets: list[str] = []

    def opened(self, name, attrib):
        if name == "sheet":
            # r:id, in the transitional or the strict namespace
            self.sheets.append(next((v for k, v in attrib.items() if k.endswith("}id")), ""))

    def closed(self, name):
        if name == "sheets":
            raise _Stop


class _Text:
    """Text of a cell or string, kept up to ``MAX_CELL_CHARS``."""

    def __init__(self):
        self.pieces: list[str] = []
        self.length = 0

    def add(self, text: str) -> None:
        if self.length <= MAX_CELL_CHARS:
            self.pieces.append(text)
            self.length += len(text)

    def value(self) -> str:
        return "".join(self.pieces)[:MAX_CELL_CHARS]


class _SharedStrings(_Part):
    """``sharedStrings.xml``: each ``si``'s text (its runs joined, phonetic hints left out)."""

    def __init__(self):
        super().__init__()
        self.strings: list[str] = []
        self.text: _Text | None = None
        self.phonetic = 0
        self.in_text = False

    def opened(self, name, attrib):
        if name == "si":
            self.text = _Text()
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t":
            self.in_text = not self.phonetic

    def data(self, text):
        if self.in_text and self.text is not None:
            self.text.add(text)

    def closed(self, name):
        if name == "t":
            self.in_text = False
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si" and self.text is not None:
            self.strings.append(self.text.value())
            self.text = None
            if len(self.strings) > MAX_STRINGS:
                raise ImportTooLarge(
                    _l(
                        "This workbook holds more than %(n)d different texts. Copy the list "
                        "alone into a new workbook and try again.",
                        n=MAX_STRINGS,
                    )
                )


def _column(reference: str) -> int:
    """``"AB12"`` → 28."""
    letters = reference.rstrip("0123456789")
    if not letters or len(letters) > 3 or not letters.isascii() or not letters.isalpha():
        raise _unreadable()
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _number(text: str) -> str:
    """A number as openpyxl gives it, then as the list reads it: ``912345678.0`` → ``912345678``."""
    try:
        number = float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return text
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return str(number)


class _Sheet(_Part):
    """A worksheet: its rows as lists of texts, row ``n`` at index ``n - 1`` (rows Excel
    left out are empty lists)."""

    def __init__(self, strings: list[str]):
        super().__init__()
        self.strings = strings
        self.rows: list[list[str]] = []
        self.row_count = self.cell_count = 0
        self.row_number = self.column = 0
        self.cells: dict[int, str] | None = None
        self.kind = ""
        self.value: _Text | None = None  # the text being read: <v>, <f> or <is>'s <t>
        self.parts: dict[str, _Text] = {}
        self.phonetic = 0

    def opened(self, name, attrib):
        if name == "row":
            self._row(attrib.get("r"))
        elif name == "c":
            self.cell_count += 1
            if self.cell_count > MAX_CELLS:
                raise ImportTooLarge(
                    _l(
                        "The sheet has more than %(n)d cells. Keep only the attendee list in "
                        "it and try again.",
                        n=MAX_CELLS,
                    )
                )
            reference = attrib.get("r")
            self.column = _column(reference) if reference else self.column + 1
            self.kind = attrib.get("t", "n")
            self.parts = {}
        elif name in ("v", "f", "is"):
            self.parts.setdefault(name, _Text())
            if name != "is":
                self.value = self.parts[name]
        elif name == "rPh":
            self.phonetic += 1
        elif name == "t" and "is" in self.parts and not self.phonetic:
            self.value = self.parts["is"]

    def data(self, text):
        if self.value is not None:
            self.value.add(text)

    def closed(self, name):
        if name in ("v", "f", "t"):
            self.value = None
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "c":
            self._cell()
        elif name == "row" and self.cells is not None:
            self.rows.extend([] for _ in range(len(self.rows), self.row_number - 1))
            width = max(self.cells, default=0)
            self.rows.append([self.cells.get(i, "") for i in range(1, width + 1)])
            self.cells = None

    def _row(self, reference: str | None) -> None:
        self.row_count += 1
        try:
            number = int(reference) if reference else self.row_number + 1
        except ValueError as err:
            raise _unreadable() from err
        if self.row_count > MAX_SHEET_ROWS or number > MAX_SHEET_ROWS:
            raise _too_many_rows()
        self.row_number, self.column = number, 0
        # a row out of order (Excel never writes one) is skipped, as openpyxl does
        self.cells = {} if number > len(self.rows) else None

    def _cell(self) -> None:
        value = self._value()
        if not value or self.cells is None:
            return
        if self.column > MAX_COLUMNS:
            raise ImportTooLarge(
                _l(
                    "The sheet has cells beyond column %(n)d. Keep only the attendee list in "
                    "it and try again.",
                    n=MAX_COLUMNS,
                )
            )
        self.cells[self.column] = value

    def _value(self) -> str:
        parts = {name: text.value() for name, text in self.parts.items()}
        if "f" in parts:
            return "=" + parts["f"]  # refused on its row: a formula is not a name
        value = parts.get("v", "")
        if self.kind == "s" and value:
            try:
                return self.strings[int(value)]
            except (ValueError, IndexError) as err:
                raise _unreadable() from err
        if self.kind == "inlineStr":
            return parts.get("is", "")
        if self.kind == "b":
            return str(value == "1") if value else ""
        if self.kind == "n" and value:
            return _number(value)
        return value  # text of a formula's result, an error, an ISO date


def _target(base: str, target: str) -> str:
    """A relationship's target, as a path in the zip."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def _rels_of(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def read_xlsx(data: bytes) -> list[list[str]]:
    """The first worksheet's rows (row ``n`` at index ``n - 1``), each a list of texts."""
    archive = _open_zip(data)
    package = _Relationships()
    if "_rels/.rels" in archive.NameToInfo:
        _read_part(archive, "_rels/.rels", package)
    workbook = next(
        (_target("", t) for kind, t in package.by_id.values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    sheets, relationships = _Workbook(), _Relationships()
    _read_part(archive, workbook, sheets)
    _read_part(archive, _rels_of(workbook), relationships)
    targets = relationships.by_id
    worksheet = next(
        (
            _target(workbook, targets[rid][1])
            for rid in sheets.sheets
            if rid in targets and targets[rid][0].endswith("/worksheet")
        ),
        None,
    )
    if worksheet is None:
        raise _unreadable()
    strings = _SharedStrings()
    for kind, target in targets.values():
        if kind.endswith("/sharedStrings"):
            _read_part(archive, _target(workbook, target), strings)
            break
    sheet = _Sheet(strings.strings)
    _read_part(archive, worksheet, sheet)
    return sheet.rows


# -- .csv ----------------------------------------------------------------------------------


def _decode(data: bytes) -> tuple[str, str]:
    """The text and how it was read: UTF-8 (with or without BOM), UTF-16 with a BOM, or
    Windows-1258 (Excel's "CSV" on Vietnamese Windows), composed to NFC."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
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
            raise _too_many_rows()
        if len(line) > MAX_LINE_CHARS:
            raise ImportTooLarge(
                _l(
                    "Line %(line)d is longer than %(n)d characters: is this an attendee list?",
                    line=number,
                    n=MAX_LINE_CHARS,
                )
            )
        yield line


def read_csv(data: bytes) -> tuple[list[list[str]], str]:
    """The rows of a CSV file, and how its text was encoded."""
    text, encoding = _decode(data)
    if "\x00" in text:
        raise ImportRefused(_l("This file is not a CSV text file."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    reader = csv.reader(_lines(text), dialect)
    try:
        for row in reader:
            if len(row) > MAX_COLUMNS:
                raise ImportTooLarge(
                    _l(
                        "Line %(line)d has more than %(n)d cells: is this an attendee list?",
                        line=reader.line_num,
                        n=MAX_COLUMNS,
                    )
                )
            rows.append([cell[:MAX_CELL_CHARS] for cell in row])
    except csv.Error as err:
        raise ImportRefused(_l("This file is not a well-formed CSV file.")) from err
    return rows, encoding

"""The sheets of an uploaded .xlsx workbook, read within limits that are checked before
any of it is parsed (``limits``): no workbook can hold a worker for more than a moment or
grow it by more than a few tens of MB, whatever it holds.

An .xlsx is a zip of XML parts, and deflate packs repeated XML about 1,000 to 1: a 100 KB
upload can unpack to 100 MB of rows, of cells in one row, or of shared strings. openpyxl,
even read-only, parses every sheet that declares no size, builds each row whole and keeps
every shared string (through defusedxml's pure-Python parser), so it is not given such a
file. Instead:

1. the zip's directory is checked first: how many parts, what each and all of them unpack
   to, how they are compressed (``zipfile`` never unpacks more than the directory says);
2. only the parts a list needs are read: the worksheets and the shared strings; the
   styles and drawings are never parsed;
3. those are streamed through defusedxml's parser (no DTD, no entities) a chunk at a time,
   counting elements, rows, cells and strings over the whole workbook, and reading stops
   at the first limit passed.

Cells are read as openpyxl read them (a formula as ``=…``, a whole number without ``.0``),
except dates, which stay Excel's serial numbers: no column of a list is a date.
"""

import io
import posixpath
import zipfile
import zlib
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser
from flask_babel import lazy_gettext as _l

from meetingsec.attendees.limits import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    MAX_STRINGS,
    MB,
    ImportRefused,
    ImportTooLarge,
    Sheet,
    too_far_right,
    too_many_cells,
    too_many_rows,
    too_many_sheets,
)

#: XML elements read of the whole workbook: a 3,000-person sheet has about 50,000
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
_CHUNK = 64 * 1024

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
    return ImportRefused(
        _l(
            "This file cannot be read as an Excel workbook (.xlsx). If it has a password, "
            "remove it; then open the file in Excel, save it again as .xlsx and upload it again."
        )
    )


def _too_big_a_workbook() -> ImportTooLarge:
    return ImportTooLarge(
        _l(
            "This workbook unpacks to far more data than an attendee list holds. Copy the "
            "list alone into a new workbook and try again."
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


class _Budget:
    """What has been read of the whole workbook, every part and sheet counted."""

    def __init__(self):
        self.elements = self.cells = 0


class _Part:
    """What reading one part of the workbook does with its elements (a target of
    defusedxml's parser: ``start``, ``end``, ``data``, ``close``), by local name."""

    budget: _Budget  # the workbook's, set by ``_read_part``

    def start(self, tag: str, attrib: dict) -> None:
        self.budget.elements += 1
        if self.budget.elements > MAX_XML_ELEMENTS:
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


def _read_part(archive: zipfile.ZipFile, name: str, target: _Part, budget: _Budget) -> None:
    """Stream part ``name`` through ``target``, a chunk at a time: never all in memory."""
    target.budget = budget
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
        self.by_id: dict[str, tuple[str, str]] = {}

    def opened(self, name, attrib):
        if name == "Relationship":
            self.by_id[attrib.get("Id", "")] = (attrib.get("Type", ""), attrib.get("Target", ""))


class _Workbook(_Part):
    """``workbook.xml``: the name and relationship id of each sheet, in order."""

    def __init__(self):
        self.sheets: list[tuple[str, str]] = []

    def opened(self, name, attrib):
        if name == "sheet":
            # r:id, in the transitional or the strict namespace
            rid = next((v for k, v in attrib.items() if k.endswith("}id")), "")
            self.sheets.append((attrib.get("name", "")[:100], rid))

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
        self.strings = strings
        self.rows: list[list[str]] = []
        self.row_count = 0
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
            self.budget.cells += 1
            if self.budget.cells > MAX_CELLS:
                raise too_many_cells()
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
            raise too_many_rows()
        self.row_number, self.column = number, 0
        # a row out of order (Excel never writes one) is skipped, as openpyxl does
        self.cells = {} if number > len(self.rows) else None

    def _cell(self) -> None:
        value = self._value()
        if not value or self.cells is None:
            return
        if self.column > MAX_COLUMNS:
            raise too_far_right()
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


def read_xlsx(data: bytes) -> list[Sheet]:
    """The workbook's worksheets, in order, each with its rows."""
    archive = _open_zip(data)
    budget = _Budget()
    package = _Relationships()
    if "_rels/.rels" in archive.NameToInfo:
        _read_part(archive, "_rels/.rels", package, budget)
    workbook = next(
        (_target("", t) for kind, t in package.by_id.values() if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    listed, relationships = _Workbook(), _Relationships()
    _read_part(archive, workbook, listed, budget)
    _read_part(archive, _rels_of(workbook), relationships, budget)
    targets = relationships.by_id
    worksheets = [
        (name, _target(workbook, targets[rid][1]))
        for name, rid in listed.sheets
        if rid in targets and targets[rid][0].endswith("/worksheet")
    ]
    if not worksheets:
        raise _unreadable()
    if len(worksheets) > MAX_SHEETS:
        raise too_many_sheets()
    strings = _SharedStrings()
    for kind, target in targets.values():
        if kind.endswith("/sharedStrings"):
            _read_part(archive, _target(workbook, target), strings, budget)
            break
    sheets = []
    for name, part in worksheets:
        sheet = _Sheet(strings.strings)
        _read_part(archive, part, sheet, budget)
        sheets.append(Sheet(name, sheet.rows))
    return sheets

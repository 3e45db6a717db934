"""Workbooks built by hand, part by part, as Excel lays them out: for bombs whose sheet
or shared strings are streamed in (never all in memory), and for what the reader must read
as openpyxl does."""

import io
import zipfile

MB = 1024 * 1024
HEADER = ["Họ và tên", "Chức vụ", "Đơn vị", "Số hiệu hoặc CCCD", "Điện thoại"]
#: Shared strings 0–4 are the header, 5 a name, 6 a unit
STRINGS = [*HEADER, "Nguyễn Văn An", "Sở Nội vụ"]
PERSON = b'<row><c t="s"><v>5</v></c><c/><c t="s"><v>6</v></c></row>'
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
#: The parts of a minimal workbook, as Excel lays them out, but for the sheet and strings
PARTS = {
    "[Content_Types].xml": XML
    + (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
        "</Types>"
    ).encode(),
    "_rels/.rels": XML
    + (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ).encode(),
    "xl/workbook.xml": XML
    + (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_REL}"><sheets><sheet name="DS" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ).encode(),
    "xl/_rels/workbook.xml.rels": XML
    + (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ).encode(),
}


def repeat(piece: bytes, size: int):
    """``piece`` repeated to about ``size`` bytes, in blocks (never all in memory)."""
    block = piece * max(1, 65536 // len(piece))
    for _ in range(max(1, size // len(block))):
        yield block


def xlsx(rows=(), strings=(), members: int = 0) -> bytes:
    """A workbook whose sheet is the header, then ``rows`` (XML chunks), and whose shared
    strings are ``STRINGS`` then ``strings``; ``members`` empty parts added."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in PARTS.items():
            z.writestr(name, data)
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(XML + b"<worksheet " + MAIN + b"><sheetData><row>")
            f.write(b"".join(b'<c t="s"><v>%d</v></c>' % i for i in range(len(HEADER))))
            f.write(b"</row>")
            for chunk in rows:
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w") as f:
            f.write(XML + b"<sst " + MAIN + b">")
            f.write("".join(f"<si><t>{s}</t></si>" for s in STRINGS).encode())
            for chunk in strings:
                f.write(chunk)
            f.write(b"</sst>")
        for i in range(members):
            z.writestr(f"customXml/item{i}.xml", b"")
    return out.getvalue()


def stored(sheet: bytes = b"", strings: bytes = b"") -> bytes:
    """A workbook whose parts are stored, not compressed: its directory shows the true
    size, under every limit, so only counting while reading can stop it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, data in PARTS.items():
            z.writestr(name, data)
        z.writestr(
            "xl/worksheets/sheet1.xml",
            XML + b"<worksheet " + MAIN + b"><sheetData><row>"
            b'<c t="s"><v>0</v></c><c t="s"><v>2</v></c></row>' + sheet + b"</sheetData>"
            b"</worksheet>",
        )
        z.writestr(
            "xl/sharedStrings.xml",
            XML
            + b"<sst "
            + MAIN
            + b">"
            + "".join(f"<si><t>{s}</t></si>" for s in STRINGS).encode()
            + strings
            + b"</sst>",
        )
    return out.getvalue()

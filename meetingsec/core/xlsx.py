"""Writing .xlsx workbooks (openpyxl, write-only): times in the agency's time zone, and
text that a spreadsheet would run as a formula kept as text."""

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from meetingsec.core.i18n import to_local
from meetingsec.core.text import FORMULA_START


def _cell(ws, value):
    if isinstance(value, datetime):
        value = to_local(value).replace(tzinfo=None)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # text, never a formula
    return cell


class Sheets:
    """``Sheets().sheet(title, header, rows)``, then ``bytes()``."""

    def __init__(self):
        self.wb = Workbook(write_only=True)

    def sheet(self, title: str, header: list, rows) -> None:
        ws = self.wb.create_sheet(title)
        if header:
            ws.append([_cell(ws, v) for v in header])
        for row in rows:
            ws.append([_cell(ws, v) for v in row])

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()

"""Writing .xlsx workbooks (openpyxl, write-only): times in the agency's time zone, and
text that a spreadsheet would run as a formula kept as text."""

import io
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from meetingsec.core.i18n import to_local
from meetingsec.core.text import FORMULA_START


def _cell(ws, value):
    if isinstance(value, datetime):
        value = to_local(value).replace(tzinfo=None)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"  # text, never a formula
    return cell


#: How a workbook's mark is written: red capitals in bold, as on paper
MARK_COLOUR = "C00000"


class Sheets:
    """``Sheets(mark="TỐI MẬT").sheet(title, header, rows)``, then ``bytes()``. A ``mark``
    (a classification) stands in the first row of every sheet and in its printed header
    and footer."""

    def __init__(self, mark: str | None = None):
        self.wb = Workbook(write_only=True)
        self.mark = mark

    def sheet(self, title: str, header: list, rows) -> None:
        ws = self.wb.create_sheet(title)
        if self.mark:
            cell = WriteOnlyCell(ws, value=self.mark)
            cell.font = Font(bold=True, color=MARK_COLOUR, size=13)
            ws.append([cell])
            for part in (ws.oddHeader.center, ws.oddFooter.center):
                part.text, part.font, part.size = self.mark, "Times New Roman,Bold", 13
                part.color = MARK_COLOUR
        if header:
            ws.append([_cell(ws, v) for v in header])
        for row in rows:
            ws.append([_cell(ws, v) for v in row])

    def bytes(self) -> bytes:
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()

"""Claim tickets as a PDF: one 80 mm page per deposited item (a receipt printer), or four
to an A4 page."""

from meetingsec.core.pdf import render_pdf

#: The sheets tickets print on
SHEETS = ("receipt", "a4")


def tickets_pdf(meeting, deposits, sheet: str = "receipt") -> bytes:
    return render_pdf("records/pdf/tickets.html", meeting=meeting, deposits=deposits, sheet=sheet)

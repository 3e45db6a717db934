"""Claim tickets as a PDF: one small page per deposited item."""

from meetingsec.core.pdf import render_pdf


def tickets_pdf(meeting, deposits) -> bytes:
    return render_pdf("records/pdf/tickets.html", meeting=meeting, deposits=deposits)

"""Records are laid out against their own user-agent stylesheet (core.pdf.RecordHTML,
static/css/records_ua.css), a small part of WeasyPrint's HTML5 one: every page of every
record, the attendance sheet's parts too, looks exactly as with the whole one."""

import subprocess
import tempfile
from pathlib import Path

from flask import current_app
from weasyprint import HTML

from meetingsec.core.pdf import StaticOnlyFetcher, record_html, render_html
from meetingsec.records import queries
from meetingsec.records.builders import parts_of
from meetingsec.records.choices import RecordKind

#: Pages compared at this resolution, pixel for pixel: a rule moved by a tenth of a
#: millimetre, a line of text by a point, shows
DPI = 100


def pixels(data: bytes) -> list[bytes]:
    """Every page as a greyscale image (PGM), pixel for pixel."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "r.pdf").write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-gray", f"{folder}/r.pdf", f"{folder}/p"], check=True
        )
        return [p.read_bytes() for p in sorted(Path(folder).glob("p-*.pgm"))]


def with_whole_stylesheet(html: str) -> bytes:
    """The record laid out against WeasyPrint's whole HTML5 user-agent stylesheet."""
    root = Path(current_app.static_folder).resolve()
    return HTML(
        string=html, base_url=root.as_uri() + "/", url_fetcher=StaticOnlyFetcher(root)
    ).write_pdf()


def htmls_of(meeting) -> dict[str, str]:
    """Every record of the meeting as HTML, and an attendance sheet in parts (its rows
    taken three times over: enough to be laid out in parts)."""
    out = {}
    for kind in queries.kinds_for(meeting):
        template, context = kind.entry.build(meeting)
        out[kind.value] = render_html(template, **context)
        if kind is RecordKind.ATTENDANCE:
            big = {**context, "rows": context["rows"] * 3}
            for i, part in enumerate(parts_of(kind, big)):
                out[f"attendance part {i}"] = render_html(template, **part)
    return out


def test_every_record_looks_as_with_the_whole_html5_stylesheet(closed_out):
    meeting, *_ = closed_out()
    htmls = htmls_of(meeting)
    assert {RecordKind(k) for k in htmls if not k.startswith("attendance part")} == set(RecordKind)
    assert sum(k.startswith("attendance part") for k in htmls) >= 3
    for name, html in htmls.items():
        ours = pixels(record_html(html, Path(current_app.static_folder)).render().write_pdf())
        whole = pixels(with_whole_stylesheet(html))
        assert len(ours) == len(whole), name
        for n, (a, b) in enumerate(zip(ours, whole, strict=True), start=1):
            assert a == b, f"{name}, page {n} differs"

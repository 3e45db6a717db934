"""PDF rendering with WeasyPrint. Nothing outside the app is ever fetched: the fetcher
serves only files of the app's own ``static/`` folder and ``data:`` URIs."""

import io
import mimetypes
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import Response, current_app, render_template
from flask_babel import force_locale
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from meetingsec.audit.checkpoints import latest_printed
from meetingsec.audit.services import chain_head
from meetingsec.core.db import utcnow


class StaticOnlyFetcher(URLFetcher):
    """Refuses every URL but ``data:`` and files under ``root`` (the static folder)."""

    def __init__(self, root: Path):
        super().__init__(allowed_protocols={"data", "file"})
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parsed = urlparse(url)
        path = Path(unquote(parsed.path)).resolve()
        if parsed.scheme != "file" or self.root not in path.parents or not path.is_file():
            raise ValueError(f"meetingsec fetches nothing outside its static files: {url}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def render_html(template: str, **context) -> str:
    """The record's HTML. Official records are in Vietnamese whatever the interface."""
    with force_locale("vi"):
        return render_template(template, **context)


def layout(html: str):
    """Lay the pages out (two thirds of a big record's time). Stylesheets and images are
    referenced relative to the static folder, e.g. ``css/records.css``."""
    root = Path(current_app.static_folder)
    return HTML(
        string=html, base_url=root.resolve().as_uri() + "/", url_fetcher=StaticOnlyFetcher(root)
    ).render()


def render_pdf(template: str, **context) -> bytes:
    """Render ``template`` (HTML) to PDF bytes in one go."""
    return layout(render_html(template, **context)).write_pdf()


# -- big records, laid out on every core ------------------------------------------------------

_pool: ProcessPoolExecutor | None = None


def _parts_pool() -> ProcessPoolExecutor:
    """Processes that lay record parts out, one per core, started once (from a fork server:
    the worker's threads are not copied) and kept for the next record."""
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=os.cpu_count() or 1, mp_context=multiprocessing.get_context("forkserver")
        )
    return _pool


def _render_part(html: str, root: str) -> bytes:
    """One part, in a pool process: nothing but the HTML and the static folder."""
    folder = Path(root)
    return HTML(
        string=html, base_url=folder.as_uri() + "/", url_fetcher=StaticOnlyFetcher(folder)
    ).write_pdf()


def render_parts(htmls: list[str]) -> tuple[bytes, int]:
    """A record too big for one core: its parts (each rendered without page numbers) laid
    out in parallel, joined, then numbered "Trang x/y" from page 2 by an overlay laid out
    with the same page rules. Returns the PDF and its page count."""
    import pikepdf

    root = str(Path(current_app.static_folder).resolve())
    parts = list(_parts_pool().map(_render_part, htmls, [root] * len(htmls)))
    joined = pikepdf.Pdf.open(io.BytesIO(parts[0]))
    for data in parts[1:]:
        joined.pages.extend(pikepdf.Pdf.open(io.BytesIO(data)).pages)
    total = len(joined.pages)
    numbers = pikepdf.Pdf.open(io.BytesIO(render_pdf("records/_page_numbers.html", pages=total)))
    for page, number in zip(joined.pages[1:], numbers.pages[1:], strict=True):
        page.add_overlay(number)
    out = io.BytesIO()
    joined.save(out)
    return out.getvalue(), total


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF shown in the browser, saved under ``filename``."""
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename={filename}"},
    )


def official_context(meeting) -> dict:
    """What the official layout's header and footer need: the host agency and its parent,
    the moment of generation and the audit chain's head at that moment."""
    unit = meeting.host_unit
    return {
        "meeting": meeting,
        "agency": unit.name,
        "parent_agency": unit.parent.name if unit.parent else "",
        "generated_at": utcnow(),
        "head": chain_head(),
        "checkpoint": latest_printed(),
    }

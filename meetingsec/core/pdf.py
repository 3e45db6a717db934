"""PDF rendering with WeasyPrint. Nothing outside the app is ever fetched: the fetcher
serves only files of the app's own ``static/`` folder and ``data:`` URIs."""

import io
import mimetypes
import multiprocessing
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import Response, current_app, render_template
from flask_babel import force_locale
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from meetingsec.audit.checkpoints import latest_printed, printed_key
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


# -- records laid out in the worker's child processes -----------------------------------------

_context = None


def _mp():
    """Child processes start from a fork server that has WeasyPrint and its fonts loaded
    (``core.layout_server``): cheap to start, and the worker's threads are not copied."""
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(["meetingsec.core.layout_server", "meetingsec.core.pdf"])
    return _context


def start_layout_server() -> None:
    """Start the fork server now (the worker does, when it starts), so the first record
    does not pay for loading WeasyPrint while the door is busy."""
    ctx = _mp()
    ready = ctx.Process(target=_ready)  # returns once the server has WeasyPrint loaded
    ready.start()
    ready.join()


def _ready() -> None:
    """A child that does nothing: started to wait for the fork server."""


def _lay_out_child(conn, html: str, root: str, out: str) -> None:
    """In a child: lay one document out, say so with its page count, write it to ``out``.
    Messages are tiny (a pipe write that a SIGSTOP cannot cut in two)."""
    folder = Path(root)
    document = HTML(
        string=html, base_url=folder.as_uri() + "/", url_fetcher=StaticOnlyFetcher(folder)
    ).render()
    conn.send(("laid_out", len(document.pages)))
    document.write_pdf(out)
    conn.send(("written", (out, _peak_kb())))
    conn.close()


def _peak_kb() -> int:
    """This process's peak resident memory (VmHWM), in kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


#: The largest peak memory (MB) of the layout processes of the last record, for the
#: benchmark
last_peak_mb = 0.0


def lay_out_in_children(htmls: list[str], on_laid_out=None) -> list[tuple[bytes, int]]:
    """Lay each HTML out in a child process of its own, all at once, pausing them while
    people use the app (``core.priority``). ``on_laid_out()`` is called once every
    document is laid out (writing starts). Returns ``(pdf, pages)`` per HTML."""
    import shutil
    import tempfile
    from multiprocessing.connection import wait

    from meetingsec.core.priority import yielder as make_yielder

    yielder = make_yielder()
    root = str(Path(current_app.static_folder).resolve())
    scratch = tempfile.mkdtemp(prefix="meetingsec-render-")
    ctx = _mp()
    children, pages, files = [], [None] * len(htmls), [None] * len(htmls)
    peaks = [0] * len(htmls)
    try:
        for i, html in enumerate(htmls):
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(
                target=_lay_out_child, args=(send, html, root, f"{scratch}/{i}.pdf"), daemon=True
            )
            child.start()
            send.close()
            children.append((child, receive))
        index = {r: n for n, (_c, r) in enumerate(children)}
        told = False
        while any(f is None for f in files):
            running = [c.pid for (c, _r), f in zip(children, files, strict=True) if f is None]
            yielder.tick(running)
            pending = [r for (_c, r), f in zip(children, files, strict=True) if f is None]
            for conn in wait(pending, timeout=0.01):
                i = index[conn]
                try:
                    what, value = conn.recv()
                except EOFError:
                    raise RuntimeError("a layout process ended without its document") from None
                if what == "laid_out":
                    pages[i] = value
                else:
                    files[i], peaks[i] = value
            if not told and on_laid_out and all(n is not None for n in pages):
                told = True
                on_laid_out()
        global last_peak_mb
        last_peak_mb = max(peaks) / 1024
        return [(Path(f).read_bytes(), n) for f, n in zip(files, pages, strict=True)]
    finally:
        yielder.release([c.pid for c, _r in children])
        for child, receive in children:
            receive.close()
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
        shutil.rmtree(scratch, ignore_errors=True)


def render_document(html: str, on_laid_out=None) -> tuple[bytes, int]:
    """A record laid out and written in a child process (``lay_out_in_children``)."""
    return lay_out_in_children([html], on_laid_out)[0]


def render_parts(htmls: list[str], on_laid_out=None) -> tuple[bytes, int]:
    """A big record's parts (each without page numbers) laid out in child processes at
    once, joined, then numbered "Trang x/y" from page 2 by an overlay laid out with the
    same page rules. Returns the PDF and its page count."""
    import pikepdf

    parts = lay_out_in_children(htmls, on_laid_out)
    joined = pikepdf.Pdf.open(io.BytesIO(parts[0][0]))
    for data, _pages in parts[1:]:
        joined.pages.extend(pikepdf.Pdf.open(io.BytesIO(data)).pages)
    total = len(joined.pages)
    numbers = pikepdf.Pdf.open(
        io.BytesIO(render_pdf("records/pdf/_page_numbers.html", pages=total))
    )
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
        "key_fingerprint": printed_key(),
    }

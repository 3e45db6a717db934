"""Records laid out in the worker's child processes: a fork server with WeasyPrint and its
fonts loaded (``records.layout_server``), one child per document (or per part of a big
sheet, joined and numbered afterwards), paused while people wait at the door (``Yielder``,
watching the marker of ``core.priority``)."""

import io
import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from multiprocessing.connection import wait
from pathlib import Path

from flask import current_app
from weasyprint import HTML

from meetingsec.core.pdf import StaticOnlyFetcher, render_pdf
from meetingsec.core.priority import marker_path, quiet_for

_context = None


def _mp():
    """Child processes start from a fork server that has WeasyPrint and its fonts loaded
    (``records.layout_server``): cheap to start, and the worker's threads are not copied."""
    global _context
    if _context is None:
        _context = multiprocessing.get_context("forkserver")
        _context.set_forkserver_preload(
            ["meetingsec.records.layout_server", "meetingsec.records.render"]
        )
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
#: How many documents (or parts) the last record laid out, those kept from before not counted
last_laid_out = 0


def lay_out_in_children(
    htmls: list[str], on_laid_out=None, at_once: int | None = None
) -> list[tuple[bytes, int]]:
    """Lay each HTML out in a child process of its own, ``at_once`` of them at a time (all
    of them when None), pausing them while people use the app (``Yielder``).
    ``on_laid_out()`` is called once every document is laid out (writing starts). Returns
    ``(pdf, pages)`` per HTML."""
    global last_peak_mb, last_laid_out
    last_laid_out = len(htmls)
    if not htmls:
        if on_laid_out:
            on_laid_out()
        return []
    yielder = make_yielder()
    root = str(Path(current_app.static_folder).resolve())
    scratch = tempfile.mkdtemp(prefix="meetingsec-render-")
    ctx = _mp()
    at_once = max(1, at_once or len(htmls))
    children: dict[int, tuple] = {}  # index -> (process, connection), while it runs
    pages, files = [None] * len(htmls), [None] * len(htmls)
    peaks = [0] * len(htmls)
    started = []

    def start(i: int) -> None:
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_lay_out_child,
            args=(send, htmls[i], root, f"{scratch}/{i}.pdf"),
            daemon=True,
        )
        child.start()
        send.close()
        children[i] = (child, receive)
        started.append((child, receive))

    try:
        waiting = list(range(len(htmls)))
        told = False
        while any(f is None for f in files):
            while waiting and len(children) < at_once:
                start(waiting.pop(0))
            yielder.tick([c.pid for c, _r in children.values()])
            index = {r: i for i, (_c, r) in children.items()}
            for conn in wait(list(index), timeout=0.01):
                i = index[conn]
                try:
                    what, value = conn.recv()
                except EOFError:
                    raise RuntimeError("a layout process ended without its document") from None
                if what == "laid_out":
                    pages[i] = value
                else:
                    files[i], peaks[i] = value
                    child, receive = children.pop(i)
                    receive.close()
                    child.join(timeout=5)
            if not told and on_laid_out and all(n is not None for n in pages):
                told = True
                on_laid_out()
        last_peak_mb = max(peaks) / 1024
        return [(Path(f).read_bytes(), n) for f, n in zip(files, pages, strict=True)]
    finally:
        yielder.release([c.pid for c, _r in started])
        for child, receive in started:
            receive.close()
            child.join(timeout=5)
            if child.is_alive():
                child.kill()
        shutil.rmtree(scratch, ignore_errors=True)


def render_document(html: str, on_laid_out=None) -> tuple[bytes, int]:
    """A record laid out and written in a child process (``lay_out_in_children``)."""
    return lay_out_in_children([html], on_laid_out)[0]


def lay_out_parts(htmls: list[str], cache=None, on_laid_out=None, at_once=None) -> list[bytes]:
    """Each part's PDF: from ``cache`` (a ``sheet_cache.SheetCache``) when this very HTML
    was laid out before, else laid out now (``at_once`` at a time) and kept there."""
    from meetingsec.records.sheet_cache import part_key

    keys = [part_key(h) for h in htmls]
    found = [cache.get(k) if cache is not None else None for k in keys]
    missing = [i for i, data in enumerate(found) if data is None]
    laid = lay_out_in_children([htmls[i] for i in missing], on_laid_out, at_once)
    for i, (data, _pages) in zip(missing, laid, strict=True):
        found[i] = data
        if cache is not None:
            cache.put(keys[i], data)
    return found


def render_parts(htmls: list[str], on_laid_out=None, cache=None, at_once=None) -> tuple[bytes, int]:
    """A big record's parts (each without page numbers) laid out in child processes, or
    taken from ``cache`` when laid out before (``lay_out_parts``), joined, then numbered
    from page 2 (the number alone, as Decree 30 prints it) by an overlay laid out with the
    same page rules. Returns the PDF and its page count."""
    import pikepdf  # not in the fork server: the layout children never need it

    parts = lay_out_parts(htmls, cache, on_laid_out, at_once)
    joined = pikepdf.Pdf.open(io.BytesIO(parts[0]))
    for data in parts[1:]:
        joined.pages.extend(pikepdf.Pdf.open(io.BytesIO(data)).pages)
    total = len(joined.pages)
    numbers = pikepdf.Pdf.open(io.BytesIO(page_numbers(total, cache)))
    for page, number in zip(joined.pages[1:], numbers.pages[1:], strict=True):
        page.add_overlay(number)
    out = io.BytesIO()
    joined.save(out)
    return out.getvalue(), total


def numbers_html(pages: int) -> str:
    """The overlay of page numbers of a record of ``pages`` pages, as HTML."""
    from meetingsec.core.pdf import render_html

    return render_html("records/pdf/_page_numbers.html", pages=pages)


def page_numbers(pages: int, cache=None) -> bytes:
    """The overlay of page numbers of a record of ``pages`` pages (kept in ``cache`` too:
    a sheet made again with as many pages numbers them at no cost)."""
    from meetingsec.records.sheet_cache import part_key

    html = numbers_html(pages)
    key = part_key(html)
    data = cache.get(key) if cache is not None else None
    if data is None:
        data = render_pdf("records/pdf/_page_numbers.html", pages=pages)
        if cache is not None:
            cache.put(key, data)
    return data


# -- the door first ------------------------------------------------------------------------------


def make_yielder() -> "Yielder":
    cfg = current_app.config
    return Yielder(current_app.instance_path, cfg["RENDER_QUIET_MS"], cfg["RENDER_MAX_PAUSE_S"])


class Yielder:
    """Stops and resumes child processes as the app's requests come and go."""

    def __init__(self, instance_path: str, quiet_ms: int, max_pause_s: float):
        self.marker = marker_path(instance_path)
        self.quiet = quiet_ms / 1000
        self.max_pause = max_pause_s
        self.paused_since: float | None = None
        self.resumed_until = 0.0

    def _busy(self) -> bool:
        since = quiet_for(self.marker)
        return since is not None and since < self.quiet

    def wait_quiet(self) -> None:
        """For work done in this process (reading a record's data): wait while the app is
        in use, up to the longest pause."""
        start = time.monotonic()
        while self._busy() and time.monotonic() - start < self.max_pause:
            time.sleep(0.01)

    def tick(self, pids: list[int]) -> None:
        """Decide, now, whether the children run."""
        now = time.monotonic()
        if self.paused_since is not None and now - self.paused_since >= self.max_pause:
            self._signal(pids, signal.SIGCONT)  # a long rush: one second of progress
            self.paused_since, self.resumed_until = None, now + 1.0
            return
        busy = now >= self.resumed_until and self._busy()
        if busy and self.paused_since is None:
            self._signal(pids, signal.SIGSTOP)
            self.paused_since = now
        elif not busy and self.paused_since is not None:
            self._signal(pids, signal.SIGCONT)
            self.paused_since = None

    def release(self, pids: list[int]) -> None:
        """Let every child run again (done, failed, or the worker is stopping)."""
        self.paused_since = None
        self._signal(pids, signal.SIGCONT)

    @staticmethod
    def _signal(pids: list[int], sig) -> None:
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

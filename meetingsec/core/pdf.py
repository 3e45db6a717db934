"""HTML to PDF with WeasyPrint. Nothing outside the app is ever fetched: the fetcher serves
only files of the app's own ``static/`` folder and ``data:`` URIs. Records laid out in the
worker's child processes: ``records.render``."""

import mimetypes
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import Response, current_app, render_template
from flask_babel import force_locale
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


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


#: The records' user-agent stylesheet (``RecordHTML``), beside this package's static files
RECORDS_UA = Path(__file__).resolve().parent.parent / "static" / "css" / "records_ua.css"


@cache
def records_ua() -> CSS:
    """The records' user-agent stylesheet, parsed once per process (the layout processes
    find it parsed in the fork server they start from)."""
    return CSS(filename=str(RECORDS_UA))


class RecordHTML(HTML):
    """A record's HTML, cascaded against the records' own user-agent stylesheet
    (``static/css/records_ua.css``: WeasyPrint's HTML5 rules for the elements records
    use) instead of the whole HTML5 one, whose pseudo-elements match every element: a big
    attendance sheet lays out a sixth faster, and looks the same.

    WeasyPrint offers no public way to replace its user-agent stylesheet: this overrides
    ``HTML._ua_stylesheets``, the method its own test suite overrides for the same purpose.
    Were it ever renamed, records would fall back to the whole stylesheet: slower, never
    different."""

    def _ua_stylesheets(self, forms=False):
        return [records_ua()]


def record_html(html: str, static_root: Path) -> RecordHTML:
    """A record's HTML ready to lay out: stylesheets and images are referenced relative to
    the static folder ``static_root`` (e.g. ``css/records.css``), fetched by
    ``StaticOnlyFetcher``."""
    root = static_root.resolve()
    return RecordHTML(
        string=html, base_url=root.as_uri() + "/", url_fetcher=StaticOnlyFetcher(root)
    )


def render_html(template: str, **context) -> str:
    """The record's HTML. Official records are in Vietnamese whatever the interface."""
    with force_locale("vi"):
        return render_template(template, **context)


def layout(html: str):
    """Lay the pages out (two thirds of a big record's time). Stylesheets and images are
    referenced relative to the static folder, e.g. ``css/records.css``."""
    return record_html(html, Path(current_app.static_folder)).render()


def render_pdf(template: str, **context) -> bytes:
    """Render ``template`` (HTML) to PDF bytes in one go."""
    return layout(render_html(template, **context)).write_pdf()


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF shown in the browser, saved under ``filename``."""
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename={filename}"},
    )

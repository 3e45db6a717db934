"""HTML to PDF with WeasyPrint. Nothing outside the app is ever fetched: the fetcher serves
only files of the app's own ``static/`` folder and ``data:`` URIs. Records laid out in the
worker's child processes: ``records.render``."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import Response, current_app, render_template
from flask_babel import force_locale
from weasyprint import HTML
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


def pdf_response(data: bytes, filename: str) -> Response:
    """A PDF shown in the browser, saved under ``filename``."""
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename={filename}"},
    )

"""The one place that decides between a full page and an htmx fragment."""

from flask import make_response, redirect, request


def is_partial() -> bool:
    """True for an htmx request that swaps part of a page (not boosted, not a history
    restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def layout(swapped: str) -> str:
    """The template a page extends: for an htmx request that swaps the page's part with id
    ``swapped`` (and picks that part out of the answer), only the title, the flashes and the
    content (``partial.html``), not the header and its menus the browser keeps; the whole
    page (``base.html``) for a page load, a reload, the back button or another swap."""
    if is_partial() and request.htmx.target == swapped:
        return "partial.html"
    return "base.html"


def redirect_after_post(url: str):
    """303 for plain forms; HX-Redirect for htmx, so the browser loads the whole page."""
    if getattr(request, "htmx", None):
        resp = make_response("", 204)
        resp.headers["HX-Redirect"] = url
        return resp
    return redirect(url, 303)


def add_vary(response):
    response.vary.add("HX-Request")
    return response

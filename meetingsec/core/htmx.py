"""The one place that decides between a full page and an htmx fragment."""

from flask import make_response, redirect, request


def is_partial() -> bool:
    """True for an htmx request that swaps part of a page (not boosted, not a history
    restore, which needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


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

"""Access rules. Every view declares one; a view without a rule is refused (fail closed).

@bp.get("/units")
@roles(Role.ADMIN)
def units(): ...
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

if TYPE_CHECKING:  # core knows no domain: roles are only named here
    from meetingsec.users.roles import Role


@dataclass(frozen=True)
class Access:
    #: None: anyone, logged in or not; empty: any logged-in user; else: any of these roles
    roles: "frozenset[Role] | None"

    def describe(self) -> str:
        if self.roles is None:
            return "public"
        return "authenticated" if not self.roles else ",".join(sorted(self.roles))


def _mark(rule: Access) -> Callable:
    def decorate(view):
        view.access = rule
        return view

    return decorate


public = _mark(Access(None))
authenticated = _mark(Access(frozenset()))


def roles(*allowed: "Role") -> Callable:
    return _mark(Access(frozenset(allowed)))


def access_rule(endpoint: str | None) -> Access | None:
    if endpoint is None:
        return None
    if endpoint == "static":
        return Access(None)
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce_access():
    """``before_request``: apply the matched view's rule."""
    if request.endpoint is None:
        return None  # 404/405: let the router's error through
    rule = access_rule(request.endpoint)
    if rule is None:
        current_app.logger.error("Route %s has no access rule; refused", request.endpoint)
        abort(403)
    if rule.roles is None:
        return None
    if not current_user.is_authenticated:
        if getattr(request, "htmx", None):
            resp = current_app.make_response(("", 401))
            resp.headers["HX-Redirect"] = url_for("users.login")
            return resp
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("users.login", next=target))
    if rule.roles and not (rule.roles & current_user.role_set):
        abort(403)
    return None

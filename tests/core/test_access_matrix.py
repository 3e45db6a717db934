"""Every route × anonymous and every role: the expected status.

The table below is the access policy, written independently of the code. A route added to
the app without a row here fails ``test_every_route_is_in_the_matrix``.
"""

import pytest

from meetingsec.users.roles import Role

PUBLIC, AUTH = "public", "authenticated"
A, AU = Role.ADMIN, Role.AUDITOR

#: rule → (method, who may, status when allowed)
MATRIX = {
    "/static/<path:filename>": ("GET", PUBLIC, 200),
    "/login": ("GET", PUBLIC, 200),
    "/language": ("POST", PUBLIC, 303),
    "/logout": ("POST", AUTH, 303),
    "/": ("GET", AUTH, 302),
    "/home/<role>": ("GET", "own role", 200),
    "/account/password": ("GET", AUTH, 200),
    "/admin/users": ("GET", {A}, 200),
    "/admin/users/new": ("GET", {A}, 200),
    "/admin/users/<int:user_id>": ("GET", {A}, 200),
    "/admin/users/<int:user_id>/password": ("POST", {A}, 422),
    "/admin/units": ("GET", {A}, 200),
    "/admin/units/new": ("GET", {A}, 200),
    "/admin/units/<int:unit_id>": ("GET", {A}, 200),
    "/admin/venues": ("GET", {A}, 200),
    "/admin/venues/new": ("GET", {A}, 200),
    "/admin/venues/<int:venue_id>": ("GET", {A}, 200),
    "/audit/": ("GET", {AU, A}, 200),
    "/audit/verify": ("GET", {AU, A}, 200),
}


#: Public pages that answer a logged-in user differently
WHEN_LOGGED_IN = {"/login": 302, "/language": 303}


def test_every_route_is_in_the_matrix(app):
    assert {r.rule for r in app.url_map.iter_rules()} == set(MATRIX)


@pytest.fixture
def objects(make_user, db):
    from meetingsec.org.services import save_unit, save_venue

    unit = save_unit(None, actor=None, name="Đơn vị", parent=None)
    venue = save_venue(None, actor=None, name="Phòng họp", address="", at_hq=True, closed_room=True)
    target = make_user("clerk", username="target")
    db.session.commit()
    return {
        "user_id": target.id,
        "unit_id": unit.id,
        "venue_id": venue.id,
        "filename": "css/app.css",
    }


def _url(rule: str, objects, role: Role | None) -> str:
    url = rule.replace("<path:filename>", objects["filename"])
    url = url.replace("<role>", role.value if role else "organiser")
    for key in ("user_id", "unit_id", "venue_id"):
        url = url.replace(f"<int:{key}>", str(objects[key]))
    return url


@pytest.mark.parametrize("rule", sorted(MATRIX))
def test_anonymous(client, objects, rule):
    method, who, ok = MATRIX[rule]
    resp = client.open(_url(rule, objects, None), method=method)
    if who == PUBLIC:
        assert resp.status_code == ok
    else:
        assert resp.status_code == 302 and resp.location.startswith("/login")


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_each_role(client, make_user, login, objects, role):
    login(make_user(roles={role}))
    for rule, (method, who, ok) in MATRIX.items():
        if rule == "/logout":
            continue  # would end the session mid-walk; covered by the auth tests
        resp = client.open(_url(rule, objects, role), method=method)
        allowed = who in (PUBLIC, AUTH, "own role") or role in who
        expected = ok if allowed else 403
        expected = WHEN_LOGGED_IN.get(rule, expected)
        assert resp.status_code == expected, (role, rule, resp.status_code)


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_another_roles_home_is_forbidden(client, make_user, login, role):
    login(make_user(roles={role}))
    for other in Role:
        status = client.get(f"/home/{other.value}").status_code
        assert status == (200 if other is role else 403)
    assert client.get("/home/emperor").status_code == 403


def test_view_without_access_rule_is_refused(app, client):
    """Fail closed: a route someone forgot to protect answers 403 to everyone."""
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert client.get("/forgotten").status_code == 403

"""Headers, cookies, CSRF, the secret key and error pages."""

import re

import pytest

from meetingsec.core.security import CSP
from tests.conftest import PASSWORD, make_app
from tests.factories import organiser_of
from tests.helpers import error_codes


def test_security_headers(client):
    resp = client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert csp == CSP
    assert "unsafe-inline" not in csp and "http" not in csp
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "HX-Request" in resp.headers["Vary"]


def test_pages_have_no_inline_script_or_external_url(client, make_user, login):
    login(make_user("admin"))
    for path in (
        "/login",
        "/home/admin",
        "/admin/users",
        "/admin/users/new",
        "/admin/units",
        "/admin/venues/new",
        "/audit/",
        "/audit/verify",
        "/account/password",
    ):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r" on[a-z]+=", html), path
        assert not re.search(r"(src|href|action)=\"(https?:)?//", html), path


def test_session_cookie_flags(client, make_user):
    make_user(username="u1")
    resp = client.post("/login", data={"username": "u1", "password": PASSWORD})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_over_https(app, make_user):
    make_user(username="u2")
    client = app.test_client()
    resp = client.post(
        "/login", data={"username": "u2", "password": PASSWORD}, base_url="https://meetingsec.lan"
    )
    assert "Secure" in resp.headers["Set-Cookie"]
    assert resp.headers["Strict-Transport-Security"]


@pytest.fixture
def csrf_client(db_url, tmp_path):
    app = make_app(db_url, tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from meetingsec.extensions import db
        from meetingsec.users.roles import Role
        from meetingsec.users.services import create_user

        create_user(
            actor=None, username="csrfuser", full_name="C", roles={Role.CLERK}, password=PASSWORD
        )
        db.session.commit()
        db.session.remove()
    return app.test_client()


def test_csrf_is_required_on_forms(csrf_client):
    resp = csrf_client.post("/login", data={"username": "csrfuser", "password": PASSWORD})
    assert resp.status_code == 400
    assert "form_expired" in error_codes(resp)
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    resp = csrf_client.post(
        "/login", data={"username": "csrfuser", "password": PASSWORD, "csrf_token": token}
    )
    assert resp.status_code == 303


def test_a_form_sent_after_the_login_ended_says_so_and_leads_back(csrf_client):
    """Logged out in another tab (or timed out) with a page still open: its next form is
    refused as expired, and the answer says the login ended, with a way back to the page
    through the login (a door tablet's htmx step, and a whole page alike)."""
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    csrf_client.post(
        "/login", data={"username": "csrfuser", "password": PASSWORD, "csrf_token": token}
    )
    home = csrf_client.get("/home/clerk").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)
    csrf_client.delete_cookie("meetingsec_session")  # the login ends, and its token
    for headers in (
        {"HX-Request": "true", "HX-Current-URL": "http://localhost/meetings/7/door/?code=X"},
        {"Referer": "http://localhost/meetings/7/door/?code=X"},
    ):
        resp = csrf_client.post(
            "/meetings/7/door/check-in",
            data={"code": "X"},
            headers={"X-CSRFToken": token, **headers},
        )
        assert resp.status_code == 401
        assert error_codes(resp) == ["login_ended"]
        html = resp.get_data(as_text=True)
        assert "Phiên đăng nhập đã kết thúc" in html
        assert 'href="/login?next=/meetings/7/door/?code%3DX"' in html
    # a login form left open too long is still just an expired form
    resp = csrf_client.post("/login", data={"username": "csrfuser", "password": PASSWORD})
    assert error_codes(resp) == ["form_expired"]


def test_csrf_token_travels_in_the_htmx_header(csrf_client):
    page = csrf_client.get("/login").get_data(as_text=True)
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    resp = csrf_client.post(
        "/login",
        data={"username": "csrfuser", "password": PASSWORD},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert resp.status_code == 204 and resp.headers["HX-Redirect"] == "/"


def test_secret_key_is_generated_once_into_instance(db_url, tmp_path, monkeypatch):
    from meetingsec import create_app
    from meetingsec.config import Config

    monkeypatch.delenv("MEETINGSEC_SECRET_KEY", raising=False)
    first = create_app(Config, instance_path=str(tmp_path), SQLALCHEMY_DATABASE_URI=db_url)
    key_file = tmp_path / "secret_key"
    assert re.fullmatch(r"[0-9a-f]{64}", key_file.read_text())
    assert first.config["SECRET_KEY"] == key_file.read_text()
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = create_app(Config, instance_path=str(tmp_path), SQLALCHEMY_DATABASE_URI=db_url)
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


@pytest.mark.parametrize(
    "method,path,status,text",
    [
        ("GET", "/nowhere", 404, "Không tìm thấy trang"),
        ("GET", "/logout", 405, "Không được thực hiện thao tác này ở đây"),
    ],
)
def test_error_pages_are_translated(client, method, path, status, text):
    resp = client.open(path, method=method)
    assert resp.status_code == status
    body = resp.get_data(as_text=True)
    assert text in body and "<html" in body


def test_error_is_a_fragment_for_htmx(client):
    resp = client.get("/nowhere", headers={"HX-Request": "true"})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "<html" not in body and "Không tìm thấy trang" in body


def test_forbidden_page(client, make_user, login):
    login(make_user("clerk"))
    resp = client.get("/admin/users")
    assert resp.status_code == 403
    assert "Bạn không có quyền truy cập trang này" in resp.get_data(as_text=True)


def test_too_large_request(client):
    resp = client.post("/login", data={"username": "x" * (3 * 1024 * 1024)})
    assert resp.status_code == 413
    assert "Dữ liệu gửi lên quá lớn" in resp.get_data(as_text=True)


def test_unexpected_error_is_a_translated_500(app, client):
    from meetingsec.core.auth import public

    @public
    def boom():
        raise RuntimeError("kaboom")

    app.add_url_rule("/boom", "boom", boom)
    resp = client.get("/boom")
    assert resp.status_code == 500
    body = resp.get_data(as_text=True)
    assert "Máy chủ gặp lỗi" in body and "kaboom" not in body


def test_huge_numbers_in_urls_are_404_not_500(client, make_user, login):
    login(make_user("admin"))
    assert client.get("/admin/users/99999999999999999999").status_code == 404
    assert client.get("/admin/units/2147483648").status_code == 404
    assert client.get("/audit/?page=999999999999999999999").status_code == 200


def test_forms_render_no_placeholder_attributes(client):
    html = client.get("/login").get_data(as_text=True)
    assert '="None"' not in html and "aria-invalid" not in html
    html = client.post("/login", data={}).get_data(as_text=True)
    assert 'aria-invalid="true"' in html and 'aria-describedby="username-error"' in html


def test_no_page_repeats_an_element_id(client, make_meeting, make_user, make_device, login):
    """Labels find their inputs by id: a repeated id sends a screen reader to the wrong one."""
    from meetingsec.devices.services import add_device, record_inspection

    tech = make_user("technician")
    meeting = make_meeting(technicians=[tech])
    md = add_device(meeting, make_device(), actor=organiser_of(meeting))
    record_inspection(
        meeting, md, actor=tech, result="pass", seal_number="TEM-1", notes="", key="n", based_on=0
    )
    from meetingsec.extensions import db

    db.session.commit()
    login(tech)
    for path in (
        f"/meetings/{meeting.id}/inspection/{md.id}",
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}/inspection",
        f"/meetings/{meeting.id}/devices/",
    ):
        html = client.get(path).get_data(as_text=True)
        ids = re.findall(r'\bid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), (path, sorted(i for i in ids if ids.count(i) > 1))


def test_behind_a_proxy_the_tablets_address_and_https_are_seen(db_url, tmp_path):
    from meetingsec.users.services import login

    app = make_app(db_url, tmp_path, PROXY_HOPS=1)
    with app.app_context():
        from meetingsec.extensions import db
        from meetingsec.users.roles import Role
        from meetingsec.users.services import create_user

        create_user(
            actor=None, username="proxied", full_name="P", roles={Role.CLERK}, password=PASSWORD
        )
        db.session.commit()
        client = app.test_client()
        for _ in range(5):
            client.post(
                "/login",
                data={"username": "nobody", "password": "x" * 12},
                headers={"X-Forwarded-For": "10.9.8.7"},
            )
        # The lock is on the tablet behind the proxy, not on the proxy itself.
        assert login("proxied", PASSWORD, address="10.9.8.7").refusal == "locked"
        resp = client.post(
            "/login",
            data={"username": "proxied", "password": PASSWORD},
            headers={"X-Forwarded-For": "10.9.8.8", "X-Forwarded-Proto": "https"},
        )
        assert resp.status_code == 303 and "Secure" in resp.headers["Set-Cookie"]
        db.session.remove()
        db.engine.dispose()


def test_without_a_proxy_forwarded_headers_are_ignored(client, make_user):
    make_user(username="direct")
    for _ in range(5):
        client.post(
            "/login",
            data={"username": "nobody", "password": "x" * 12},
            headers={"X-Forwarded-For": "10.9.8.7"},
        )
    # The forged header did not move the lock away from the real client address.
    resp = client.post(
        "/login",
        data={"username": "direct", "password": PASSWORD},
        headers={"X-Forwarded-For": "10.1.1.1"},
    )
    assert resp.status_code == 429

"""Logging in, lockout, server-side sessions, idle expiry, passwords and language."""

from datetime import timedelta

from meetingsec.core.db import utcnow
from meetingsec.extensions import db
from meetingsec.users import services
from tests.conftest import PASSWORD
from tests.helpers import actions, live_sessions


def test_login_lands_on_the_first_roles_home(client, make_user):
    make_user("chair", username="chutri")
    resp = client.post("/login", data={"username": "ChuTri ", "password": PASSWORD})
    assert resp.status_code == 303 and resp.location == "/"
    resp = client.get("/")
    assert resp.status_code == 302 and resp.location == "/home/chair"
    page = client.get("/home/chair").get_data(as_text=True)
    assert "Người chủ trì" in page  # Vietnamese by default
    assert actions()[-1] == "auth.logged_in"


def test_wrong_password_is_refused_and_audited(client, make_user):
    make_user(username="alice")
    resp = client.post("/login", data={"username": "alice", "password": "wrong password!"})
    assert resp.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in resp.get_data(as_text=True)
    assert actions()[-1] == "auth.login_failed"
    assert client.get("/home/organiser").status_code == 302


def test_five_failures_lock_the_account_for_15_minutes(client, make_user, app):
    user = make_user(username="bob")
    for _ in range(4):
        assert (
            client.post("/login", data={"username": "bob", "password": "x" * 12}).status_code == 401
        )
    resp = client.post("/login", data={"username": "bob", "password": "x" * 12})
    assert resp.status_code == 429
    assert "bị khóa" in resp.get_data(as_text=True)
    assert actions().count("auth.login_failed") == 5
    assert actions().count("auth.locked") == 2  # the account and the client address
    # Even the right password is refused while locked, and the attempt is audited.
    resp = client.post("/login", data={"username": "bob", "password": PASSWORD})
    assert resp.status_code == 429
    assert actions()[-1] == "auth.login_failed"
    # After 15 minutes the account opens again.
    later = utcnow() + timedelta(minutes=15, seconds=1)
    result = services.login("bob", PASSWORD, address="127.0.0.1", now=later)
    assert result.user is not None and result.user.id == user.id


def test_locked_address_refuses_other_accounts(client, make_user):
    make_user(username="carol")
    for i in range(5):
        client.post("/login", data={"username": f"nobody{i}", "password": "x" * 12})
    resp = client.post("/login", data={"username": "carol", "password": PASSWORD})
    assert resp.status_code == 429


def test_lock_holds_for_the_account_from_another_address(app, make_user):
    make_user(username="dave")
    for i in range(5):
        services.login("dave", "wrong" * 3, address=f"10.0.0.{i}")
    db.session.commit()
    result = services.login("dave", PASSWORD, address="10.0.0.99")
    assert result.refusal == "locked"


def test_deactivated_user_cannot_log_in(client, make_user):
    admin = make_user("admin")
    user = make_user("clerk", username="erin")
    services.update_user(
        user,
        actor=admin,
        full_name=user.full_name,
        position="",
        unit=None,
        roles=user.role_set,
        active=False,
    )
    db.session.commit()
    resp = client.post("/login", data={"username": "erin", "password": PASSWORD})
    assert resp.status_code == 401


def test_logout_ends_the_session_on_the_server(client, make_user, login):
    user = make_user("organiser")
    login(user)
    cookie = client.get_cookie("meetingsec_session")
    assert live_sessions(user) == 1
    assert client.post("/logout").status_code == 303
    assert live_sessions(user) == 0
    # Replaying the old cookie does not bring the session back.
    client.set_cookie("meetingsec_session", cookie.value)
    assert client.get("/home/organiser").status_code == 302
    assert "auth.logged_out" in actions()


def test_idle_session_expires(client, make_user, login, app):
    user = make_user("organiser")
    login(user)
    from sqlalchemy import update

    from meetingsec.users.models import LoginSession

    db.session.execute(
        update(LoginSession).values(
            last_seen_at=utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
        )
    )
    db.session.commit()
    resp = client.get("/home/organiser")
    assert resp.status_code == 302 and resp.location.startswith("/login")
    assert "auth.session_expired" in actions()


def test_anonymous_is_sent_to_login_and_back(client, make_user):
    make_user("admin", username="root1")
    resp = client.get("/admin/units")
    assert resp.status_code == 302 and resp.location == "/login?next=/admin/units"
    resp = client.post(
        "/login", data={"username": "root1", "password": PASSWORD, "next": "/admin/units"}
    )
    assert resp.location == "/admin/units"


def test_login_never_redirects_off_site(client, make_user):
    make_user(username="frank")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        resp = client.post(
            "/login", data={"username": "frank", "password": PASSWORD, "next": target}
        )
        assert resp.location == "/"
        client.post("/logout")


def test_change_own_password(client, make_user, login):
    user = make_user("clerk")
    login(user)
    other = user.__class__  # a second device logged in as the same user
    services.login(user.username, PASSWORD, address="10.1.1.1")
    db.session.commit()
    assert live_sessions(user) == 2
    resp = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase",
        },
    )
    assert resp.status_code == 303
    assert live_sessions(user) == 1  # this one stays, the other device is logged out
    assert client.get("/home/clerk").status_code == 200
    assert actions()[-1] == "user.password_changed"
    client.post("/logout")
    assert (
        client.post(
            "/login", data={"username": user.username, "password": "a brand new passphrase"}
        ).status_code
        == 303
    )
    assert other is not None


def test_change_password_errors_change_nothing(client, make_user, login):
    user = make_user("clerk")
    login(user)
    before = len(actions())
    cases = [
        (
            {
                "current_password": "not mine at all",
                "new_password": "another long one",
                "confirm": "another long one",
            },
            "Mật khẩu hiện tại không đúng",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
            "ít nhất 12 ký tự",
        ),
        (
            {
                "current_password": PASSWORD,
                "new_password": "another long one",
                "confirm": "different long one",
            },
            "không khớp",
        ),
    ]
    for data, message in cases:
        resp = client.post("/account/password", data=data)
        assert resp.status_code == 422
        assert message in resp.get_data(as_text=True)
    assert len(actions()) == before


def test_language_switch_is_remembered_per_user(client, make_user, login):
    user = make_user("organiser")
    login(user)
    assert "Người tổ chức" in client.get("/home/organiser").get_data(as_text=True)
    resp = client.post("/language", data={"lang": "en", "next": "/home/organiser"})
    assert resp.status_code == 303 and resp.location == "/home/organiser"
    assert "Organiser" in client.get("/home/organiser").get_data(as_text=True)
    client.post("/logout")
    client.delete_cookie("meetingsec_session")
    login(user)  # a new browser: the choice comes from the account
    assert "Organiser" in client.get("/home/organiser").get_data(as_text=True)
    assert "user.locale_changed" in actions()


def test_unknown_language_changes_nothing(client, make_user, login):
    user = make_user("organiser")
    login(user)
    before = len(actions())
    resp = client.post("/language", data={"lang": "fr", "next": "/home/organiser"})
    assert resp.status_code == 303
    assert len(actions()) == before
    assert "Người tổ chức" in client.get("/home/organiser").get_data(as_text=True)


def test_language_chosen_before_login_becomes_the_accounts(client, make_user):
    user = make_user("organiser")
    client.post("/language", data={"lang": "en", "next": "/login"})
    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert "Organiser" in client.get("/home/organiser").get_data(as_text=True)
    db.session.refresh(user)
    assert user.locale == "en"

"""Logging in, lockout, server-side sessions, idle expiry, passwords and language."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from meetingsec.core.db import utcnow
from meetingsec.extensions import db
from meetingsec.users import services
from tests.conftest import PASSWORD
from tests.helpers import actions, error_codes, live_sessions


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
    assert error_codes(resp) == ["bad_login"]
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
    assert error_codes(resp) == ["locked"]
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


def test_the_lock_says_until_when_on_the_agencys_clock(client, make_user):
    make_user(username="carol")
    for _ in range(5):
        resp = client.post("/login", data={"username": "carol", "password": "x" * 12})
    message = resp.get_data(as_text=True)
    until = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + timedelta(minutes=15)
    assert any((until + timedelta(minutes=d)).strftime("%H:%M, ") in message for d in (-1, 0, 1))
    late = until + timedelta(hours=7)  # converted twice
    assert not any((late + timedelta(minutes=d)).strftime("%H:%M, ") in message for d in (-1, 0, 1))


def test_locked_address_refuses_other_accounts(client, make_user):
    make_user(username="carol")
    for i in range(5):
        client.post("/login", data={"username": f"nobody{i}", "password": "x" * 12})
    resp = client.post("/login", data={"username": "carol", "password": PASSWORD})
    assert resp.status_code == 429


def _fail(name, address, times=1):
    for _ in range(times):
        assert services.login(name, "wrong" * 3, address=address).user is None
    db.session.commit()


def _log_in(name, address):
    result = services.login(name, PASSWORD, address=address)
    db.session.commit()
    return result


def test_the_right_password_from_another_tablet_works_after_five_failures(app, make_user):
    """Five wrong passwords typed at one tablet lock that tablet for that account, never
    the account itself: nobody can lock the door clerks out from a tablet of their own."""
    make_user("clerk", username="dave")
    _fail("dave", "10.0.0.1", times=5)
    assert _log_in("dave", "10.0.0.1").refusal == "locked"
    assert _log_in("dave", "10.0.0.2").user is not None


def test_the_account_locks_everywhere_after_many_failures_from_many_addresses(app, make_user):
    """Guesses spread over many addresses (never five from one) still run out: the account
    has its own, longer count, which no successful login resets."""
    make_user("clerk", username="dave")
    limit = app.config["LOGIN_ACCOUNT_MAX_FAILURES"]
    assert limit > app.config["LOGIN_MAX_FAILURES"]
    for i in range(limit - 1):
        _fail("dave", f"10.0.{i // 4}.{i % 4}")
    assert _log_in("dave", "10.9.9.9").user is not None  # the owner, meanwhile
    _fail("dave", "10.8.8.8")
    result = _log_in("dave", "10.9.9.9")
    assert result.refusal == "locked" and result.locked_until is not None
    assert "auth.locked" in actions()


def test_a_success_elsewhere_does_not_reset_the_count_at_one_tablet(client, make_user):
    """Neither the account's own login from tablet B nor someone else's login at tablet A
    wipes the count of wrong passwords typed for the account at tablet A."""
    make_user("clerk", username="dave")
    make_user("clerk", username="carol")
    _fail("dave", "10.0.0.1", times=4)
    assert _log_in("dave", "10.0.0.2").user is not None
    assert _log_in("carol", "10.0.0.1").user is not None
    _fail("dave", "10.0.0.1")
    assert _log_in("dave", "10.0.0.1").refusal == "locked"
    assert _log_in("carol", "10.0.0.1").user is not None  # the tablet still serves others
    assert _log_in("dave", "10.0.0.2").user is not None


class _CountHashing:
    """Counts the Argon2 computations of each login (a verification or a new hash each
    cost the same, about half a second in production)."""

    def __init__(self, monkeypatch):
        from argon2 import PasswordHasher

        self.calls = []
        for name in ("verify", "hash"):
            original = getattr(PasswordHasher, name)
            monkeypatch.setattr(PasswordHasher, name, self._spy(name, original))

    def _spy(self, name, original):
        def spy(hasher, *args, **kwargs):
            self.calls.append(name)
            return original(hasher, *args, **kwargs)

        return spy

    def during(self, post) -> list[str]:
        self.calls.clear()
        resp = post()
        assert resp.status_code == 401
        return list(self.calls)


def test_an_unknown_username_costs_what_a_wrong_password_costs(client, make_user, monkeypatch):
    """No user enumeration by timing: every refused login computes exactly one Argon2
    verification, whether the account exists, is deactivated or not."""
    admin = make_user("admin")
    make_user("clerk", username="real")
    gone = make_user("clerk", username="gone")
    services.update_user(
        gone, actor=admin, full_name="x", position="", unit=None, roles=gone.role_set, active=False
    )
    db.session.commit()
    hashing = _CountHashing(monkeypatch)

    def post(name, password, n):
        # one address per attempt, so no lock cuts a login short
        return lambda: client.post(
            "/login",
            data={"username": name, "password": password},
            environ_base={"REMOTE_ADDR": f"10.2.0.{n}"},
        )

    attempts = [
        ("nobody", "wrong password!"),  # the first may make what it compares against
        ("nobody", "wrong password!"),
        ("someone-else", PASSWORD),
        ("real", "wrong password!"),
        ("gone", PASSWORD),
        ("gone", "wrong password!"),
    ]
    costs = [hashing.during(post(name, pw, n)) for n, (name, pw) in enumerate(attempts)]
    assert costs[1:] == [["verify"]] * (len(attempts) - 1)
    assert costs[0] in (["verify"], ["hash", "verify"])


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

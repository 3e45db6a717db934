"""Administrators manage accounts; users are deactivated, never deleted."""

from sqlalchemy import select

from meetingsec.extensions import db
from meetingsec.users.models import User
from meetingsec.users.roles import Role
from tests.conftest import PASSWORD
from tests.helpers import actions, error_codes, live_sessions, snapshot

NEW = {
    "username": "nguyenvana",
    "full_name": "Nguyễn Văn A",
    "position": "Chuyên viên",
    "unit_id": "0",
    "roles": ["organiser", "clerk"],
    "password": "mật khẩu đủ dài 2026",
}


def test_admin_creates_a_user_who_can_log_in(client, make_user, login):
    login(make_user("admin"))
    resp = client.post("/admin/users/new", data=NEW)
    assert resp.status_code == 303 and resp.location == "/admin/users"
    user = db.session.scalar(select(User).where(User.username == "nguyenvana"))
    assert user.full_name == "Nguyễn Văn A"
    assert user.roles == [Role.ORGANISER, Role.CLERK]
    assert user.password_hash.startswith("$argon2id$")
    assert actions()[-1] == "user.created"
    assert "Nguyễn Văn A" in client.get("/admin/users").get_data(as_text=True)
    client.post("/logout")
    resp = client.post(
        "/login", data={"username": "nguyenvana", "password": "mật khẩu đủ dài 2026"}
    )
    assert resp.status_code == 303


def test_bad_user_forms_change_nothing(client, make_user, login):
    login(make_user("admin", username="boss"))
    before = snapshot()
    cases = [
        ({**NEW, "username": ""}, "Trường này là bắt buộc"),
        ({**NEW, "username": "Has Spaces"}, "Từ 3 đến 64 ký tự"),
        ({**NEW, "username": "boss"}, "Tên đăng nhập này đã được dùng"),
        ({**NEW, "full_name": "x" * 10_000}, "Tối đa 200 ký tự"),
        ({**NEW, "full_name": "Nguyễn\x00Văn"}, "Có ký tự không được phép"),
        ({**NEW, "password": "short"}, "ít nhất 12 ký tự"),
        ({**NEW, "roles": []}, "Chọn ít nhất một vai trò"),
        ({**NEW, "roles": ["emperor"]}, "Hãy chọn một mục trong danh sách"),
        ({**NEW, "unit_id": "abc"}, "Hãy chọn một mục trong danh sách"),
        ({**NEW, "unit_id": "999"}, "Hãy chọn một mục trong danh sách"),
    ]
    for data, message in cases:
        resp = client.post("/admin/users/new", data=data)
        assert resp.status_code == 422, data
        assert message in resp.get_data(as_text=True), (data, message)
    assert snapshot() == before


def test_script_in_a_name_is_shown_as_text(client, make_user, login):
    login(make_user("admin"))
    client.post("/admin/users/new", data={**NEW, "full_name": "<script>alert(1)</script>"})
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_deactivating_a_user_ends_their_sessions(client, make_user, login, app):
    admin = make_user("admin")
    clerk = make_user("clerk", username="clerk1")
    other = app.test_client()
    other.__class__ = client.__class__
    assert (
        other.post("/login", data={"username": "clerk1", "password": PASSWORD}).status_code == 303
    )
    login(admin)
    resp = client.post(
        f"/admin/users/{clerk.id}",
        data={"full_name": clerk.full_name, "position": "", "unit_id": "0", "roles": ["clerk"]},
    )
    assert resp.status_code == 303
    assert live_sessions(clerk) == 0
    assert other.get("/home/clerk").status_code == 302
    assert actions()[-1] == "user.updated"


def test_last_admin_cannot_be_demoted(client, make_user, login):
    admin = make_user("admin")
    login(admin)
    before = snapshot()
    resp = client.post(
        f"/admin/users/{admin.id}",
        data={
            "full_name": admin.full_name,
            "position": "",
            "unit_id": "0",
            "roles": ["auditor"],
            "active": "y",
        },
    )
    assert resp.status_code == 422
    assert "last_admin" in error_codes(resp)
    assert snapshot() == before


def test_admin_resets_a_password(client, make_user, login):
    login(make_user("admin"))
    user = make_user("chair", username="chair9")
    resp = client.post(
        f"/admin/users/{user.id}/password", data={"reset-new_password": "một mật khẩu mới dài"}
    )
    assert resp.status_code == 303
    assert actions()[-1] == "user.password_reset"
    resp = client.post(f"/admin/users/{user.id}/password", data={"reset-new_password": "x"})
    assert resp.status_code == 422 and "password_too_short" in error_codes(resp)


def test_unknown_user_is_404(client, make_user, login):
    login(make_user("admin"))
    assert client.get("/admin/users/424242").status_code == 404


def test_cli_creates_the_first_admin(runner):
    out = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "root",
            "--full-name",
            "Quản Trị Viên",
            "--role",
            "admin",
            "--password",
            "first admin password",
        ]
    )
    assert out.exit_code == 0, out.output
    user = db.session.scalar(select(User).where(User.username == "root"))
    assert user.roles == [Role.ADMIN]
    out = runner.invoke(
        args=[
            "users",
            "create",
            "--username",
            "root2",
            "--full-name",
            "X",
            "--role",
            "admin",
            "--password",
            "short",
        ]
    )
    assert out.exit_code != 0 and "12" in out.output


def _lock_out(name: str, *addresses: str) -> None:
    """Five wrong passwords for ``name`` from each address."""
    from meetingsec.users import services

    for address in addresses:
        for _ in range(5):
            services.login(name, "wrong" * 3, address=address)
    db.session.commit()


def _can_log_in(name: str, address: str) -> bool:
    from meetingsec.users import services

    result = services.login(name, PASSWORD, address=address)
    db.session.commit()
    return result.user is not None


def test_admin_unlocks_an_account_at_once(client, make_user, login, app):
    from meetingsec.audit.models import AuditEvent

    app.config["LOGIN_ACCOUNT_MAX_FAILURES"] = 10
    clerk = make_user("clerk", username="clerk7")
    _lock_out("clerk7", "10.0.0.1", "10.0.0.2")  # both tablets, and so the account
    assert not _can_log_in("clerk7", "10.0.0.3")
    admin = make_user("admin")
    login(admin)
    page = client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    assert f'action="/admin/users/{clerk.id}/unlock"' in page
    resp = client.post(f"/admin/users/{clerk.id}/unlock")
    assert resp.status_code == 303 and resp.location == f"/admin/users/{clerk.id}"
    event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1))
    assert event.action == "user.unlocked"
    assert event.actor_id == admin.id and event.object_id == str(clerk.id)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        assert _can_log_in("clerk7", address), address
    # Nothing left to unlock: the page says so, and nothing is recorded.
    before = snapshot()
    resp = client.post(f"/admin/users/{clerk.id}/unlock")
    assert resp.status_code == 422
    assert snapshot() == before


def test_only_an_admin_unlocks(client, make_user, login):
    clerk = make_user("clerk", username="clerk8")
    _lock_out("clerk8", "10.0.0.1")
    assert client.post(f"/admin/users/{clerk.id}/unlock").status_code == 302  # to the login
    login(make_user(roles={Role.ORGANISER, Role.CHAIR, Role.AUDITOR, Role.CLERK}))
    assert client.post(f"/admin/users/{clerk.id}/unlock").status_code == 403
    assert "user.unlocked" not in actions()
    assert not _can_log_in("clerk8", "10.0.0.1")

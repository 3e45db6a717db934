"""Accounts, passwords, login with lockout, and server-side sessions.

Every function flushes and writes its audit event; the caller commits once.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from meetingsec.audit.services import record
from meetingsec.core.changes import apply_changes
from meetingsec.core.db import begin_writing, built_once, utcnow
from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from meetingsec.users.models import LoginLock, LoginSession, User, UserRole
from meetingsec.users.roles import Role


def _argon2_parameters() -> tuple[int, int, int]:
    c = current_app.config
    return c["ARGON2_TIME_COST"], c["ARGON2_MEMORY_COST"], c["ARGON2_PARALLELISM"]


def _hasher() -> PasswordHasher:
    time_cost, memory_cost, parallelism = _argon2_parameters()
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


#: A hash of a random password per set of Argon2 parameters, made once per process: an
#: unknown or deactivated account is checked against it, so every refused login costs one
#: verification, exactly what a wrong password for a real account costs (no enumeration of
#: usernames by timing)
_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _dummy_hash() -> str:
    key = _argon2_parameters()
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher().hash(secrets.token_urlsafe(24))
    return _dummy_hashes[key]


def _password_matches(stored: str | None, password: str) -> bool:
    """One Argon2 verification, whether there is a stored hash or not (then never a match)."""
    try:
        return _hasher().verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def check_password_policy(password: str, *, field: str = "password") -> None:
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise DomainError(
            _l("The password must be at least %(n)d characters long.", n=minimum),
            "password_too_short",
            field=field,
        )


def get_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def _set_roles(user: User, roles: set[Role]) -> None:
    held = {r.role: r for r in user.role_rows}
    for name in set(held) - {str(r) for r in roles}:
        user.role_rows.remove(held[name])
    for role in sorted(str(r) for r in roles if str(r) not in held):
        user.role_rows.append(UserRole(role=role))


def _count_active_admins(exclude: User | None = None) -> int:
    stmt = (
        select(func.count())
        .select_from(User)
        .join(UserRole)
        .where(UserRole.role == Role.ADMIN.value, User.active.is_(True))
    )
    if exclude is not None:
        stmt = stmt.where(User.id != exclude.id)
    return db.session.scalar(stmt)


def create_user(
    *,
    actor,
    username: str,
    full_name: str,
    position: str = "",
    unit=None,
    roles: set[Role],
    password: str,
    now: datetime | None = None,
) -> User:
    """Create an account. ``actor`` None means the system (CLI, demo seed)."""
    username = username.strip().lower()
    if get_user_by_username(username) is not None:
        raise DomainError(
            _l("This username is already taken."), "duplicate_username", field="username"
        )
    if not roles:
        raise DomainError(_l("Choose at least one role."), "no_role", field="roles")
    check_password_policy(password)
    now = now or utcnow()
    user = User(
        username=username,
        full_name=full_name,
        position=position,
        unit_id=unit.id if unit else None,
        password_hash=hash_password(password),
        active=True,
        locale=current_app.config["BABEL_DEFAULT_LOCALE"],
        created_at=now,
        password_changed_at=now,
    )
    _set_roles(user, roles)
    db.session.add(user)
    record(
        "user.created",
        user,
        actor=actor,
        now=now,
        data={
            "username": username,
            "full_name": full_name,
            "position": position,
            "unit_id": user.unit_id,
            "roles": sorted(str(r) for r in roles),
        },
    )
    return user


def update_user(
    user: User,
    *,
    actor,
    full_name: str,
    position: str,
    unit,
    roles: set[Role],
    active: bool,
    now: datetime | None = None,
) -> User:
    """Change an account's details, roles or active state (deactivation ends its sessions)."""
    if not roles:
        raise DomainError(_l("Choose at least one role."), "no_role", field="roles")
    losing_admin = user.has_role(Role.ADMIN) and (Role.ADMIN not in roles or not active)
    if losing_admin and user.active and _count_active_admins(exclude=user) == 0:
        raise DomainError(
            _l("This is the last active administrator; keep the role and the account active."),
            "last_admin",
            field="roles",
        )
    now = now or utcnow()
    changed = apply_changes(
        user,
        {
            "full_name": full_name,
            "position": position,
            "unit_id": unit.id if unit else None,
            "active": active,
        },
    )
    old_roles = sorted(str(r) for r in user.role_set)
    new_roles = sorted(str(r) for r in roles)
    if old_roles != new_roles:
        changed["roles"] = [old_roles, new_roles]
        _set_roles(user, roles)
    if not changed:
        return user
    record("user.updated", user, actor=actor, now=now, data=changed)
    if "active" in changed and not active:
        end_sessions(user, reason="deactivated", now=now)
    return user


def reset_password(user: User, *, actor, new_password: str, now: datetime | None = None):
    """An administrator sets a new password; the user's sessions end."""
    check_password_policy(new_password, field="new_password")
    _store_password(user, new_password, now or utcnow())
    record("user.password_reset", user, actor=actor, now=now)


def change_own_password(
    user: User,
    *,
    current_password: str,
    new_password: str,
    keep_token: str | None = None,
    now: datetime | None = None,
) -> None:
    """The user changes their own password; their other sessions end, this one stays."""
    if not _password_matches(user.password_hash, current_password):
        raise DomainError(
            _l("The current password is not correct."), "wrong_password", field="current_password"
        )
    check_password_policy(new_password, field="new_password")
    if new_password == current_password:
        raise DomainError(
            _l("The new password must differ from the current one."),
            "same_password",
            field="new_password",
        )
    _store_password(user, new_password, now or utcnow(), keep_token=keep_token)
    record("user.password_changed", user, actor=user, now=now)


def _store_password(user: User, password: str, now: datetime, keep_token=None) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    end_sessions(user, reason="password_changed", now=now, keep_token=keep_token)


def set_locale(user: User, locale: str, *, now: datetime | None = None) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(_l("Unknown language."), "unknown_locale", field="lang")
    if user.locale != locale:
        record(
            "user.locale_changed", user, actor=user, now=now, data={"locale": [user.locale, locale]}
        )
        user.locale = locale


# -- login, lockout and sessions ------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    user: User | None = None
    token: str | None = None
    #: ``invalid`` or ``locked`` when refused
    refusal: str | None = None
    locked_until: datetime | None = None


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# What must change together with these keys and thresholds: LoginLock's docstring, the
# admin's unlock (``unlock_user``, ``get_login_locks``), the README's Login paragraph and its
# configuration table.


def _pair_key(name: str, address: str) -> str:
    return f"pair:{name}|{address}"[:120]


def _account_key(name: str) -> str:
    # By the name typed, not the user id: an unknown name is counted and locked the same
    # way, so a lock tells nothing about whether the account exists.
    return f"account:{name}"[:120]


def _address_key(address: str) -> str:
    return f"addr:{address}"[:120]


def _thresholds(name: str, address: str) -> dict[str, int]:
    """Each count that a failed login adds to, and the failures that lock it."""
    cfg = current_app.config
    return {
        _pair_key(name, address): cfg["LOGIN_MAX_FAILURES"],
        _address_key(address): cfg["LOGIN_MAX_FAILURES"],
        _account_key(name): cfg["LOGIN_ACCOUNT_MAX_FAILURES"],
    }


def _active_lock(keys, now: datetime) -> LoginLock | None:
    """The lock that ends last among ``keys`` that are locked now, or None."""
    locks = [db.session.get(LoginLock, key) for key in keys]
    live = [k for k in locks if k is not None and k.locked_until and k.locked_until > now]
    return max(live, key=lambda k: k.locked_until, default=None)


def _count_failure(
    key: str, threshold: int, *, user: User | None, name: str, address: str, now: datetime
) -> None:
    cfg = current_app.config
    lock = db.session.get(LoginLock, key)
    if lock is None:
        lock = LoginLock(key=key, failures=0)
        db.session.add(lock)
    elif lock.locked_until is not None and lock.locked_until <= now:
        lock.failures, lock.locked_until = 0, None  # an expired lock starts a new count
    lock.failures += 1
    if lock.failures >= threshold:
        lock.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
        kind = key.split(":", 1)[0]
        by_address = kind == "addr" or user is None
        record(
            "auth.locked",
            None if by_address else user,
            actor=None,
            now=now,
            object_type="address" if by_address else None,
            object_id=address if by_address else None,
            data={
                "key_kind": kind,
                "username": name,
                "address": address,
                "until": lock.locked_until.isoformat(),
            },
        )


def login(
    username: str,
    password: str,
    *,
    address: str,
    locale: str | None = None,
    now: datetime | None = None,
) -> LoginResult:
    """Check a login. The caller commits whatever the result.

    Failures are counted per (account, client address), per address and per account.
    ``LOGIN_MAX_FAILURES`` in a row lock that account on that address, and that address,
    for ``LOGIN_LOCK_MINUTES``; the account itself locks everywhere only after
    ``LOGIN_ACCOUNT_MAX_FAILURES``, so failures typed at one tablet never keep the owner
    out at another. A success clears the count of this account at this address, and this
    address's own count (a person with an account is at it), never the account's count nor
    any other address's. Every refusal that is not a lock costs one Argon2 verification,
    whether the account exists or not.
    """
    now = now or utcnow()
    name = username.strip().lower()[:64]
    user = get_user_by_username(name) if name else None
    thresholds = _thresholds(name, address)
    lock = _active_lock(thresholds, now)
    if lock:
        record(
            "auth.login_failed",
            user,
            actor=None,
            now=now,
            data={"username": name, "address": address, "reason": "locked"},
        )
        return LoginResult(refusal="locked", locked_until=lock.locked_until)
    ok = _password_matches(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        record(
            "auth.login_failed",
            user,
            actor=None,
            now=now,
            data={
                "username": name,
                "address": address,
                "reason": "inactive" if ok and user else "bad_credentials",
            },
        )
        for key, threshold in thresholds.items():
            _count_failure(key, threshold, user=user, name=name, address=address, now=now)
        lock = _active_lock(thresholds, now)
        if lock:
            return LoginResult(refusal="locked", locked_until=lock.locked_until)
        return LoginResult(refusal="invalid")
    for key in (_pair_key(name, address), _address_key(address)):
        stale = db.session.get(LoginLock, key)
        if stale is not None:
            db.session.delete(stale)
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=_hash_token(token),
            user_id=user.id,
            address=address[:64],
            created_at=now,
            last_seen_at=now,
        )
    )
    record("auth.logged_in", user, actor=user, now=now, data={"address": address})
    if locale in current_app.config["LANGUAGES"]:
        set_locale(user, locale, now=now)
    user.session_token = token
    return LoginResult(user=user, token=token)


@dataclass(frozen=True)
class LoginLocks:
    """Where an account's failed logins stand, for the administrator's user page."""

    #: Until when the account is locked on every address (None: it is not)
    account_until: datetime | None
    #: (address, locked until) for each address the account is locked on now
    addresses: list[tuple[str, datetime]]
    #: Failed logins counted against the account (what ``unlock_user`` clears)
    failures: int

    @property
    def is_locked(self) -> bool:
        return self.account_until is not None or bool(self.addresses)


def _lock_rows(user: User) -> tuple[LoginLock | None, dict[str, LoginLock]]:
    """The account's own count, and its count at each address (by address)."""
    prefix = _pair_key(user.username, "")
    pairs = db.session.scalars(
        select(LoginLock).where(LoginLock.key.startswith(prefix, autoescape=True))
    )
    # A name typed with "|" in it (never a username) must not pass for this account's.
    by_address = {row.key[len(prefix) :]: row for row in pairs if "|" not in row.key[len(prefix) :]}
    return db.session.get(LoginLock, _account_key(user.username)), by_address


def _is_live(row: LoginLock | None, now: datetime) -> bool:
    return row is not None and row.locked_until is not None and row.locked_until > now


def _until(row: LoginLock | None, now: datetime) -> datetime | None:
    return row.locked_until if _is_live(row, now) else None


def get_login_locks(user: User, *, now: datetime | None = None) -> LoginLocks:
    """What keeps ``user`` out now: what ``unlock_user`` would clear."""
    now = now or utcnow()
    account, pairs = _lock_rows(user)
    addresses = []
    for address, pair in sorted(pairs.items()):
        # The address may be locked by others' failures too: the user is kept out all the same.
        ends = [_until(pair, now), _until(db.session.get(LoginLock, _address_key(address)), now)]
        if any(ends):
            addresses.append((address, max(e for e in ends if e)))
    counted = account is not None and (account.locked_until is None or _is_live(account, now))
    return LoginLocks(
        account_until=_until(account, now),
        addresses=addresses,
        failures=account.failures if counted else 0,
    )


def unlock_user(user: User, *, actor, now: datetime | None = None) -> None:
    """An administrator lets an account in again at once (audited): its own count, its
    count at every address, and the locks of those addresses are cleared."""
    now = now or utcnow()
    account, pairs = _lock_rows(user)
    address_rows = {a: db.session.get(LoginLock, _address_key(a)) for a in pairs}
    rows = [account, *pairs.values(), *address_rows.values()]
    if not any(_is_live(row, now) for row in rows):
        raise DomainError(_l("This account is not locked."), "not_locked")
    record(
        "user.unlocked",
        user,
        actor=actor,
        now=now,
        data={
            "account_locked": _is_live(account, now),
            "addresses": sorted(pairs),
            "addresses_locked": sorted(a for a, r in address_rows.items() if _is_live(r, now)),
        },
    )
    for row in rows:
        if row is not None:
            db.session.delete(row)


@built_once
def _live_session():
    return (
        select(LoginSession)
        .where(LoginSession.token_hash == bindparam("token_hash"), LoginSession.ended_at.is_(None))
        # the user and their roles in the same statement: every request asks for them
        .options(joinedload(LoginSession.user).joinedload(User.role_rows))
    )


def load_session(token: str, *, now: datetime | None = None) -> User | None:
    """The user of a live session, or None. An idle session is ended here (and audited).

    ``last_seen_at`` is written at most once a minute, so page loads stay reads. When it
    writes, it says so in ``db.session.info["login_session_written"]`` for the caller to
    commit.
    """
    now = now or utcnow()
    s = db.session.scalars(_live_session(), {"token_hash": _hash_token(token)}).unique().first()
    if s is None:
        return None
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if now - s.last_seen_at > idle:
        begin_writing(db.session)
        db.session.info["login_session_written"] = True
        s.ended_at, s.end_reason = now, "idle"
        record(
            "auth.session_expired",
            s.user,
            actor=None,
            now=now,
            data={"idle_minutes": current_app.config["SESSION_IDLE_MINUTES"]},
        )
        return None
    if not s.user.active:
        return None
    if now - s.last_seen_at > timedelta(seconds=60):
        begin_writing(db.session)
        db.session.info["login_session_written"] = True
        s.last_seen_at = now
    s.user.session_token = token
    return s.user


def logout(user: User, *, now: datetime | None = None) -> None:
    now = now or utcnow()
    if user.session_token:
        db.session.execute(
            update(LoginSession)
            .where(
                LoginSession.token_hash == _hash_token(user.session_token),
                LoginSession.ended_at.is_(None),
            )
            .values(ended_at=now, end_reason="logout")
        )
    record("auth.logged_out", user, actor=user, now=now)


def end_sessions(user: User, *, reason: str, now: datetime, keep_token: str | None = None):
    stmt = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if keep_token:
        stmt = stmt.where(LoginSession.token_hash != _hash_token(keep_token))
    db.session.execute(stmt.values(ended_at=now, end_reason=reason))

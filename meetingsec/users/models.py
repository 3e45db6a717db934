"""Users, their roles, login sessions and login locks."""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from meetingsec.core.db import Base, UTCDateTime, utcnow
from meetingsec.users.roles import ROLE_ORDER, Role

if TYPE_CHECKING:
    from meetingsec.org.models import Unit


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-case login name; never reused, since users are deactivated, not deleted
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    #: Deactivated users cannot log in; their history stays
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Interface language chosen by the user (vi, en)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped["Unit | None"] = relationship(lazy="joined")
    role_rows: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    #: Token of the login session this object was loaded for (set by the user loader;
    #: not a column)
    session_token = None

    def get_id(self) -> str | None:
        # Flask-Login stores this in the cookie: the server-side session's token, never
        # the user id, so ending the session row ends the login.
        return self.session_token

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def given_name(self) -> str:
        """The name a colleague calls them by: a Vietnamese full name ends with it
        ("Nguyễn Văn An" → "An"). The header shows it where the full name does not fit."""
        return self.full_name.split()[-1] if self.full_name.split() else self.username

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    @property
    def roles(self) -> list[Role]:
        """Roles in the app's order of precedence."""
        held = self.role_set
        return [r for r in ROLE_ORDER if r in held]

    def has_role(self, role: Role) -> bool:
        return role in self.role_set


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows", lazy="raise")


class LoginSession(Base):
    """A server-side login session: the cookie carries a random token, the database its hash."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the cookie (a database reader cannot reuse it)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: NULL while the session is live
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: logout, idle, password_changed, deactivated
    end_reason: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship(lazy="joined")


class LoginLock(Base):
    """Failed logins counted for one key (``users.services.login`` says which count when):

    - ``pair:<username>|<address>``: an account at one client address;
    - ``addr:<address>``: a client address, whatever the account;
    - ``account:<username>``: an account from every address (its own, higher threshold).

    Usernames are the ones typed (lower-cased), so an unknown name is counted like a real
    one. Kept in the database so a lock holds across app instances and restarts.
    """

    __tablename__ = "login_locks"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    #: NULL unless locked
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

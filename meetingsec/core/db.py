"""Declarative base, constraint naming, UTC time, and the engine set-up that lets several
door tablets write to SQLite at once."""

from contextvars import ContextVar
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use meetingsec.core.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: Whether transactions begun now may write. True outside requests (commands, jobs) and in
#: POST requests; a GET request (or a ``reads_first`` view) reads until ``begin_writing``.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


def set_write_intent(writes: bool) -> None:
    _write_intent.set(writes)


def begin_writing(session) -> None:
    """This request is about to write. On SQLite, end its read transaction (changing
    nothing, keeping what was read), so the next one takes the write lock from its start:
    a read transaction cannot safely become a write one (its snapshot may be stale).
    ``core.transactions`` calls it before every service; the few reads that write (a
    session's last-seen time, an audited refusal) call it too."""
    if _write_intent.get():
        return
    _write_intent.set(True)
    if session.get_bind().dialect.name == "sqlite":
        end_transaction(session)


def end_transaction(session) -> None:
    """End the session's transaction (committing it), keeping what was read loaded: the
    work that follows holds no lock and no snapshot; the next query begins anew."""
    current = session.registry() if hasattr(session, "registry") else session
    keep, current.expire_on_commit = current.expire_on_commit, False
    try:
        current.commit()
    finally:
        current.expire_on_commit = keep


def reads_first(view):
    """Marks a POST view whose checks (login, meeting, form) read before its service
    writes: its request begins as a reader and holds SQLite's write lock only for the
    service and its commit. The door's check-in is one: many tablets send it at once."""
    view.reads_first = True
    return view


def configure_sqlite(engine: Engine, busy_timeout: int) -> None:
    """WAL, busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for every transaction that
    may write.

    Taking the write lock when a transaction begins (rather than on its first write) is what
    keeps concurrent writers from reading the same audit head: SQLite then serialises them,
    and a waiting writer sleeps up to the busy timeout instead of failing with "database is
    locked" when its snapshot goes stale. Reads (GET requests: a scan, a search, the
    counters polled by every tablet) begin deferred and run beside the writer, on WAL's
    snapshot.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")

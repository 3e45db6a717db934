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
#: POST requests; a GET request reads, unless it calls ``begin_writing`` first.
_write_intent: ContextVar[bool] = ContextVar("write_intent", default=True)


def set_write_intent(writes: bool) -> None:
    _write_intent.set(writes)


def begin_writing(session) -> None:
    """A reading request is about to write (a session's last-seen time, an audited refusal):
    end its read transaction, so the next one takes SQLite's write lock from its start. A
    read transaction cannot safely become a write one: its snapshot may be stale."""
    if not _write_intent.get():
        _write_intent.set(True)
        session.rollback()


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

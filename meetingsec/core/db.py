"""Declarative base, constraint naming, UTC time, and the engine set-up that lets several
door tablets write to SQLite at once."""

import fcntl
import functools
import os
import sqlite3
import threading
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import TypeVar

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


S = TypeVar("S")


def built_once(build: Callable[[], S]) -> Callable[[], S]:
    """A statement built on first use and kept for the process: SQLAlchemy takes longer to
    build a statement and derive its cache key than SQLite takes to run it, and keeps the
    key on the statement object. Its values are ``bindparam``s, given at execution. For the
    statements every door request runs."""
    return functools.cache(build)


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


class WriteQueue:
    """SQLite's writers take turns on an OS file lock beside the database, held from
    ``BEGIN IMMEDIATE`` until the commit or rollback.

    SQLite's own busy handler makes a waiting writer sleep 1, 2, 5, 10 … ms and try again, so
    a writer that could start the moment the lock is free often sleeps on (with two door
    tablets writing at once, most write transactions waited, up to hundreds of ms). The
    kernel wakes a process waiting on ``flock`` as soon as the holder lets go. The wait is
    bounded by the busy timeout, as SQLite's is, and ends in the same "database is locked"
    error. Every app process (web workers, the records worker, commands) queues on the
    same file; anything else that writes (a backup, the sqlite3 shell) still meets SQLite's
    busy handler, as before."""

    def __init__(self, path: str, timeout: float):
        self.path = path
        self.timeout = timeout

    def take(self) -> int:
        """Wait for the turn; returns the descriptor that holds it (``release`` it)."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            pass
        except BaseException:
            os.close(fd)
            raise
        return self._wait(fd)

    def _wait(self, fd: int) -> int:
        # flock has no timeout: a thread waits on it, and gives the turn straight back if
        # the writer has stopped waiting by the time it comes
        got, guard, gave_up = threading.Event(), threading.Lock(), []

        def wait():
            fcntl.flock(fd, fcntl.LOCK_EX)
            with guard:
                if gave_up:
                    release(fd)
                else:
                    got.set()

        threading.Thread(target=wait, name="sqlite-write-turn", daemon=True).start()
        if got.wait(self.timeout):
            return fd
        with guard:
            if got.is_set():
                return fd
            gave_up.append(True)
        raise sqlite3.OperationalError("database is locked")


def release(fd: int) -> None:
    """Give a write turn back. Unlocked explicitly, not only closed: a process forked
    meanwhile holds a copy of the descriptor, and closing ours alone would keep the lock."""
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class _QueuedConnection(sqlite3.Connection):
    """A DBAPI connection that gives its write turn back once its transaction has ended."""

    write_turn: int | None = None

    def _give_back(self) -> None:
        fd, self.write_turn = self.write_turn, None
        if fd is not None:
            release(fd)

    def commit(self):
        try:
            super().commit()
        finally:
            self._give_back()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._give_back()

    def close(self):
        try:
            super().close()
        finally:
            self._give_back()


def configure_sqlite(engine: Engine, busy_timeout: float, *, write_queue: bool = True) -> None:
    """WAL, busy timeout, foreign keys, and ``BEGIN IMMEDIATE`` for every transaction that
    may write, writers taking turns on a ``WriteQueue`` (``write_queue``: a benchmark
    compares it with SQLite's busy handler alone).

    Taking the write lock when a transaction begins (rather than on its first write) is what
    keeps concurrent writers from reading the same audit head: SQLite then serialises them,
    and a waiting writer waits up to the busy timeout instead of failing with "database is
    locked" when its snapshot goes stale. Reads (GET requests: a scan, a search, the
    counters polled by every tablet) begin deferred and run beside the writer, on WAL's
    snapshot.
    """
    database = engine.url.database
    queue = (
        WriteQueue(f"{database}-writers", busy_timeout)
        if write_queue and database and database != ":memory:" and not database.startswith("file:")
        else None
    )

    if queue is not None:

        @event.listens_for(engine, "do_connect")
        def _queued_connection(_dialect, _record, _cargs, cparams):
            cparams["factory"] = _QueuedConnection

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
        if not _write_intent.get():
            conn.exec_driver_sql("BEGIN")
            return
        dbapi_conn = conn.connection.dbapi_connection
        if queue is not None and dbapi_conn.write_turn is None:
            dbapi_conn.write_turn = queue.take()
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if queue is not None:
                dbapi_conn._give_back()
            raise

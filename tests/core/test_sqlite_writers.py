"""SQLite's writers take turns on the write queue (``core.db.WriteQueue``): a waiting writer
starts when the one before it ends, not when SQLite's busy handler next wakes it; the wait
is bounded; a turn is always given back. These run on every backend: they test how the
embedded database is driven, whatever the suite's database is."""

import os
import threading

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import IntegrityError

from meetingsec.core.db import configure_sqlite, set_write_intent


@pytest.fixture
def engine_for(tmp_path):
    engines = []

    def make(busy_timeout=15.0, *, sqlite_waits=True, **kw):
        engine = create_engine(f"sqlite:///{tmp_path / 'writers.db'}")
        configure_sqlite(engine, busy_timeout, **kw)
        if not sqlite_waits:
            # SQLite's own busy handler off: a writer that finds the lock taken fails at once
            event.listen(engine, "connect", _no_busy_wait)
        engines.append(engine)
        return engine

    first = make()
    with first.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY)"))
    yield make
    for engine in engines:
        engine.dispose()


def _no_busy_wait(dbapi_conn, _record):
    dbapi_conn.execute("PRAGMA busy_timeout = 0")


def test_a_waiting_writer_starts_when_the_writer_before_it_commits(engine_for):
    first, second = engine_for(), engine_for(sqlite_waits=False)
    holding = first.connect()
    holding.begin()
    holding.execute(text("INSERT INTO t (n) VALUES (1)"))

    result = {}

    def write_next():
        with second.connect() as conn:
            with conn.begin():
                conn.execute(text("INSERT INTO t (n) VALUES (2)"))
            result["rows"] = conn.execute(text("SELECT count(*) FROM t")).scalar()

    waiter = threading.Thread(target=write_next)
    waiter.start()
    waiter.join(0.3)
    assert waiter.is_alive(), "the second writer must wait for its turn"
    holding.commit()
    holding.close()
    waiter.join(10)
    # With the busy handler off, SQLite alone would have answered "database is locked"
    assert result == {"rows": 2}


def test_without_the_queue_the_same_writer_fails(engine_for):
    """The test above proves the queue: the same order of events, queue off."""
    first = engine_for(write_queue=False)
    second = engine_for(write_queue=False, sqlite_waits=False)
    with first.connect() as holding:
        holding.begin()
        holding.execute(text("INSERT INTO t (n) VALUES (1)"))
        with second.connect() as conn:
            with pytest.raises(Exception, match="database is locked"):
                conn.begin()
        holding.rollback()


def test_the_wait_is_bounded_and_a_writer_that_gave_up_leaves_no_turn_behind(engine_for):
    first, impatient = engine_for(), engine_for(busy_timeout=0.2)
    later = engine_for(sqlite_waits=False)
    holding = first.connect()
    holding.begin()
    holding.execute(text("INSERT INTO t (n) VALUES (1)"))
    with impatient.connect() as conn, pytest.raises(Exception, match="database is locked"):
        conn.begin()
    holding.commit()
    holding.close()
    with later.connect() as conn:
        with conn.begin():
            conn.execute(text("INSERT INTO t (n) VALUES (2)"))
    with later.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2


def test_a_failed_transaction_gives_its_turn_back(engine_for):
    first, second = engine_for(), engine_for(sqlite_waits=False)
    with first.connect() as conn:
        with pytest.raises(IntegrityError), conn.begin():
            conn.execute(text("INSERT INTO t (n) VALUES (1)"))
            conn.execute(text("INSERT INTO t (n) VALUES (1)"))
        with second.connect() as other:
            with other.begin():
                other.execute(text("INSERT INTO t (n) VALUES (3)"))


def test_a_process_forked_during_a_write_does_not_keep_the_turn(engine_for):
    """The records worker forks layout processes; a copy of the turn's descriptor in a child
    must not keep other writers waiting once the parent's transaction ends."""
    first, second = engine_for(), engine_for(sqlite_waits=False)
    holding = first.connect()
    holding.begin()
    holding.execute(text("INSERT INTO t (n) VALUES (1)"))
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child only waits to be told to go
        os.close(write_end)
        os.read(read_end, 1)
        os._exit(0)
    try:
        holding.commit()
        holding.close()
        with second.connect() as conn:
            with conn.begin():
                conn.execute(text("INSERT INTO t (n) VALUES (2)"))
    finally:
        os.write(write_end, b"x")
        os.close(write_end)
        os.close(read_end)
        os.waitpid(child, 0)


def test_readers_do_not_queue(engine_for):
    first, reader = engine_for(), engine_for()
    with first.connect() as holding:
        holding.begin()
        holding.execute(text("INSERT INTO t (n) VALUES (1)"))
        set_write_intent(False)
        try:
            with reader.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 0
        finally:
            set_write_intent(True)
        holding.rollback()

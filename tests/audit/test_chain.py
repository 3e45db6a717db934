"""The hash chain: written with every change, verified, and tamper-evident."""

import threading

import pytest
from sqlalchemy import text

from meetingsec.audit.chain import event_hash
from meetingsec.audit.models import GENESIS_HASH, AuditEvent
from meetingsec.audit.services import record, verify_chain
from meetingsec.extensions import db
from tests.helpers import actions, drop_audit_triggers


def _events(n):
    for i in range(n):
        record("test.happened", object_type="thing", object_id=i, data={"i": i, "tên": "Đức"})
    db.session.commit()


def test_events_link_into_one_chain(app):
    _events(3)
    rows = db.session.execute(text("SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq"))
    rows = list(rows)
    assert [r.seq for r in rows] == [1, 2, 3]
    assert rows[0].prev_hash == GENESIS_HASH
    assert rows[1].prev_hash == rows[0].hash and rows[2].prev_hash == rows[1].hash
    result = verify_chain()
    assert result.ok and result.count == 3 and result.head_hash == rows[2].hash


def test_empty_chain_verifies(app):
    assert verify_chain().ok


def test_event_rolled_back_with_its_change_leaves_no_trace(app):
    _events(1)
    record("test.happened", data={"x": 1})
    db.session.rollback()
    assert actions() == ["test.happened"]
    _events(1)
    assert verify_chain().ok and verify_chain().count == 2


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 1",
    ],
)
def test_database_refuses_update_and_delete(app, statement):
    _events(2)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    assert verify_chain().count == 2


def test_edited_event_is_named(app, backend, runner):
    _events(5)
    drop_audit_triggers(backend)
    db.session.execute(
        text("UPDATE audit_events SET payload = :p WHERE seq = 3"), {"p": '{"i":99}'}
    )
    db.session.commit()
    result = verify_chain()
    assert (result.bad_seq, result.reason, result.count) == (3, "hash", 2)
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 1 and "event #3" in out.output


def test_deleted_event_is_named(app, backend, runner):
    _events(5)
    drop_audit_triggers(backend)
    db.session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    db.session.commit()
    result = verify_chain()
    assert (result.bad_seq, result.reason) == (2, "missing")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_deleted_and_renumbered_events_are_named(app, backend):
    _events(5)
    drop_audit_triggers(backend)
    db.session.execute(text("DELETE FROM audit_events WHERE seq = 2"))
    for seq in (3, 4, 5):
        db.session.execute(
            text("UPDATE audit_events SET seq = :n WHERE seq = :o"), {"n": seq - 1, "o": seq}
        )
    db.session.commit()
    result = verify_chain()
    assert (result.bad_seq, result.reason) == (2, "link")


def test_inserted_event_is_named(app, backend):
    """An event slipped in between 2 and 3: the later ones are renumbered to make room."""
    _events(4)
    drop_audit_triggers(backend)
    for seq in (4, 3):
        db.session.execute(
            text("UPDATE audit_events SET seq = :n WHERE seq = :o"), {"n": seq + 1, "o": seq}
        )
    prev = db.session.execute(text("SELECT hash FROM audit_events WHERE seq = 2")).scalar()
    db.session.execute(
        text(
            "INSERT INTO audit_events (seq, at, action, payload, prev_hash, hash) "
            "VALUES (3, (SELECT at FROM audit_events WHERE seq = 2), 'forged', '{}', :p, :h)"
        ),
        {"p": prev, "h": "f" * 64},
    )
    db.session.commit()
    result = verify_chain()
    assert (result.bad_seq, result.reason) == (3, "hash")


def test_inserted_event_with_forged_hash_breaks_the_next_link(app, backend):
    """Even a correctly hashed forgery is caught at the event after it."""
    _events(4)
    drop_audit_triggers(backend)
    second = db.session.get(AuditEvent, 2)
    at, prev = second.at, second.hash
    for seq in (4, 3):
        db.session.execute(
            text("UPDATE audit_events SET seq = :n WHERE seq = :o"), {"n": seq + 1, "o": seq}
        )
    db.session.execute(
        AuditEvent.__table__.insert().values(
            seq=3,
            at=at,
            action="forged",
            payload="{}",
            prev_hash=prev,
            hash=event_hash(3, at, None, "forged", None, None, "{}", prev),
        )
    )
    db.session.commit()
    result = verify_chain()
    assert (result.bad_seq, result.reason) == (4, "link")


def test_reordered_events_are_named(app, backend):
    _events(5)
    drop_audit_triggers(backend)
    db.session.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = 2"))
    db.session.execute(text("UPDATE audit_events SET seq = 2 WHERE seq = 4"))
    db.session.execute(text("UPDATE audit_events SET seq = 4 WHERE seq = -1"))
    db.session.commit()
    result = verify_chain()
    assert result.bad_seq == 2 and result.reason in ("link", "hash")


def test_cli_reports_ok(app, runner):
    _events(3)
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 0 and "OK: 3 events verified" in out.output


def test_concurrent_writers_never_fork_the_chain(app):
    """Many threads, each with its own connection and transaction, append at once."""
    writers, per_writer = 8, 15
    errors = []
    barrier = threading.Barrier(writers)

    def work(n):
        with app.app_context():
            try:
                barrier.wait()
                for i in range(per_writer):
                    record("test.concurrent", object_type="writer", object_id=n, data={"i": i})
                    db.session.commit()
            except Exception as e:  # pragma: no cover - reported below
                errors.append(repr(e))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    result = verify_chain()
    assert result.ok and result.count == writers * per_writer

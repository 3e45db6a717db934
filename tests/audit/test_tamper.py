"""Tamper evidence: whatever a person with raw database access does to the audit log,
``flask audit verify`` names the first bad event; signed checkpoints catch what the chain
alone cannot (a log cut short, or re-hashed from some event on)."""

import random
from datetime import timedelta

import pytest
from sqlalchemy import text

from meetingsec.audit import checkpoints
from meetingsec.audit.models import AuditCheckpoint, AuditEvent
from meetingsec.audit.services import record, verify_chain
from meetingsec.core.db import utcnow
from meetingsec.extensions import db
from tests.helpers import drop_audit_triggers, rehash

N = 30


def _chain(n=N):
    """``n`` events, the head checkpointed (as the worker does every minute)."""
    for i in range(n):
        record("test.happened", object_type="thing", object_id=i, data={"i": i, "tên": "Đức"})
    db.session.commit()
    assert checkpoints.checkpoint_head() is not None
    db.session.commit()


def _rows():
    return [dict(r) for r in db.session.execute(db.select(AuditEvent.__table__)).mappings()]


def _put_back(rows):
    db.session.execute(text("DELETE FROM audit_events"))
    db.session.execute(AuditEvent.__table__.insert(), rows)
    db.session.commit()


def _renumber(first, last, by):
    """Move events first..last by ``by`` (in an order that never collides)."""
    seqs = range(last, first - 1, -1) if by > 0 else range(first, last + 1)
    for seq in seqs:
        db.session.execute(
            text("UPDATE audit_events SET seq = :n WHERE seq = :o"), {"n": seq + by, "o": seq}
        )


def _edit(rng):
    k = rng.randint(1, N)
    column, value = rng.choice(
        [
            ("action", "auth.login"),
            ("payload", '{"i":-1}'),
            ("object_id", "999"),
            ("actor_id", None),
        ]
    )
    if column == "actor_id":  # events were written by the system: give one an actor instead
        column, value = "object_type", "user"
    db.session.execute(
        text(f"UPDATE audit_events SET {column} = :v WHERE seq = :k"), {"v": value, "k": k}
    )
    return k, ("hash",)


def _delete(rng):
    k = rng.randint(1, N)
    db.session.execute(text("DELETE FROM audit_events WHERE seq = :k"), {"k": k})
    # the last event deleted leaves a shorter chain, which only the checkpoint shows
    return k, ("missing", "truncated")


def _insert(rng, rows):
    """A replay: a copy of another event slipped in at position k."""
    k = rng.randint(1, N + 1)
    source = rng.choice([r for r in rows if r["seq"] != k])
    _renumber(k, N, +1)
    db.session.execute(AuditEvent.__table__.insert(), [{**source, "seq": k}])
    return k, ("link",)


def _reorder(rng):
    k, j = sorted(rng.sample(range(1, N + 1), 2))
    db.session.execute(text("UPDATE audit_events SET seq = -1 WHERE seq = :k"), {"k": k})
    db.session.execute(text("UPDATE audit_events SET seq = :k WHERE seq = :j"), {"k": k, "j": j})
    db.session.execute(text("UPDATE audit_events SET seq = :j WHERE seq = -1"), {"j": j})
    return k, ("link",)


def _truncate(rng):
    k = rng.randint(1, N)
    db.session.execute(text("DELETE FROM audit_events WHERE seq >= :k"), {"k": k})
    return k, ("truncated",)


def test_every_tampering_is_named_at_its_first_bad_event(app, backend, runner):
    _chain()
    drop_audit_triggers(backend)
    original = _rows()
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    kinds = {"edit": _edit, "delete": _delete, "reorder": _reorder, "truncate": _truncate}
    seen = set()
    for round_ in range(100):
        kind = rng.choice([*kinds, "insert"])
        seen.add(kind)
        if kind == "insert":
            bad, reasons = _insert(rng, original)
        else:
            bad, reasons = kinds[kind](rng)
        db.session.commit()
        result = verify_chain()
        where = f"seed {seed}, round {round_}: {kind} at #{bad}"
        assert (result.bad_seq, not result.ok) == (bad, True), (where, result)
        assert result.reason in reasons, (where, result)
        out = runner.invoke(args=["audit", "verify"])
        assert out.exit_code == 1 and f"BROKEN at event #{bad}:" in out.output, where
        _put_back(original)
    assert seen == {*kinds, "insert"}
    assert verify_chain().ok


def test_a_chain_re_hashed_from_some_event_on_is_caught_by_its_checkpoint(app, backend, runner):
    """Whoever knows the algorithm can re-hash every event after an edit: the chain then
    links, but the signed checkpoint no longer matches, and nobody can re-sign it."""
    _chain()
    drop_audit_triggers(backend)
    rows = {r["seq"]: r for r in _rows()}
    rows[12]["payload"] = '{"i":-1}'
    rehash(rows, 12)
    _put_back(list(rows.values()))
    result = verify_chain()
    # the last good checkpoint is event #1's: events #2…#30 are under suspicion
    assert (result.bad_seq, result.reason, result.through_seq) == (2, "rewritten", N)
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 1 and "BROKEN at event #2" in out.output
    assert f"checkpoint at event #{N} no longer matches" in out.output


def test_the_head_is_checkpointed_at_least_every_minute_while_events_are_written(app):
    t0 = utcnow()
    for offset in (0, 30, 59, 61, 100, 130, 200):
        record("test.happened", now=t0 + timedelta(seconds=offset))
        db.session.commit()
    marks = db.session.scalars(db.select(AuditCheckpoint.seq).order_by(AuditCheckpoint.seq))
    # events 1 (t0), 4 (t0+61 s), 6 (t0+130 s) and 7 (t0+200 s) opened a new minute
    assert list(marks) == [1, 4, 6, 7]
    assert verify_chain().ok


def test_the_worker_signs_the_head_when_it_moved(app, runner):
    record("test.happened")
    record("test.happened")
    db.session.commit()
    task = app.extensions["huey_tasks"]["checkpoint_audit"]
    task.call_local()
    assert checkpoints.latest().seq == 2
    db.session.commit()
    record("test.happened")  # within the minute: no checkpoint with the event itself
    db.session.commit()
    result = verify_chain()
    assert result.ok and (result.checkpoint_seq, result.uncovered) == (2, 1)
    assert (
        "1 event(s) written after the last checkpoint"
        in runner.invoke(args=["audit", "verify"]).output
    )
    db.session.commit()  # the task's own session needs SQLite's write lock
    task.call_local()
    task.call_local()  # nothing moved: no second checkpoint of the same head
    marks = db.session.scalars(db.select(AuditCheckpoint.seq).order_by(AuditCheckpoint.seq))
    assert list(marks) == [1, 2, 3]  # the first event's own, then the worker's
    assert verify_chain().uncovered == 0


def test_a_forged_checkpoint_is_named(app, runner):
    """A checkpoint slipped into the table without the key does not verify."""
    _chain(3)
    kid = checkpoints.key_id(checkpoints.signing_key().public_key())
    last = checkpoints.latest()
    row = {
        "seq": 4,
        "hash": "e" * 64,
        "at": utcnow(),
        "number": last.number + 1,
        "prev": checkpoints.link(last.signature),
        "format": 2,
        "key_id": kid,
        "signature": "00" * 64,
    }
    db.session.execute(AuditCheckpoint.__table__.insert(), [row])
    db.session.commit()
    result = verify_chain()
    assert not result.ok and result.forged_checkpoint == 4
    out = runner.invoke(args=["audit", "verify"])
    assert out.exit_code == 1 and "FORGED checkpoint at event #4" in out.output


def test_checkpoints_are_append_only(app):
    _chain(2)
    with pytest.raises(Exception, match="append-only"):
        db.session.execute(text("DELETE FROM audit_checkpoints"))
        db.session.flush()
    db.session.rollback()


def test_the_key_lives_in_the_instance_folder_and_its_loss_is_reported(app, runner):
    _chain(2)
    path = checkpoints.key_path()
    assert str(path.parent) == app.instance_path
    assert path.stat().st_mode & 0o777 == 0o600
    path.unlink()
    result = verify_chain()
    assert result.key_missing and result.ok
    assert "NOT checked: no signing key" in runner.invoke(args=["audit", "verify"]).output


def test_the_verify_page_shows_the_checkpoint(client, make_user, login):
    from meetingsec.users.roles import Role

    login(make_user(roles={Role.AUDITOR}))
    _chain(3)
    head = verify_chain().head_seq
    page = client.get("/audit/verify").get_data(as_text=True)
    assert f"Điểm kiểm tra ký số gần nhất: sự kiện số {head}," in page

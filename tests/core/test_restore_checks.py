"""``flask restore`` checks a backup before it replaces anything: a backup whose audit log was
rewritten and re-signed with a new key (put into the backup with a recomputed manifest) is
refused unless an administrator names that key; a backup whose chain is broken is refused;
a refused restore changes nothing, and this installation's key is never replaced silently."""

import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import select, text

from meetingsec.audit import checkpoints
from meetingsec.audit.models import AuditCheckpoint, AuditEvent
from meetingsec.audit.services import chain_head, record, verify_chain
from meetingsec.extensions import db
from tests.helpers import drop_audit_triggers, rewrite_event


def _events(n=12):
    for i in range(n):
        record("test.happened", object_id=i, data={"i": i})
        db.session.commit()
    checkpoints.checkpoint_head()
    db.session.commit()


def _rows():
    return {r["seq"]: dict(r) for r in db.session.execute(select(AuditEvent.__table__)).mappings()}


def _put_back(rows):
    db.session.execute(text("DELETE FROM audit_events"))
    db.session.execute(AuditEvent.__table__.insert(), list(rows.values()))
    db.session.commit()


def _state():
    """What a refused restore must leave as it was: the database's chain and the key."""
    db.session.remove()
    return chain_head(), checkpoints.key_path().read_bytes()


def _forge_with_a_new_key(backend):
    """Rewrite the log, sign it with a key of one's own and leave that key where a backup
    takes it from. Returns the new key's fingerprint."""
    drop_audit_triggers(backend)
    rewrite_event(3, payload='{"i":-1}')
    seqs = list(db.session.scalars(select(AuditCheckpoint.seq).order_by(AuditCheckpoint.number)))
    db.session.execute(text("DELETE FROM audit_checkpoints"))
    forged = Ed25519PrivateKey.generate()
    checkpoints.key_path().write_bytes(
        forged.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    )
    hashes = {seq: r["hash"] for seq, r in _rows().items()}
    for seq in seqs:
        checkpoints._write(seq, hashes[seq])
    db.session.commit()
    return checkpoints.fingerprint(checkpoints.key_id(forged.public_key()))


def test_a_backup_re_signed_with_another_key_is_refused_and_changes_nothing(
    app, backend, runner, tmp_path
):
    _events()
    real_key = checkpoints.key_path().read_bytes()
    app.config["AUDIT_PUBLIC_KEY"] = checkpoints.public_key_text(
        checkpoints.signing_key().public_key()
    )
    fingerprint = _forge_with_a_new_key(backend)
    out = runner.invoke(args=["backup", "--to", str(tmp_path / "forged")])
    assert out.exit_code == 0, out.output
    # the installation as it is, with its real key: the forged backup must not touch it
    checkpoints.key_path().write_bytes(real_key)
    before = _state()
    out = runner.invoke(args=["restore", "--yes", str(tmp_path / "forged")])
    assert out.exit_code == 1
    assert f"signed with key {fingerprint}" in out.output and "--accept-key" in out.output
    assert _state() == before
    keys = sorted(p.name for p in checkpoints.key_path().parent.glob("audit-signing.key*"))
    assert keys == ["audit-signing.key"]


def test_naming_the_new_key_restores_keeps_the_old_key_and_audits_it(
    app, backend, runner, tmp_path
):
    _events()
    real_key = checkpoints.key_path().read_bytes()
    old_fingerprint = checkpoints.trust().fingerprint
    fingerprint = _forge_with_a_new_key(backend)
    assert runner.invoke(args=["backup", "--to", str(tmp_path / "b")]).exit_code == 0
    checkpoints.key_path().write_bytes(real_key)
    out = runner.invoke(
        args=[
            "restore",
            "--yes",
            "--accept-key",
            "0000 1111 2222 3333 4444 5555 6666 7777",
            str(tmp_path / "b"),
        ]
    )
    assert out.exit_code == 1 and _state()[1] == real_key
    out = runner.invoke(
        args=["restore", "--yes", "--accept-key", fingerprint.lower(), str(tmp_path / "b")]
    )
    assert out.exit_code == 0, out.output
    kept = [p for p in checkpoints.key_path().parent.glob("audit-signing.key.replaced-*")]
    assert len(kept) == 1 and kept[0].read_bytes() == real_key
    db.session.remove()
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.payload).order_by(AuditEvent.seq.desc()).limit(2)
    ).all()
    assert [a for a, _ in events] == ["backup.restored", "backup.key_replaced"]
    replaced = json.loads(events[1].payload)
    assert (replaced["old_fingerprint"], replaced["new_fingerprint"]) == (
        old_fingerprint,
        fingerprint,
    )
    assert verify_chain().ok


def test_a_backup_whose_chain_is_broken_is_refused_before_anything_is_replaced(
    app, backend, runner, tmp_path
):
    _events()
    drop_audit_triggers(backend)
    db.session.execute(text("UPDATE audit_events SET payload = '{}' WHERE seq = 4"))
    db.session.commit()
    assert runner.invoke(args=["backup", "--to", str(tmp_path / "broken")]).exit_code == 0
    # the installation is mended (say, restored from an older good backup) meanwhile
    rows = _rows()
    rows[4]["payload"] = '{"i":3}'
    _put_back(rows)
    before = _state()
    out = runner.invoke(args=["restore", "--yes", str(tmp_path / "broken")])
    assert out.exit_code == 1
    assert "audit chain is broken at event #4" in out.output and "Nothing was changed" in out.output
    assert _state() == before


def test_a_genuine_backup_restores_over_the_same_installation(app, runner, tmp_path):
    _events()
    app.config["AUDIT_PUBLIC_KEY"] = checkpoints.public_key_text(
        checkpoints.signing_key().public_key()
    )
    assert runner.invoke(args=["backup", "--to", str(tmp_path / "b")]).exit_code == 0
    record("test.after_the_backup")
    db.session.commit()
    out = runner.invoke(args=["restore", "--yes", str(tmp_path / "b")])
    assert out.exit_code == 0, out.output
    assert "Audit chain verified" in out.output
    db.session.remove()
    assert db.session.scalar(
        select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1)
    ) == ("backup.restored")
    assert not list(checkpoints.key_path().parent.glob("audit-signing.key.replaced-*"))

"""Trust from outside the machine: a pinned public key and anchors (the head printed on a
paper record, or an exported checkpoint) catch what someone holding the database file, and
even the signing key, can do to the log: cut it short, rewrite it and re-sign it, delete
checkpoints, or drop the newest events no checkpoint covers yet."""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from sqlalchemy import text

from meetingsec.audit import checkpoints
from meetingsec.audit.models import AuditCheckpoint, AuditEvent
from meetingsec.audit.services import chain_head, record, verify_chain
from meetingsec.extensions import db
from meetingsec.users.roles import Role
from tests.helpers import drop_audit_triggers, rewrite_event

N = 40


def _chain(n=N):
    """``n`` events, the head signed every fifth event (as the worker does every minute)
    and at the end."""
    for i in range(n):
        record("test.happened", object_id=i, data={"i": i})
        db.session.commit()
        if i % 5 == 4:
            checkpoints.checkpoint_head()
            db.session.commit()
    checkpoints.checkpoint_head()
    db.session.commit()


def _pin(app):
    """The deployment's settings pin the key the server signs with."""
    public = checkpoints.signing_key().public_key()
    app.config["AUDIT_PUBLIC_KEY"] = checkpoints.public_key_text(public)
    return checkpoints.fingerprint(checkpoints.key_id(public))


def _paper():
    """What a record printed on paper carries in its QR: the head at that moment."""
    seq, hash_ = chain_head()
    return f"meetingsec-audit:{seq}:{hash_}"


def _exported(runner, tmp_path):
    out = runner.invoke(args=["audit", "export-head", "--to", str(tmp_path / "head.json")])
    assert out.exit_code == 0, out.output
    return tmp_path / "head.json"


def _events():
    return {
        r["seq"]: dict(r) for r in db.session.execute(db.select(AuditEvent.__table__)).mappings()
    }


def _checkpoint_seqs():
    return list(db.session.scalars(db.select(AuditCheckpoint.seq).order_by(AuditCheckpoint.number)))


def _delete_checkpoints(where: str, **params):
    db.session.execute(text(f"DELETE FROM audit_checkpoints WHERE {where}"), params)
    db.session.commit()


def _re_sign_all():
    """What the holder of the signing key does after rewriting: delete every checkpoint and
    sign the rewritten chain again, numbered and linked like the real ones."""
    seqs = _checkpoint_seqs()
    _delete_checkpoints("1 = 1")
    hashes = {r["seq"]: r["hash"] for r in _events().values()}
    for seq in seqs:
        checkpoints._write(seq, hashes[seq])
    db.session.commit()


def _verify(runner, *anchors):
    args = ["audit", "verify"]
    for a in anchors:
        args += ["--anchor", str(a)]
    return runner.invoke(args=args)


def test_cutting_the_newest_events_with_their_checkpoints_is_caught_by_a_paper_anchor(
    app, backend, runner
):
    _chain()
    _pin(app)
    paper = _paper()
    drop_audit_triggers(backend)
    cut = 25
    db.session.execute(text("DELETE FROM audit_events WHERE seq > :k"), {"k": cut})
    _delete_checkpoints("seq > :k", k=cut)
    # The database alone is consistent again: only what was kept off the machine shows it.
    assert verify_chain().ok
    result = verify_chain(anchors=[checkpoints.parse_anchor(paper)])
    assert not result.ok
    (check,) = result.anchors
    assert (check.status, check.seq, check.head_seq) == ("shorter", N, cut)
    out = _verify(runner, paper)
    assert out.exit_code == 1
    assert f"TAMPERED: anchor at event #{N}: the log ends at event #{cut}" in out.output


def test_an_edit_re_hashed_onwards_with_the_later_checkpoints_deleted_is_caught(
    app, backend, runner, tmp_path
):
    _chain()
    _pin(app)
    exported = _exported(runner, tmp_path)
    drop_audit_triggers(backend)
    rewrite_event(30, payload='{"i":-1}')
    _delete_checkpoints("seq >= 30")
    assert verify_chain().ok  # every remaining checkpoint still matches
    out = _verify(runner, exported)
    assert out.exit_code == 1
    head = json.loads(exported.read_text())["seq"]
    assert f"TAMPERED: anchor at event #{head}: the log no longer holds event #{head}" in out.output


def test_a_rewrite_from_event_2_with_every_checkpoint_deleted_is_caught(app, backend, runner):
    _chain()
    _pin(app)
    paper = _paper()
    drop_audit_triggers(backend)
    rewrite_event(2, action="auth.login")
    _delete_checkpoints("1 = 1")
    result = verify_chain()
    # the first event is always checkpointed with it: a log with none lost them
    assert not result.ok and result.missing_checkpoint == 1
    out = _verify(runner, paper)
    assert out.exit_code == 1
    assert "MISSING checkpoint no. 1" in out.output
    assert f"the log no longer holds event #{N}" in out.output


def test_checkpoints_re_signed_with_a_new_key_fail_against_the_pinned_key(app, backend, runner):
    _chain()
    fingerprint = _pin(app)
    drop_audit_triggers(backend)
    rewrite_event(10, payload='{"i":-1}')
    # the attacker puts a key of their own where the app reads it, and signs everything
    checkpoints.key_path().write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    _re_sign_all()
    result = verify_chain()
    assert not result.ok
    assert result.forged_checkpoint == _checkpoint_seqs()[0] and result.signer_mismatch
    out = _verify(runner)
    assert out.exit_code == 1 and "FORGED checkpoint" in out.output
    assert f"Signing key {fingerprint} (pinned in the settings)" in out.output
    assert "NOT the pinned key" in out.output


def test_checkpoints_re_signed_with_the_real_key_are_caught_by_an_anchor(
    app, backend, runner, tmp_path
):
    """Whoever holds the database file and instance/audit-signing.key can rewrite the log
    and sign it again: nothing on the machine shows it, the paper does."""
    _chain()
    _pin(app)
    paper = _paper()
    exported = _exported(runner, tmp_path)
    drop_audit_triggers(backend)
    rewrite_event(5, object_id="999")
    _re_sign_all()
    assert verify_chain().ok
    out = _verify(runner, paper, exported)
    assert out.exit_code == 1
    assert out.output.count("TAMPERED") == 2


def test_deleting_checkpoints_in_the_middle_is_caught(app, backend, runner):
    _chain()
    _pin(app)
    seqs = _checkpoint_seqs()
    assert len(seqs) >= 5
    drop_audit_triggers(backend)
    _delete_checkpoints("seq = :s", s=seqs[2])
    result = verify_chain()
    assert not result.ok and result.missing_checkpoint == 3
    out = _verify(runner)
    assert out.exit_code == 1 and "MISSING checkpoint no. 3" in out.output


def test_newest_events_no_checkpoint_covers_yet_are_caught_by_a_later_record(app, backend, runner):
    _chain()
    _pin(app)
    for i in range(3):  # within the minute: covered by the hash chain only
        record("test.happened", data={"late": i})
        db.session.commit()
    assert verify_chain().uncovered == 3
    paper = _paper()  # a record printed now carries the head
    drop_audit_triggers(backend)
    db.session.execute(text("DELETE FROM audit_events WHERE seq > :k"), {"k": N})
    db.session.commit()
    assert verify_chain().ok
    out = _verify(runner, paper)
    assert out.exit_code == 1 and f"events #{N + 1} to #{N + 3} are missing" in out.output


def test_an_intact_log_agrees_with_its_anchors(app, runner, tmp_path):
    _chain()
    fingerprint = _pin(app)
    paper = _paper()
    exported = _exported(runner, tmp_path)
    record("test.happened")
    db.session.commit()
    out = _verify(runner, paper, exported)
    assert out.exit_code == 0, out.output
    assert out.output.count("in the log with the same hash") == 2
    data = json.loads(exported.read_text())
    assert data["fingerprint"] == fingerprint and data["number"] == len(_checkpoint_seqs())


def test_an_exported_checkpoint_changed_by_hand_proves_nothing(app, runner, tmp_path):
    _chain()
    _pin(app)
    exported = _exported(runner, tmp_path)
    data = json.loads(exported.read_text())
    data["seq"] -= 1
    exported.write_text(json.dumps(data))
    out = _verify(runner, exported)
    assert out.exit_code == 1 and "not signed by the trusted key" in out.output


def test_an_unpinned_key_is_said_plainly(app, runner):
    _chain(3)
    out = _verify(runner)
    assert out.exit_code == 0
    assert "NOT pinned" in out.output and "flask audit public-key" in out.output
    out = runner.invoke(args=["audit", "public-key"])
    line = out.output.splitlines()[0]
    assert line.startswith("MEETINGSEC_AUDIT_PUBLIC_KEY=")
    app.config["AUDIT_PUBLIC_KEY"] = line.split("=", 1)[1]
    assert "(pinned in the settings)" in _verify(runner).output
    app.config["AUDIT_PUBLIC_KEY"] = "not a key"
    result = verify_chain()
    assert not result.ok and result.key_unreadable


def test_a_bad_anchor_is_refused_with_a_clear_message(app, runner):
    _chain(3)
    out = _verify(runner, "meetingsec-audit:12:nothex")
    assert out.exit_code == 2 and "export-head" in out.output


# -- the auditor's page ---------------------------------------------------------------------


def _page(client, code=None):
    return client.get("/audit/verify", query_string={"code": code} if code else None)


def test_the_page_shows_the_pinned_fingerprint(app, client, make_user, login):
    login(make_user(roles={Role.AUDITOR}))
    _chain(3)
    fingerprint = _pin(app)
    page = _page(client).get_data(as_text=True)
    assert f"data-fingerprint>{fingerprint}</code>" in page


def test_the_page_reports_a_log_cut_short_against_a_scanned_record(
    app, backend, client, make_user, login
):
    auditor = make_user(roles={Role.AUDITOR})
    _chain()
    _pin(app)
    paper = _paper()
    login(auditor)
    resp = _page(client, paper)
    assert resp.status_code == 200 and 'data-anchor-status="ok"' in resp.get_data(as_text=True)
    drop_audit_triggers(backend)
    db.session.execute(text("DELETE FROM audit_events WHERE seq > 20"))
    _delete_checkpoints("seq > 20")
    page = _page(client, paper).get_data(as_text=True)
    assert 'data-anchor-status="shorter"' in page and 'role="alert"' in page


def test_the_page_reports_a_re_signed_rewrite_against_a_pasted_export(
    app, backend, client, runner, make_user, login, tmp_path
):
    auditor = make_user(roles={Role.AUDITOR})
    _chain()
    _pin(app)
    exported = _exported(runner, tmp_path).read_text()
    drop_audit_triggers(backend)
    rewrite_event(3, payload='{"i":-1}')
    _re_sign_all()
    login(auditor)
    page = _page(client, exported).get_data(as_text=True)
    assert 'data-anchor-status="rewritten"' in page


def test_the_page_refuses_text_that_is_no_anchor(app, client, make_user, login):
    login(make_user(roles={Role.AUDITOR}))
    _chain(3)
    resp = _page(client, "hello")
    assert resp.status_code == 422 and 'aria-invalid="true"' in resp.get_data(as_text=True)


def _cut_with_checkpoints(backend):
    drop_audit_triggers(backend)
    db.session.execute(text("DELETE FROM audit_events WHERE seq > 25"))
    _delete_checkpoints("seq > 25")


def _rehash_and_drop_later_checkpoints(backend):
    drop_audit_triggers(backend)
    rewrite_event(30, payload='{"i":-1}')
    _delete_checkpoints("seq >= 30")


def _rewrite_from_2_and_drop_every_checkpoint(backend):
    drop_audit_triggers(backend)
    rewrite_event(2, action="auth.login")
    _delete_checkpoints("1 = 1")


def _re_sign_with_a_new_key(backend):
    drop_audit_triggers(backend)
    rewrite_event(10, payload='{"i":-1}')
    checkpoints.key_path().write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    _re_sign_all()


def _re_sign_with_the_real_key(backend):
    drop_audit_triggers(backend)
    rewrite_event(5, object_id="999")
    _re_sign_all()


def _drop_a_checkpoint_in_the_middle(backend):
    drop_audit_triggers(backend)
    _delete_checkpoints("number = 3")


def _drop_the_newest_uncovered_events(backend):
    drop_audit_triggers(backend)
    covered = max(_checkpoint_seqs())
    db.session.execute(text("DELETE FROM audit_events WHERE seq > :k"), {"k": covered})
    db.session.commit()


#: Each tampering the pen-test tried, and what the auditor's page shows of it when given the
#: head printed on a record made before it
ON_THE_PAGE = {
    "cut with its checkpoints": (_cut_with_checkpoints, ['data-anchor-status="shorter"']),
    "re-hashed, later checkpoints dropped": (
        _rehash_and_drop_later_checkpoints,
        ['data-anchor-status="rewritten"'],
    ),
    "rewritten from event 2, every checkpoint dropped": (
        _rewrite_from_2_and_drop_every_checkpoint,
        ['data-problem="missing-checkpoint"', 'data-anchor-status="rewritten"'],
    ),
    "re-signed with a new key": (
        _re_sign_with_a_new_key,
        ['data-problem="forged-checkpoint"', 'data-problem="signer-mismatch"'],
    ),
    "re-signed with the real key": (_re_sign_with_the_real_key, ['data-anchor-status="rewritten"']),
    "a checkpoint dropped": (
        _drop_a_checkpoint_in_the_middle,
        ['data-problem="missing-checkpoint"'],
    ),
    "newest uncovered events dropped": (
        _drop_the_newest_uncovered_events,
        ['data-anchor-status="shorter"'],
    ),
}


@pytest.mark.parametrize("tampering", ON_THE_PAGE)
def test_the_page_reports_each_tampering(app, backend, client, make_user, login, tampering):
    tamper, shown = ON_THE_PAGE[tampering]
    auditor = make_user(roles={Role.AUDITOR})
    _chain()
    _pin(app)
    for i in range(3):  # the newest events, after the last checkpoint
        record("test.happened", data={"late": i})
        db.session.commit()
    paper = _paper()
    login(auditor)
    assert 'data-anchor-status="ok"' in _page(client, paper).get_data(as_text=True)
    tamper(backend)
    page = _page(client, paper).get_data(as_text=True)
    assert 'role="alert"' in page and "Chuỗi nguyên vẹn" not in page
    for marker in shown:
        assert marker in page, (tampering, marker)

"""The hash chain: canonical encoding of an event and verification of the whole chain.

Pure functions over plain values, shared by the writer (``services.record``) and the
verifier, so both always hash the same bytes.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from meetingsec.audit.models import GENESIS_HASH


def canonical_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def format_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    seq: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    object_type: str | None,
    object_id: str | None,
    payload: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical encoding of every field but the hash itself."""
    fields = [seq, format_time(at), actor_id, action, object_type, object_id, payload, prev_hash]
    return hashlib.sha256(canonical_json(fields).encode()).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    count: int
    head_seq: int
    head_hash: str
    #: The first event that does not verify, or None when the chain is intact
    bad_seq: int | None = None
    #: ``missing`` (deleted), ``link`` (prev_hash does not match), ``hash`` (edited),
    #: ``truncated`` (the chain ends before a signed checkpoint), ``rewritten`` (events
    #: re-hashed: a signed checkpoint no longer matches; ``bad_seq``…``through_seq``)
    reason: str | None = None
    through_seq: int | None = None
    #: Signed checkpoints: how many verified, the latest one, events written after it
    checkpoints: int = 0
    checkpoint_seq: int | None = None
    checkpoint_at: datetime | None = None
    uncovered: int = 0
    #: No key to check the checkpoints against (none pinned, none in instance/)
    key_missing: bool = False
    #: A checkpoint whose signature does not verify (forged, or signed by another key)
    forged_checkpoint: int | None = None
    #: The first checkpoint number missing (checkpoints deleted)
    missing_checkpoint: int | None = None
    #: The key checked against: pinned in the settings, and its fingerprint
    key_pinned: bool = False
    key_fingerprint: str | None = None
    #: The pinned key in the settings is unreadable
    key_unreadable: bool = False
    #: This server signs with a key that is not the pinned one
    signer_mismatch: bool = False
    #: Anchors given from outside the machine (paper records, exported checkpoints), checked
    anchors: tuple = ()

    @property
    def ok(self) -> bool:
        return (
            self.bad_seq is None
            and self.forged_checkpoint is None
            and self.missing_checkpoint is None
            and not self.key_unreadable
            and not self.signer_mismatch
            and all(a.ok for a in self.anchors)
        )


def verify_rows(rows: Iterable[tuple], checkpoints: dict[int, str] | None = None) -> VerifyResult:
    """Walk rows ``(seq, at, actor_id, action, object_type, object_id, payload, prev_hash,
    hash)`` in ``seq`` order and return the first one that breaks the chain.

    ``checkpoints`` (``{seq: hash}``, signatures already checked) catch what the chain alone
    cannot: a chain cut short at its end, or re-hashed from some event on.
    """
    checkpoints = checkpoints or {}
    expected_seq = 1
    prev = GENESIS_HASH
    count = 0
    last_matching = 0
    for row in rows:
        seq, at, actor_id, action, object_type, object_id, payload, prev_hash, stored = row
        if seq != expected_seq:
            # A gap: the event expected here was deleted (or the sequence re-numbered).
            return VerifyResult(
                count, expected_seq - 1, prev, bad_seq=expected_seq, reason="missing"
            )
        if prev_hash != prev:
            return VerifyResult(count, seq - 1, prev, bad_seq=seq, reason="link")
        computed = event_hash(seq, at, actor_id, action, object_type, object_id, payload, prev_hash)
        if computed != stored:
            return VerifyResult(count, seq - 1, prev, bad_seq=seq, reason="hash")
        if seq in checkpoints:
            if checkpoints[seq] != stored:
                return VerifyResult(
                    last_matching,
                    last_matching,
                    "",
                    bad_seq=last_matching + 1,
                    reason="rewritten",
                    through_seq=seq,
                )
            last_matching = seq
        prev = stored
        count += 1
        expected_seq += 1
    head = expected_seq - 1
    beyond = [s for s in checkpoints if s > head]
    if beyond:
        return VerifyResult(
            count, head, prev, bad_seq=head + 1, reason="truncated", through_seq=max(beyond)
        )
    return VerifyResult(count, head, prev)

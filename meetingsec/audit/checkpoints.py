"""Signed checkpoints of the audit chain, the key they are checked against, and anchors.

The hash chain shows an edit, a deletion, an insertion or a reordering, but not a chain
cut short at its end, nor one rewritten from some event on by a person who recomputes the
hashes. A checkpoint closes part of that gap: the head (sequence and hash) signed with the
installation's Ed25519 key, which lives in ``instance/`` (``AUDIT_SIGNING_KEY_FILE``) and
never in the database. Checkpoints are numbered and each names the one before it, so
deleting some of them is itself detected.

Trust does not come from the machine itself: the key's public half is **pinned** in the
deployment's settings (``AUDIT_PUBLIC_KEY``, in a root-owned file the app cannot write),
and checkpoints signed by any other key fail. Whoever holds the database *and* the private
key can still rewrite the log consistently; only an **anchor** kept off the machine catches
that: the head printed on a paper record (and in its QR), or a checkpoint exported with
``flask audit export-head``. ``check_anchor`` compares the log with one.

A checkpoint is written with the first event after ``AUDIT_CHECKPOINT_SECONDS`` have passed
since the last one (in that event's transaction), and by the worker every minute when the
head has moved. Events after the last checkpoint are reported as not yet covered.
"""

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app
from sqlalchemy import select

from meetingsec.audit.chain import canonical_json, format_time
from meetingsec.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent
from meetingsec.core.db import utcnow
from meetingsec.extensions import db

#: Per process and database: the time before which no checkpoint is due (saves a query per
#: event; another process's newer checkpoint only makes this one look again sooner)
_next_due: dict[str, float] = {}

#: What an exported checkpoint says it is
ANCHOR_KIND = "meetingsec-audit-checkpoint"
#: The text of a paper record's QR: ``meetingsec-audit:<seq>:<hash>``
PAPER_PREFIX = "meetingsec-audit"
_PAPER = re.compile(r"^(?:meetingsec-audit:)?\s*(\d{1,12})\s*[:\s]\s*([0-9a-f]{64})$", re.I)


# -- keys -------------------------------------------------------------------------------------


def key_path() -> Path:
    configured = current_app.config.get("AUDIT_SIGNING_KEY_FILE")
    return Path(configured or Path(current_app.instance_path) / "audit-signing.key")


def _make_key(path: Path) -> None:
    """Write a new key without ever replacing one (two processes may race here)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    try:
        os.link(tmp, path)  # fails if another process made it first: theirs wins
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def load_private_key(path: Path) -> Ed25519PrivateKey:
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def signing_key(create: bool = True) -> Ed25519PrivateKey | None:
    path = key_path()
    if not path.exists():
        if not create:
            return None
        _make_key(path)
    return load_private_key(path)


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(public)).hexdigest()


def public_key_text(public: Ed25519PublicKey) -> str:
    """The public key as it is written into the settings file (base64 of the raw 32 bytes)."""
    return base64.b64encode(raw_public(public)).decode()


def fingerprint(kid: str) -> str:
    """What people compare (on the verify page, on every record, in the settings): the
    first 128 bits of the key id, in groups of four."""
    head = kid[:32].upper()
    return " ".join(head[i : i + 4] for i in range(0, len(head), 4))


class PinnedKeyError(ValueError):
    """The pinned key in the settings cannot be read."""


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A public key as the settings hold it: base64 or hex of the raw 32 bytes, or PEM."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("not an Ed25519 key")
            return key
        raw = bytes.fromhex(text) if re.fullmatch(r"[0-9a-fA-F]{64}", text) else None
        if raw is None:
            raw = base64.b64decode(text, validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error) as exc:
        raise PinnedKeyError(str(exc)) from exc


@dataclass(frozen=True)
class Trust:
    """The key checkpoints are checked against, and where it came from."""

    public: Ed25519PublicKey | None
    #: From the deployment's settings (AUDIT_PUBLIC_KEY), not from the instance folder
    pinned: bool
    #: The pinned key in the settings is not a readable Ed25519 public key
    unreadable: bool = False
    #: The key this server signs with is not the pinned one
    signer_mismatch: bool = False

    @property
    def key_id(self) -> str | None:
        return key_id(self.public) if self.public is not None else None

    @property
    def fingerprint(self) -> str | None:
        return fingerprint(self.key_id) if self.public is not None else None


def trust() -> Trust:
    """The pinned public key when the settings hold one; otherwise (a development machine)
    the public half of the key in the instance folder, which whoever holds the server can
    replace."""
    pinned = current_app.config.get("AUDIT_PUBLIC_KEY")
    private = signing_key(create=False)
    if pinned:
        try:
            public = parse_public_key(pinned)
        except PinnedKeyError:
            return Trust(None, pinned=True, unreadable=True)
        mismatch = private is not None and key_id(private.public_key()) != key_id(public)
        return Trust(public, pinned=True, signer_mismatch=mismatch)
    return Trust(private.public_key() if private else None, pinned=False)


def printed_key() -> str | None:
    """The fingerprint every record prints: of the pinned key, else of the signing key."""
    return trust().fingerprint


# -- writing ----------------------------------------------------------------------------------


def link(signature: str) -> str:
    """What the next checkpoint's ``prev`` holds: the SHA-256 of this one's signature."""
    return hashlib.sha256(signature.encode()).hexdigest()


def checkpoint_message(number: int, seq: int, hash_: str, at: datetime, prev: str) -> bytes:
    return canonical_json([f"{ANCHOR_KIND}/2", number, seq, hash_, format_time(at), prev]).encode()


def _legacy_message(seq: int, hash_: str, at: datetime) -> bytes:
    """What format-1 checkpoints (written before numbering) signed."""
    return canonical_json([ANCHOR_KIND, seq, hash_, format_time(at)]).encode()


def _message(row) -> bytes:
    if row.format == 1:
        return _legacy_message(row.seq, row.hash, row.at)
    return checkpoint_message(row.number, row.seq, row.hash, row.at, row.prev)


def _write(seq: int, hash_: str) -> AuditCheckpoint:
    key = signing_key()
    last = latest()
    number, prev = (last.number + 1, link(last.signature)) if last else (1, GENESIS_HASH)
    at = utcnow()
    checkpoint = AuditCheckpoint(
        seq=seq,
        hash=hash_,
        at=at,
        number=number,
        prev=prev,
        format=2,
        key_id=key_id(key.public_key()),
        signature=key.sign(checkpoint_message(number, seq, hash_, at, prev)).hex(),
    )
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint


def latest() -> AuditCheckpoint | None:
    return db.session.scalar(
        select(AuditCheckpoint).order_by(AuditCheckpoint.number.desc()).limit(1)
    )


def latest_printed() -> dict | None:
    """What a record prints of the latest checkpoint: plain values, for a template."""
    last = latest()
    if last is None:
        return None
    return {
        "number": last.number,
        "seq": last.seq,
        "at": last.at,
        "signature": last.signature[:32],
    }


def after_event(event: AuditEvent) -> None:
    """Called by ``audit.services.record`` under the chain lock, in the event's transaction:
    checkpoint this event when the last checkpoint is older than the interval."""
    interval = current_app.config["AUDIT_CHECKPOINT_SECONDS"]
    where = current_app.config["SQLALCHEMY_DATABASE_URI"]
    if event.at.timestamp() < _next_due.get(where, 0):
        return
    last = latest()
    if last is not None and event.at - last.at < timedelta(seconds=interval):
        _next_due[where] = last.at.timestamp() + interval
        return
    _write(event.seq, event.hash)
    _next_due[where] = event.at.timestamp() + interval


def checkpoint_head() -> AuditCheckpoint | None:
    """Checkpoint the chain's head if it moved since the last checkpoint (the worker calls
    this every minute). The caller commits."""
    from meetingsec.audit.services import chain_head, lock_chain

    lock_chain()
    seq, hash_ = chain_head()
    last = latest()
    if seq == 0 or (last is not None and last.seq >= seq):
        return None
    return _write(seq, hash_)


def export(checkpoint: AuditCheckpoint) -> dict:
    """A checkpoint as a small signed file the agency keeps off the machine."""
    return {
        "kind": ANCHOR_KIND,
        "format": checkpoint.format,
        "number": checkpoint.number,
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "at": format_time(checkpoint.at),
        "prev": checkpoint.prev,
        "key_id": checkpoint.key_id,
        "fingerprint": fingerprint(checkpoint.key_id),
        "signature": checkpoint.signature,
    }


# -- checking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointReport:
    #: Checkpoints whose signature verified with the trusted key
    valid: int
    latest_seq: int | None
    latest_at: datetime | None
    latest_number: int | None = None
    #: No key to check against (nothing pinned, none in instance/)
    key_missing: bool = False
    #: The first checkpoint whose signature (or key) does not verify
    forged_seq: int | None = None
    #: The first checkpoint number missing from the sequence (or whose link is broken)
    missing_number: int | None = None


def _signature_ok(public: Ed25519PublicKey, kid: str, row) -> bool:
    if row.key_id != kid:
        return False
    try:
        public.verify(bytes.fromhex(row.signature), _message(row))
    except (InvalidSignature, ValueError):
        return False
    return True


def load_checked(trusted: Trust, session) -> tuple[dict[int, str], CheckpointReport]:
    """Every checkpoint whose signature verifies with ``trusted``, as ``{seq: hash}``, and a
    report naming the first forged or missing one."""
    c = AuditCheckpoint.__table__.c
    rows = session.execute(
        select(c.number, c.seq, c.hash, c.at, c.prev, c.format, c.key_id, c.signature).order_by(
            c.number
        )
    ).all()
    if trusted.public is None:
        return {}, CheckpointReport(0, None, None, key_missing=bool(rows))
    kid = trusted.key_id
    checked: dict[int, str] = {}
    last = (None, None, None)
    prev, prev_seq = GENESIS_HASH, 0
    for expected, row in enumerate(rows, start=1):
        if row.number != expected or row.prev != prev:
            return checked, CheckpointReport(len(checked), *last, missing_number=expected)
        if row.seq <= prev_seq or not _signature_ok(trusted.public, kid, row):
            return checked, CheckpointReport(len(checked), *last, forged_seq=row.seq)
        checked[row.seq] = row.hash
        last = (row.seq, row.at, row.number)
        prev, prev_seq = link(row.signature), row.seq
    return checked, CheckpointReport(len(checked), *last)


# -- anchors ----------------------------------------------------------------------------------


class AnchorError(ValueError):
    """The text given as an anchor is neither a record's QR nor an exported checkpoint."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    #: An exported checkpoint also carries its number and signature
    checkpoint: dict | None = None


def parse_anchor(text: str) -> Anchor:
    """A paper record's QR (``meetingsec-audit:<seq>:<hash>``, or the two values typed from
    the page) or an exported checkpoint (the JSON ``flask audit export-head`` wrote)."""
    text = (text or "").strip()
    match = _PAPER.match(text)
    if match:
        return Anchor(int(match[1]), match[2].lower())
    try:
        data = json.loads(text)
        if data.get("kind") != ANCHOR_KIND:
            raise AnchorError("not an exported checkpoint")
        row = {
            "number": int(data["number"]),
            "seq": int(data["seq"]),
            "hash": str(data["hash"]).lower(),
            "at": datetime.fromisoformat(str(data["at"]).replace("Z", "+00:00")),
            "prev": str(data["prev"]),
            "format": int(data.get("format", 2)),
            "key_id": str(data["key_id"]),
            "signature": str(data["signature"]),
        }
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise AnchorError(str(exc)) from exc
    return Anchor(row["seq"], row["hash"], row)


@dataclass(frozen=True)
class AnchorCheck:
    seq: int
    hash: str
    #: ``ok``; ``shorter`` (the log ends before the anchored event: ``head_seq``);
    #: ``rewritten`` (the anchored event's hash differs); ``checkpoint_missing`` (the
    #: exported checkpoint ``number`` is no longer in the log); ``unsigned`` (the exported
    #: checkpoint's signature does not verify with the trusted key)
    status: str
    head_seq: int = 0
    number: int | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def check_anchor(anchor: Anchor, trusted: Trust, head_seq: int, session) -> AnchorCheck:
    """Does the log still hold what the anchor saw?"""
    number = anchor.checkpoint["number"] if anchor.checkpoint else None
    found = AnchorCheck(anchor.seq, anchor.hash, "ok", head_seq, number)
    if anchor.checkpoint is not None:
        row = SimpleNamespace(**anchor.checkpoint)
        if trusted.public is None or not _signature_ok(trusted.public, trusted.key_id, row):
            return replace(found, status="unsigned")
    if head_seq < anchor.seq:
        return replace(found, status="shorter")
    stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == anchor.seq))
    if stored != anchor.hash:
        return replace(found, status="rewritten")
    if number is not None:
        signature = session.scalar(
            select(AuditCheckpoint.signature).where(AuditCheckpoint.number == number)
        )
        if signature != anchor.checkpoint["signature"]:
            return replace(found, status="checkpoint_missing")
    return found

"""``flask audit verify``, ``checkpoint``, ``export-head`` and ``public-key``."""

import json
from pathlib import Path

import click
from flask.cli import AppGroup

from meetingsec.audit import checkpoints
from meetingsec.audit.chain import VerifyResult, format_time
from meetingsec.audit.services import verify_chain
from meetingsec.extensions import db

audit_cli = AppGroup("audit", help="The tamper-evident audit log.")

_REASONS = {
    "missing": "is missing (deleted, or the sequence was renumbered)",
    "link": "does not link to the event before it (inserted, deleted or reordered)",
    "hash": "does not match its hash (edited)",
    "truncated": "is missing: the chain ends before the signed checkpoint at event #{through}",
    "rewritten": "is the first that may have been rewritten: the signed checkpoint at "
    "event #{through} no longer matches the chain",
}


_ANCHOR_PROBLEMS = {
    "shorter": "the log ends at event #{head}: events #{first} to #{seq} are missing "
    "(the log was cut short)",
    "rewritten": "the log no longer holds event #{seq} with the anchored hash "
    "(the log was rewritten up to it)",
    "checkpoint_missing": "signed checkpoint no. {number} is missing from the log "
    "(checkpoints were deleted)",
    "unsigned": "the exported checkpoint is not signed by the trusted key: it proves nothing",
}


def key_lines(result: VerifyResult) -> list[str]:
    if result.key_unreadable:
        return ["The pinned public key (AUDIT_PUBLIC_KEY) is unreadable: fix the settings file."]
    lines = []
    if result.key_fingerprint:
        where = "pinned in the settings" if result.key_pinned else "NOT pinned"
        lines.append(f"Signing key {result.key_fingerprint} ({where}).")
    if not result.key_pinned:
        lines.append(
            "Without a pinned key, whoever can replace instance/audit-signing.key can re-sign "
            "the checkpoints: set AUDIT_PUBLIC_KEY (flask audit public-key)."
        )
    if result.signer_mismatch:
        lines.append(
            "This server's signing key is NOT the pinned key: its checkpoints will not verify."
        )
    return lines


def checkpoint_lines(result: VerifyResult) -> list[str]:
    if result.key_missing:
        return ["Checkpoints NOT checked: no signing key is pinned or in instance/."]
    lines = []
    if result.forged_checkpoint is not None:
        lines.append(
            f"FORGED checkpoint at event #{result.forged_checkpoint}: its signature does not "
            "verify with the trusted key."
        )
    if result.missing_checkpoint is not None:
        lines.append(
            f"MISSING checkpoint no. {result.missing_checkpoint}: checkpoints were deleted "
            "from the log."
        )
    if result.checkpoint_seq is None:
        lines.append("No signed checkpoint yet.")
    else:
        lines.append(
            f"Latest signed checkpoint: event #{result.checkpoint_seq} at "
            f"{format_time(result.checkpoint_at)} ({result.checkpoints} checkpoints verified)."
        )
    if result.uncovered:
        lines.append(
            f"{result.uncovered} event(s) written after the last checkpoint are covered by "
            "the hash chain only."
        )
    return lines


def anchor_lines(result: VerifyResult) -> list[str]:
    lines = []
    for a in result.anchors:
        if a.ok:
            lines.append(f"Anchor event #{a.seq}: in the log with the same hash.")
        else:
            why = _ANCHOR_PROBLEMS[a.status].format(
                head=a.head_seq, first=a.head_seq + 1, seq=a.seq, number=a.number
            )
            lines.append(f"TAMPERED: anchor at event #{a.seq}: {why}.")
    return lines


def _read_anchor(value: str) -> checkpoints.Anchor:
    path = Path(value)
    text = path.read_text(errors="replace") if len(value) < 4096 and path.is_file() else value
    try:
        return checkpoints.parse_anchor(text)
    except checkpoints.AnchorError as exc:
        raise click.BadParameter(
            "neither a record's QR text (meetingsec-audit:<seq>:<hash>) nor a file written "
            "by 'flask audit export-head'",
            param_hint="--anchor",
        ) from exc


@audit_cli.command("verify")
@click.option(
    "--anchor",
    "anchors",
    multiple=True,
    metavar="TEXT_OR_FILE",
    help="A head kept off this machine: a paper record's QR text "
    "(meetingsec-audit:<seq>:<hash>) or a file written by 'flask audit export-head'. "
    "Repeatable.",
)
def verify(anchors):
    """Walk the chain, check its signed checkpoints with the pinned key and compare it with
    anchors; exit 1 and name what does not verify."""
    result = verify_chain(anchors=[_read_anchor(a) for a in anchors])
    if result.bad_seq is None:
        click.echo(
            f"{'OK' if result.ok else 'Chain links'}: {result.count} events verified; "
            f"head #{result.head_seq} {result.head_hash}"
        )
    else:
        reason = _REASONS[result.reason].format(through=result.through_seq)
        click.echo(
            f"BROKEN at event #{result.bad_seq}: it {reason}. "
            f"{result.count} events before it verified.",
            err=True,
        )
    for line in key_lines(result) + checkpoint_lines(result) + anchor_lines(result):
        click.echo(line, err=not result.ok)
    if not result.ok:
        raise SystemExit(1)


@audit_cli.command("checkpoint")
def checkpoint():
    """Sign the chain's head now (the worker does this every minute)."""
    made = checkpoints.checkpoint_head()
    db.session.commit()
    if made is None:
        click.echo("The head is already checkpointed.")
    else:
        click.echo(f"Signed checkpoint no. {made.number} at event #{made.seq} {made.hash}")


@audit_cli.command("export-head")
@click.option(
    "--to",
    "target",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the signed checkpoint to this file (default: print it).",
)
def export_head(target):
    """Sign the chain's head now and export that checkpoint: a small signed file to keep off
    this machine (with the agency's secret records), for 'flask audit verify --anchor'."""
    checkpoints.checkpoint_head()
    db.session.commit()
    last = checkpoints.latest()
    if last is None:
        raise click.ClickException("The audit log is empty: nothing to export.")
    text = json.dumps(checkpoints.export(last), indent=2) + "\n"
    if target is None:
        click.echo(text, nl=False)
    else:
        target.write_text(text)
        click.echo(f"Checkpoint no. {last.number} (event #{last.seq}) written to {target}.")


@audit_cli.command("public-key")
def public_key():
    """Print the signing key's public half as the settings file pins it (makes the key on
    a new installation)."""
    public = checkpoints.signing_key().public_key()
    click.echo(f"MEETINGSEC_AUDIT_PUBLIC_KEY={checkpoints.public_key_text(public)}")
    click.echo(f"# fingerprint {checkpoints.fingerprint(checkpoints.key_id(public))}")

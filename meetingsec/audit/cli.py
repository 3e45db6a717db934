"""``flask audit verify`` and ``flask audit checkpoint``."""

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


def checkpoint_lines(result: VerifyResult) -> list[str]:
    if result.key_missing:
        return ["Checkpoints NOT checked: the signing key is missing from instance/."]
    lines = []
    if result.forged_checkpoint is not None:
        lines.append(
            f"FORGED checkpoint at event #{result.forged_checkpoint}: its signature does not "
            "verify with this installation's key."
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


@audit_cli.command("verify")
def verify():
    """Walk the chain and check its signed checkpoints; exit 1 and name the first event
    that does not verify."""
    result = verify_chain()
    if result.bad_seq is None:
        click.echo(
            f"OK: {result.count} events verified; head #{result.head_seq} {result.head_hash}"
        )
    else:
        reason = _REASONS[result.reason].format(through=result.through_seq)
        click.echo(
            f"BROKEN at event #{result.bad_seq}: it {reason}. "
            f"{result.count} events before it verified.",
            err=True,
        )
    for line in checkpoint_lines(result):
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
        click.echo(f"Signed checkpoint at event #{made.seq} {made.hash}")

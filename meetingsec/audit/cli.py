"""``flask audit verify``."""

import click
from flask.cli import AppGroup

from meetingsec.audit.services import verify_chain

audit_cli = AppGroup("audit", help="The tamper-evident audit log.")

_REASONS = {
    "missing": "is missing (deleted, or the sequence was renumbered)",
    "link": "does not link to the event before it (inserted, deleted or reordered)",
    "hash": "does not match its hash (edited)",
}


@audit_cli.command("verify")
def verify():
    """Walk the chain; exit 1 and name the first event that does not verify."""
    result = verify_chain()
    if result.ok:
        click.echo(
            f"OK: {result.count} events verified; head #{result.head_seq} {result.head_hash}"
        )
        return
    click.echo(
        f"BROKEN at event #{result.bad_seq}: it {_REASONS[result.reason]}. "
        f"{result.count} events before it verified.",
        err=True,
    )
    raise SystemExit(1)

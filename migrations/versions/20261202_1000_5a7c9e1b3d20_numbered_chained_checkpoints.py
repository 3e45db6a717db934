"""numbered and chained checkpoints of the audit chain

Each checkpoint gets a number (1, 2, 3, … with no gap) and the SHA-256 of the checkpoint
before it, both signed, so deleting checkpoints is itself detected. Checkpoints written
before this revision keep their signature over (seq, hash, time) only: they are numbered
and linked here in seq order and marked ``format`` 1.

Revision ID: 5a7c9e1b3d20
Revises: e4b3f64c3905
Create Date: 2026-12-02 10:00:00

"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "5a7c9e1b3d20"
down_revision = "e4b3f64c3905"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _triggers(create: bool) -> None:
    if op.get_bind().dialect.name == "postgresql":
        if create:
            op.execute("""CREATE TRIGGER audit_checkpoints_no_change BEFORE UPDATE OR DELETE
                ON audit_checkpoints FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""")
        else:
            op.execute("DROP TRIGGER audit_checkpoints_no_change ON audit_checkpoints")
    else:
        for verb in ("UPDATE", "DELETE"):
            if create:
                op.execute(f"""CREATE TRIGGER audit_checkpoints_no_{verb.lower()} BEFORE {verb}
                    ON audit_checkpoints BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""")
            else:
                op.execute(f"DROP TRIGGER audit_checkpoints_no_{verb.lower()}")


def upgrade():
    _triggers(create=False)
    with op.batch_alter_table("audit_checkpoints") as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("prev", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("format", sa.SmallInteger(), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT seq, signature FROM audit_checkpoints ORDER BY seq")).all()
    prev = GENESIS
    for number, (seq, signature) in enumerate(rows, start=1):
        bind.execute(
            sa.text(
                "UPDATE audit_checkpoints SET number = :n, prev = :p, format = 1 WHERE seq = :s"
            ),
            {"n": number, "p": prev, "s": seq},
        )
        prev = hashlib.sha256(signature.encode()).hexdigest()
    with op.batch_alter_table("audit_checkpoints") as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("prev", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("format", existing_type=sa.SmallInteger(), nullable=False)
        batch.create_unique_constraint(op.f("uq_audit_checkpoints_number"), ["number"])
    _triggers(create=True)


def downgrade():
    _triggers(create=False)
    with op.batch_alter_table("audit_checkpoints") as batch:
        batch.drop_constraint(op.f("uq_audit_checkpoints_number"), type_="unique")
        batch.drop_column("format")
        batch.drop_column("prev")
        batch.drop_column("number")
    _triggers(create=True)

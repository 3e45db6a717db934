"""one name for the form key: ``nonce`` becomes ``key``

Inspections, seal checks, venue checks and incidents kept the idempotency key made when a
form is shown in a column named ``nonce``, the door's check-ins and movements in ``key``.
One name now: the columns and their unique constraints are renamed, the values kept.

On SQLite a batch rebuilds the table (drop and rename). ``incidents`` is referenced by
``document_copies.lost_incident_id`` and foreign keys are enforced inside the migration's
transaction, where they cannot be switched off: those references are set aside while the
table is rebuilt and put back after.

Revision ID: 3f8e2c6a9d14
Revises: 630df6665515
Create Date: 2026-12-02 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3f8e2c6a9d14"
down_revision = "630df6665515"
branch_labels = None
depends_on = None

TABLES = ("inspections", "seal_checks", "venue_checks", "incidents")


def _rename(table: str, old: str, new: str) -> None:
    # Two batches: in one, SQLite's rebuild drops a constraint on the renamed column.
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(f"uq_{table}_{old}", type_="unique")
        batch.alter_column(old, new_column_name=new, existing_type=sa.String(length=40))
    with op.batch_alter_table(table) as batch:
        batch.create_unique_constraint(f"uq_{table}_{new}", [new])


def _rename_all(old: str, new: str) -> None:
    bind = op.get_bind()
    lost = []
    if bind.dialect.name == "sqlite":
        lost = bind.execute(
            sa.text(
                "SELECT id, lost_incident_id FROM document_copies "
                "WHERE lost_incident_id IS NOT NULL"
            )
        ).all()
        bind.execute(sa.text("UPDATE document_copies SET lost_incident_id = NULL"))
    for table in TABLES:
        _rename(table, old, new)
    for copy_id, incident_id in lost:
        bind.execute(
            sa.text("UPDATE document_copies SET lost_incident_id = :i WHERE id = :c"),
            {"i": incident_id, "c": copy_id},
        )


def upgrade():
    _rename_all("nonce", "key")


def downgrade():
    _rename_all("key", "nonce")

"""devices withdrawn from a meeting

A device that failed (or will not be used) is withdrawn by the organiser rather than
deleted: its inspections stay; who withdrew it is in the audit log. ``meeting_devices`` is
referenced by inspections, seal checks and incidents, so on SQLite the column is added and
dropped in place, never by rebuilding the table.

Revision ID: 8b1d4e7f2a65
Revises: 3f8e2c6a9d14
Create Date: 2026-12-02 13:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "8b1d4e7f2a65"
down_revision = "3f8e2c6a9d14"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "meeting_devices", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    with op.batch_alter_table("meeting_devices", recreate="never") as batch:
        batch.drop_column("withdrawn_at")

"""passport at the door: a foreign guest's passport number on the list, checked at the door

The list may give a passport number (and a nationality) instead of a CCCD number; the door
then checks the passport. Kept for each document checked: its type, its number, the match
result and the time.

Revision ID: b8d2f4a6c1e3
Revises: a7c1e9d3b5f2
Create Date: 2026-12-03 07:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b8d2f4a6c1e3"
down_revision = "a7c1e9d3b5f2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attendees", recreate="never") as batch:
        batch.add_column(
            sa.Column("passport_number", sa.String(length=9), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("nationality", sa.String(length=60), server_default="", nullable=False)
        )
    with op.batch_alter_table("identity_checks", recreate="never") as batch:
        batch.add_column(
            sa.Column("document", sa.String(length=8), server_default="cccd", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("identity_checks", recreate="never") as batch:
        batch.drop_column("document")
    with op.batch_alter_table("attendees", recreate="never") as batch:
        batch.drop_column("nationality")
        batch.drop_column("passport_number")

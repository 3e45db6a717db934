"""foreign participation and its written consent; units of the Ministry of Defence or Ban
Cơ yếu Chính phủ; the body that inspected a device or checked a venue

Inspections and venue checks recorded before this revision were the police's.

Revision ID: d1b2c3e4f5a6
Revises: c0a1f2e3d4b5
Create Date: 2026-12-02 13:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d1b2c3e4f5a6"
down_revision = "c0a1f2e3d4b5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings", recreate="never") as batch:
        batch.add_column(
            sa.Column(
                "foreign_participation", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
        batch.add_column(sa.Column("foreign_consent_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("foreign_consent_number", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("foreign_consent_date", sa.Date(), nullable=True))
    with op.batch_alter_table("units", recreate="never") as batch:
        batch.add_column(sa.Column("functional_body", sa.String(length=16), nullable=True))
    for table in ("inspections", "venue_checks"):
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.add_column(
                sa.Column("body", sa.String(length=16), server_default="police", nullable=False)
            )


def downgrade():
    for table in ("inspections", "venue_checks"):
        with op.batch_alter_table(table, recreate="never") as batch:
            batch.drop_column("body")
    with op.batch_alter_table("units", recreate="never") as batch:
        batch.drop_column("functional_body")
    with op.batch_alter_table("meetings", recreate="never") as batch:
        for column in (
            "foreign_consent_date",
            "foreign_consent_number",
            "foreign_consent_by",
            "foreign_participation",
        ):
            batch.drop_column(column)

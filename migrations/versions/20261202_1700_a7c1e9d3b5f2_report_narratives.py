"""report narratives

What the agency writes in its periodic report, per period: the situation, strengths,
limits, causes, lessons, the causes and handling of the cases, the forecast and the
proposals; kept until the report is generated.

Revision ID: a7c1e9d3b5f2
Revises: a7c9e1f3b5d2
Create Date: 2026-12-02 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7c1e9d3b5f2"
down_revision = "a7c9e1f3b5d2"
branch_labels = None
depends_on = None

PARTS = ("situation", "strengths", "limits", "causes", "lessons", "losses", "forecast", "proposals")


def upgrade():
    op.create_table(
        "report_narratives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        *(sa.Column(name, sa.Text(), nullable=False) for name in PARTS),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("generated_by_id", sa.Integer(), nullable=True),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_report_narratives_updated_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["generated_by_id"],
            ["users.id"],
            name=op.f("fk_report_narratives_generated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_narratives")),
        sa.UniqueConstraint("year", "period", name=op.f("uq_report_narratives_year")),
    )


def downgrade():
    op.drop_table("report_narratives")

"""agency settings, number series, record numbers and signers

How the agency names itself on its records (parent agency, agency, abbreviation, place,
its head), each record kind's number series, the number each meeting's record was given,
and who signs a meeting's records when the organiser changed it.

Revision ID: 548781ff855b
Revises: f3d4e5a6b7c8
Create Date: 2026-12-02 12:43:29.167954

"""

import sqlalchemy as sa
from alembic import op

revision = "548781ff855b"
down_revision = "f3d4e5a6b7c8"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "number_series",
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("symbol", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_number_series")),
    )
    op.create_table(
        "agency_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_agency", sa.String(length=200), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("abbreviation", sa.String(length=30), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("head_position", sa.String(length=200), nullable=False),
        sa.Column("head_name", sa.String(length=200), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["users.id"], name=op.f("fk_agency_settings_updated_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_settings")),
    )
    op.create_table(
        "record_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("symbol", sa.String(length=60), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_record_numbers_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_numbers")),
        sa.UniqueConstraint("meeting_id", "kind", name=op.f("uq_record_numbers_meeting_id")),
    )
    with op.batch_alter_table("record_numbers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_numbers_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "record_signers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("authority", sa.String(length=8), nullable=False),
        sa.Column("principal", sa.String(length=200), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_record_signers_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_signers")),
        sa.UniqueConstraint(
            "meeting_id", "kind", "side", name=op.f("uq_record_signers_meeting_id")
        ),
    )
    with op.batch_alter_table("record_signers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_signers_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("record_signers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_signers_meeting_id"))
    op.drop_table("record_signers")
    with op.batch_alter_table("record_numbers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_record_numbers_meeting_id"))

    op.drop_table("record_numbers")
    op.drop_table("agency_settings")
    op.drop_table("number_series")

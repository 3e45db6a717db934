"""a meeting of several days: its room sealed after each day and found intact next morning

Revision ID: f3d4e5a6b7c8
Revises: e2c3d4f5a6b7
Create Date: 2026-12-02 14:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "f3d4e5a6b7c8"
down_revision = "e2c3d4f5a6b7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "room_seals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("seal_number", sa.String(length=40), nullable=False),
        sa.Column("sealed_by_id", sa.Integer(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("found_number", sa.String(length=40), nullable=True),
        sa.Column("found_intact", sa.Boolean(), nullable=True),
        sa.Column("found_ok", sa.Boolean(), nullable=True),
        sa.Column("found_by_id", sa.Integer(), nullable=True),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("found_key", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_room_seals_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["sealed_by_id"], ["users.id"], name=op.f("fk_room_seals_sealed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["found_by_id"], ["users.id"], name=op.f("fk_room_seals_found_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_room_seals")),
        sa.UniqueConstraint("meeting_id", "day", name=op.f("uq_room_seals_meeting_id")),
        sa.UniqueConstraint("key", name=op.f("uq_room_seals_key")),
        sa.UniqueConstraint("found_key", name=op.f("uq_room_seals_found_key")),
    )
    op.create_index(op.f("ix_room_seals_meeting_id"), "room_seals", ["meeting_id"])


def downgrade():
    op.drop_index(op.f("ix_room_seals_meeting_id"), table_name="room_seals")
    op.drop_table("room_seals")

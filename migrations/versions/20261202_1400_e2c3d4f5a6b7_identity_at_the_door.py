"""identity at the door: the citizen identity card checked after the invitation

Kept for each card scanned: the match result, the card's ID number and the time (not the
address, the date of birth or anything else on the card). A meeting may ask for the card at
the door (always at Tuyệt mật).

Revision ID: e2c3d4f5a6b7
Revises: d1b2c3e4f5a6
Create Date: 2026-12-02 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e2c3d4f5a6b7"
down_revision = "d1b2c3e4f5a6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "identity_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("attendee_id", sa.Integer(), nullable=False),
        sa.Column("id_number", sa.String(length=12), nullable=False),
        sa.Column("matched", sa.Boolean(), nullable=False),
        sa.Column("mismatch", sa.String(length=8), nullable=True),
        sa.Column("clerk_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_identity_checks_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["attendee_id"],
            ["attendees.id"],
            name=op.f("fk_identity_checks_attendee_id_attendees"),
        ),
        sa.ForeignKeyConstraint(
            ["clerk_id"], ["users.id"], name=op.f("fk_identity_checks_clerk_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_checks")),
        sa.UniqueConstraint("key", name=op.f("uq_identity_checks_key")),
    )
    op.create_index(op.f("ix_identity_checks_meeting_id"), "identity_checks", ["meeting_id"])
    op.create_index(op.f("ix_identity_checks_attendee_id"), "identity_checks", ["attendee_id"])
    with op.batch_alter_table("meetings", recreate="never") as batch:
        batch.add_column(
            sa.Column("identity_check", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("meetings", recreate="never") as batch:
        batch.drop_column("identity_check")
    op.drop_index(op.f("ix_identity_checks_attendee_id"), table_name="identity_checks")
    op.drop_index(op.f("ix_identity_checks_meeting_id"), table_name="identity_checks")
    op.drop_table("identity_checks")

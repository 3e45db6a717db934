"""attendees counted by state from an index

The door's counters and the meetings list count a meeting's list by state (approved,
pending, removal asked); this index answers those counts without reading attendee rows.

Revision ID: 630df6665515
Revises: 5a7c9e1b3d20
Create Date: 2026-12-02 12:59:36.358776

"""

from alembic import op

revision = "630df6665515"
down_revision = "5a7c9e1b3d20"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendees_meeting_state",
            ["meeting_id", "removed_at", "approved_at", "removal_requested_at"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_index("ix_attendees_meeting_state")

"""secret invitations: the organiser's choice that a meeting's invitations carry its secret
content, each a numbered copy of one registered document (its copies the invitations)

Revision ID: a7c9e1f3b5d2
Revises: 548781ff855b
Create Date: 2026-12-02 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7c9e1f3b5d2"
down_revision = "548781ff855b"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings", recreate="never") as batch:
        batch.add_column(
            sa.Column("invitations_secret", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("secret_documents", recreate="never") as batch:
        batch.add_column(
            sa.Column("is_invitation", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("secret_documents", recreate="never") as batch:
        batch.drop_column("is_invitation")
    with op.batch_alter_table("meetings", recreate="never") as batch:
        batch.drop_column("invitations_secret")

"""the commitment text per legal regime; a confirmed citation keeps the article's text

Each regime (ruleset) has its own default commitment; an administrator's own text is
chosen per regime (``commitment_choices``). A text an administrator made current before
this revision was the one text of every regime: it is chosen here for both regimes, so
what attendees sign does not change until an administrator changes it.

Revision ID: c0a1f2e3d4b5
Revises: a16c0c1f3e21
Create Date: 2026-12-02 13:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "c0a1f2e3d4b5"
down_revision = "a16c0c1f3e21"
branch_labels = None
depends_on = None

#: The regimes of meetingsec/checklists/rules when this revision was written
REGIMES = ("vn-2020", "vn-2026")


def upgrade():
    op.create_table(
        "commitment_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ruleset_id", sa.String(length=32), nullable=False),
        sa.Column("commitment_id", sa.Integer(), nullable=False),
        sa.Column("chosen_by_id", sa.Integer(), nullable=True),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["commitment_id"],
            ["commitment_texts.id"],
            name=op.f("fk_commitment_choices_commitment_id_commitment_texts"),
        ),
        sa.ForeignKeyConstraint(
            ["chosen_by_id"], ["users.id"], name=op.f("fk_commitment_choices_chosen_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commitment_choices")),
    )
    op.create_index(op.f("ix_commitment_choices_ruleset_id"), "commitment_choices", ["ruleset_id"])
    texts = sa.table(
        "commitment_texts",
        sa.column("id", sa.Integer),
        sa.column("created_by_id", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    choices = sa.table(
        "commitment_choices",
        sa.column("ruleset_id", sa.String),
        sa.column("commitment_id", sa.Integer),
        sa.column("chosen_by_id", sa.Integer),
        sa.column("chosen_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    chosen = bind.execute(
        sa.select(texts.c.id, texts.c.created_by_id, texts.c.created_at).where(
            texts.c.created_by_id.is_not(None)
        )
    ).all()
    rows = [
        {
            "ruleset_id": r,
            "commitment_id": c.id,
            "chosen_by_id": c.created_by_id,
            "chosen_at": c.created_at,
        }
        for c in chosen
        for r in REGIMES
    ]
    if rows:
        op.bulk_insert(choices, rows)
    with op.batch_alter_table("rule_citations") as batch:
        batch.add_column(sa.Column("article_text", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("rule_citations") as batch:
        batch.drop_column("article_text")
    op.drop_index(op.f("ix_commitment_choices_ruleset_id"), table_name="commitment_choices")
    op.drop_table("commitment_choices")

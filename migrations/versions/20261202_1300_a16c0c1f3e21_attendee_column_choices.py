"""attendee lists as offices keep them: remembered column choices, files kept as sheets

A table of the meanings an organiser chose for the columns of a list's header, used again
for the next file whose header reads the same. A file waiting in its preview is now kept
as the sheets that hold its list (``attendee_imports.rows``: ``{"sheets", "columns",
"tcvn3"}``) and understood again each time it is shown; the files kept before, as rows
already understood, are rewritten as one sheet whose first row names the five columns.

Revision ID: a16c0c1f3e21
Revises: 8b1d4e7f2a65
Create Date: 2026-12-02 13:00:00

"""

import json

import sqlalchemy as sa
from alembic import op

revision = "a16c0c1f3e21"
down_revision = "8b1d4e7f2a65"
branch_labels = None
depends_on = None

_FIELDS = ("full_name", "position", "unit_name", "id_number", "phone")
_HEADER = ["Họ và tên", "Chức vụ", "Đơn vị", "Số hiệu hoặc CCCD", "Điện thoại"]


def _as_sheet(rows: list) -> dict:
    table = [_HEADER]
    for row in rows:
        line = int(row["line"])
        table += [[] for _ in range(len(table), line - 1)]
        table.append([row["values"].get(f, "") for f in _FIELDS])
    return {"sheets": [{"name": "", "rows": table}], "columns": None, "tcvn3": None}


def _as_rows(state: dict) -> list:
    table = state["sheets"][0]["rows"] if state.get("sheets") else []
    return [
        {"line": i, "values": dict(zip(_FIELDS, row, strict=False)), "extra": False}
        for i, row in enumerate(table[1:], start=2)
        if any(row)
    ]


def _rewrite(change) -> None:
    imports = sa.table("attendee_imports", sa.column("id", sa.Integer), sa.column("rows", sa.Text))
    bind = op.get_bind()
    for batch_id, rows in bind.execute(sa.select(imports.c.id, imports.c.rows)).all():
        kept = json.loads(rows)
        new = change(kept)
        if new is not None:
            bind.execute(
                imports.update()
                .where(imports.c.id == batch_id)
                .values(rows=json.dumps(new, ensure_ascii=False))
            )


def upgrade():
    op.create_table(
        "attendee_column_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("header_digest", sa.String(length=64), nullable=False),
        sa.Column("header", sa.Text(), nullable=False),
        sa.Column("meanings", sa.Text(), nullable=False),
        sa.Column("chosen_by_id", sa.Integer(), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chosen_by_id"],
            ["users.id"],
            name=op.f("fk_attendee_column_choices_chosen_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendee_column_choices")),
        sa.UniqueConstraint("header_digest", name=op.f("uq_attendee_column_choices_header_digest")),
    )
    _rewrite(lambda kept: _as_sheet(kept) if isinstance(kept, list) else None)


def downgrade():
    _rewrite(lambda kept: _as_rows(kept) if isinstance(kept, dict) else None)
    op.drop_table("attendee_column_choices")

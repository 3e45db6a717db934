"""The migrations build exactly the schema the models describe."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from meetingsec.core.db import Base
from meetingsec.extensions import db
from tests.factories import organiser_of


def test_models_and_migrations_agree(app):
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(app, backend):
    if backend != "sqlite":
        assert db.engine.dialect.name == "postgresql"
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns(table)}


def test_the_form_key_rename_keeps_every_value_both_ways(app, ended_meeting):
    """Revision 3f8e2c6a9d14 renames ``nonce`` to ``key`` (and back) with the values, the
    unique constraints and a lost copy's link to its incident (SQLite rebuilds the table)."""
    from meetingsec.documents import services as documents
    from meetingsec.incidents.services import record_incident

    meeting, clerk, people, doc = ended_meeting()
    incident = documents.report_lost(
        meeting, doc.copies[0], actor=organiser_of(meeting), reason="Không tìm thấy"
    )
    refused = record_incident(
        meeting,
        actor=clerk,
        kind="entry_refused",
        description="Không có tên",
        action="door.refused",
        data={},
        key="refusal-key",
    )
    db.session.commit()
    copy_id, incident_id, refused_id = doc.copies[0].id, incident.id, refused.id
    db.session.remove()

    def state(column):
        with db.engine.connect() as conn:
            keys = conn.execute(sa.text(f"SELECT id, {column} FROM incidents ORDER BY id")).all()
            lost = conn.execute(
                sa.text("SELECT lost_incident_id FROM document_copies WHERE id = :c"),
                {"c": copy_id},
            ).scalar()
        return keys, lost

    before = state("key")
    assert (refused_id, "refusal-key") in before[0] and before[1] == incident_id
    downgrade(revision="5a7c9e1b3d20")
    assert "nonce" in _columns("inspections") and "key" not in _columns("incidents")
    assert state("nonce") == before
    upgrade()
    assert "key" in _columns("seal_checks") and "nonce" not in _columns("venue_checks")
    assert state("key") == before
    uniques = {u["name"] for u in sa.inspect(db.engine).get_unique_constraints("inspections")}
    assert "uq_inspections_key" in uniques
    test_models_and_migrations_agree(app)

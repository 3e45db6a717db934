"""The "nothing changed" snapshot covers the whole schema, so a new table is tracked too."""

from meetingsec.extensions import db
from tests.helpers import UNTRACKED, snapshot


def test_snapshot_tracks_every_table_but_login_bookkeeping(app):
    tables = set(snapshot())
    assert tables == set(db.metadata.tables) - UNTRACKED
    assert {"devices", "meeting_devices", "inspections", "seal_checks", "venue_checks"} <= tables

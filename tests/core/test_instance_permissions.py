"""The instance folder holds the database, the keys and the job queue: from the first start,
no other local account can read any of it (0700 for folders, 0600 for files)."""

import os
import stat

import pytest
from sqlalchemy import text

from meetingsec import create_app
from meetingsec.config import TestConfig
from meetingsec.extensions import db


@pytest.fixture
def shell_umask():
    """Start as a login shell does (umask 022: new files readable by everyone)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _start(instance):
    """What the first ``make run`` does: create the app, write to its SQLite database (which
    makes the -wal and -shm files beside it) and open the job queue."""
    app = create_app(TestConfig, instance_path=str(instance), SECRET_KEY=None)
    with app.app_context():
        db.session.execute(text("CREATE TABLE probe (x INTEGER)"))
        db.session.execute(text("INSERT INTO probe VALUES (1)"))
        db.session.commit()
        app.extensions["huey"].enqueue(app.extensions["huey_tasks"]["checkpoint_audit"].s())
        names = {p.name for p in instance.iterdir()}
        assert {"meetingsec.db", "meetingsec.db-wal", "meetingsec.db-shm"} <= names
        assert {"jobs.sqlite3", "secret_key"} <= names
        modes = {p.name: _mode(p) for p in instance.iterdir() if p.is_file()}
        db.session.remove()
        db.engine.dispose()
    return modes


def test_a_new_instance_folder_and_its_files_are_private(tmp_path, shell_umask):
    instance = tmp_path / "instance"
    modes = _start(instance)
    assert _mode(instance) == 0o700
    assert modes == dict.fromkeys(modes, 0o600)


def test_an_instance_folder_made_open_by_an_earlier_start_is_closed(tmp_path, shell_umask):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    instance.chmod(0o755)
    _start(instance)
    assert _mode(instance) == 0o700

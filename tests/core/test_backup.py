"""``flask backup`` while the door is busy, and ``flask restore`` of that backup into a
fresh installation: one consistent moment, the chain and its checkpoints verified."""

import threading

from sqlalchemy import func, select

from meetingsec.audit.models import AuditEvent
from meetingsec.audit.services import verify_chain
from meetingsec.door.models import CheckIn
from meetingsec.extensions import db
from meetingsec.meetings.models import Meeting
from meetingsec.models import Attendee, User
from tests.conftest import make_app
from tests.helpers import check_in


def _door_queue(app, meeting_id, clerk_id, people_ids, done, stop):
    """A door tablet checking people in one by one, 50 ms apart (a person steps up: twenty
    times as fast as a real door), until told to stop."""
    with app.app_context():
        for person_id in people_ids:
            if stop.is_set():
                break
            meeting = db.session.get(Meeting, meeting_id)
            check_in(meeting, db.session.get(User, clerk_id), db.session.get(Attendee, person_id))
            db.session.commit()
            done.append(person_id)
            stop.wait(0.05)
        db.session.remove()


def _counts():
    checked_in = db.session.scalar(select(func.count()).select_from(CheckIn))
    audited = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "door.checked_in")
    )
    return checked_in, audited


def test_a_backup_taken_during_check_ins_restores_and_verifies(
    app, open_door, runner, databases, tmp_path
):
    meeting, clerk, people = open_door(n=200)
    ids = [p.id for p in people]
    done, stop = [], threading.Event()
    tablets = [
        threading.Thread(
            target=_door_queue, args=(app, meeting.id, clerk.id, ids[i::2], done, stop)
        )
        for i in range(2)
    ]
    db.session.commit()
    for t in tablets:
        t.start()
    while len(done) < 10:
        threading.Event().wait(0.01)
    before = len(done)
    out = runner.invoke(args=["backup", "--to", str(tmp_path / "backup")])
    after = len(done)
    threading.Event().wait(0.2)  # the door carries on after the backup
    stop.set()
    for t in tablets:
        t.join()
    assert out.exit_code == 0, out.output
    assert "Backup made in" in out.output
    assert len(done) > after, "check-ins went on after the backup"
    files = sorted(p.name for p in (tmp_path / "backup").iterdir())
    assert files[0] == "audit-signing.key" and "manifest.json" in files
    assert (tmp_path / "backup").stat().st_mode & 0o777 == 0o700

    # A new machine: an empty instance folder, a fresh database, the backup restored
    restored = make_app(databases.fresh(), tmp_path / "new-instance")
    with restored.app_context():
        out = restored.test_cli_runner().invoke(
            args=["restore", str(tmp_path / "backup")], input="y\n"
        )
        assert out.exit_code == 0, out.output
        assert "Audit chain verified" in out.output
        checked_in, audited = _counts()
        # one consistent moment: every check-in with its event, none half-written
        assert checked_in == audited
        assert before <= checked_in <= after
        result = verify_chain()
        assert result.ok and result.checkpoints >= 1 and not result.key_missing
        assert (
            db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc()).limit(1))
            == "backup.restored"
        )
        db.session.remove()
        db.engine.dispose()


def test_a_damaged_backup_is_refused_and_changes_nothing(app, runner, make_user, tmp_path):
    make_user("organiser")
    out = runner.invoke(args=["backup", "--to", str(tmp_path / "b")])
    assert out.exit_code == 0, out.output
    before = verify_chain()
    data = next(p for p in (tmp_path / "b").iterdir() if p.name.startswith("database"))
    data.write_bytes(data.read_bytes()[:-100])
    out = runner.invoke(args=["restore", "--yes", str(tmp_path / "b")])
    assert out.exit_code == 1 and "does not match its SHA-256" in out.output
    assert verify_chain().head_seq == before.head_seq
    out = runner.invoke(args=["restore", "--yes", str(tmp_path)])
    assert out.exit_code == 1 and "is not a meetingsec backup" in out.output


def test_a_backup_is_not_written_into_a_folder_in_use(runner, tmp_path):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("x")
    out = runner.invoke(args=["backup", "--to", str(tmp_path / "used")])
    assert out.exit_code == 1 and "is not empty" in out.output

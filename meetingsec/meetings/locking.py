"""The one way to lock a meeting: every write that depends on the meeting's status (the
door, documents changing hands, the list's approval, closing, storing a record) takes it
first, then reads the status, then its idempotency key."""

from meetingsec.extensions import db
from meetingsec.meetings.models import Meeting


def lock_meeting(meeting: Meeting) -> None:
    """Judge writes on this meeting one after the other, on its status as it is now:
    PostgreSQL locks the meeting's row until the transaction ends and reads its status and
    version again; SQLite's writers are serialised already (``core.db``), and its
    FOR UPDATE is a plain read again."""
    db.session.refresh(meeting, ["status", "version"], with_for_update=True)

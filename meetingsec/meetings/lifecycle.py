"""The life of a meeting in one place: its statuses and what each one allows.

```
draft ─approve─▶ preparing ─gate 1─▶ cleared ─start─▶ in session ─end─▶ closing ─gate 2─▶ closed
  └──────────────────── cancelled (with a reason, before the session) ◀───────┘
```

Services, views and templates ask this table by name (``meeting.status.allows(Action.DOOR)``,
``{% if meeting.status.allows("door") %}``), never with tuples of statuses of their own.
A new step of the lifecycle is one new action here and one column of ``ALLOWS``.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Action(StrEnum):
    """What a meeting's status allows (who may do it is the services' and roles' concern)."""

    #: The meeting's details, its device list and the chair's device decision change
    EDIT = "edit"
    #: The attendee list changes (after the first approval, a change waits for the chair)
    LIST = "list"
    #: Technicians record device inspections and venue checks
    CHECK = "check"
    #: The door checks people in, re-admits them, refuses people not on the list
    DOOR = "door"
    #: People step out and get their deposited devices back
    EXIT = "exit"
    #: A meeting of several days: its room is sealed each evening and found intact next
    #: morning (``meetings.room_seals``)
    SEAL_ROOM = "seal_room"
    #: Secret documents are registered (and their copy count changed)
    REGISTER = "register"
    #: Copies are handed out to attendees who are inside
    HAND_OUT = "hand_out"
    #: Copies are recovered, or reported lost
    RECOVER = "recover"
    #: Manual checklist items of each phase are marked or undone
    MARK_BEFORE = "mark_before"
    MARK_DURING = "mark_during"
    MARK_AFTER = "mark_after"
    #: Records are generated (a closed meeting's records are frozen)
    RECORDS = "records"
    #: Closing out: the closing summary, unclaimed items, gate 2
    CLOSE = "close"
    #: The closing-out page is shown (while closing, and afterwards as a record)
    CLOSING_PAGE = "closing_page"
    #: The transitions
    APPROVE = "approve"
    CLEAR = "clear"
    START = "start"
    END = "end"
    CANCEL = "cancel"

    @classmethod
    def mark(cls, phase: str) -> "Action":
        """The marking action of a checklist phase (before, during, after)."""
        return cls(f"mark_{phase}")


class MeetingStatus(StrEnum):
    DRAFT = "draft"
    PREPARING = "preparing"
    CLEARED = "cleared"
    IN_SESSION = "in_session"
    CLOSING = "closing"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def title(self):
        return STATUS_TITLES[self]

    def allows(self, action: str) -> bool:
        """Whether a meeting in this status allows ``action`` (an ``Action`` or its name:
        a misspelt name raises, it never reads as "not allowed")."""
        return Action(action) in ALLOWS[self]


STATUS_TITLES = {
    MeetingStatus.DRAFT: _l("Draft: awaiting approval"),
    MeetingStatus.PREPARING: _l("Preparing"),
    MeetingStatus.CLEARED: _l("Cleared to start"),
    MeetingStatus.IN_SESSION: _l("In session"),
    MeetingStatus.CLOSING: _l("Closing"),
    MeetingStatus.CLOSED: _l("Closed"),
    MeetingStatus.CANCELLED: _l("Cancelled"),
}

A = Action
#: What each status allows. Read down a row for a status, or see ``statuses(action)``.
#: The door opens once the chair declares the meeting cleared, and closes to newcomers
#: when the session ends; exits, returns and recoveries go on until the meeting is closed.
#: The device list freezes with the "cleared" declaration; the attendee list and the
#: documents can change until the session ends (late changes need the chair).
ALLOWS: dict[MeetingStatus, frozenset[Action]] = {
    MeetingStatus.DRAFT: frozenset(
        {A.EDIT, A.LIST, A.CHECK, A.REGISTER, A.MARK_BEFORE, A.APPROVE, A.CANCEL}
    ),
    MeetingStatus.PREPARING: frozenset(
        {A.EDIT, A.LIST, A.CHECK, A.REGISTER, A.MARK_BEFORE, A.RECORDS, A.CLEAR, A.CANCEL}
    ),
    MeetingStatus.CLEARED: frozenset(
        {A.LIST, A.DOOR, A.EXIT, A.REGISTER, A.HAND_OUT, A.RECOVER, A.MARK_DURING, A.RECORDS}
        | {A.SEAL_ROOM, A.START, A.CANCEL}
    ),
    MeetingStatus.IN_SESSION: frozenset(
        {A.LIST, A.DOOR, A.EXIT, A.REGISTER, A.HAND_OUT, A.RECOVER, A.MARK_DURING, A.RECORDS}
        | {A.SEAL_ROOM, A.END}
    ),
    MeetingStatus.CLOSING: frozenset(
        {A.EXIT, A.RECOVER, A.MARK_AFTER, A.RECORDS, A.CLOSE, A.CLOSING_PAGE}
    ),
    MeetingStatus.CLOSED: frozenset({A.CLOSING_PAGE}),
    MeetingStatus.CANCELLED: frozenset(),
}
del A

#: Statuses a meeting never leaves
FINAL = (MeetingStatus.CLOSED, MeetingStatus.CANCELLED)


def statuses(action: Action) -> list[MeetingStatus]:
    """The statuses that allow ``action``, in lifecycle order (for a query's ``IN``)."""
    return [s for s in MeetingStatus if action in ALLOWS[s]]

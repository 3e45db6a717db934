"""The door comes first: a record being laid out pauses while people wait in a queue. This
module keeps the marker those requests touch; the worker's side that watches it (pausing
the layout processes) is ``records.render.Yielder``.

Only the views that serve a queue of people pause a render: the door, the technicians'
inspections, the documents' hand-out and recovery desks (``serves_a_queue``, named in
each package's routes). The rest — the records page watching the render, the door's
counters and other pages polled on a timer, reading pages — never does: watching a render
must not slow it. Each request to such a view touches a marker file in the
instance folder (at most once every few milliseconds per process). The worker lays big
records out in a child process and watches the marker: while a request came in during the
last ``RENDER_QUIET_MS`` milliseconds, the child is stopped (SIGSTOP) and it goes on
(SIGCONT) when the app is quiet again. So a render never takes a core from the door: on a
small server, even nice and the idle scheduling class do not stop a busy render from
slowing requests on the other core's hyper-thread. A long rush cannot starve a render
for ever: after ``RENDER_MAX_PAUSE_S`` seconds of pause it runs for one second.

The marker holds the machine's monotonic clock at the last such request, not a file time:
on a LAN with no time server an administrator sets the wall clock by hand, and a clock
set back an hour would otherwise pause every render for an hour of "recent" requests.
"""

import os
import time
from collections.abc import Iterable
from pathlib import Path

from flask import Blueprint, current_app

MARKER = ".requests-active"
#: Per process: when this process last touched the marker (monotonic seconds)
_last_touch = 0.0
_TOUCH_EVERY = 0.005


def marker_path(instance_path: str) -> Path:
    return Path(instance_path) / MARKER


def serves_a_queue(bp: Blueprint, views: Iterable[str] | None = None, *, but=()) -> None:
    """The blueprint's ``views`` (all of them when None, ``but`` those) serve people
    waiting in a queue: their requests pause record layouts. Called after the blueprint's
    routes are defined."""
    chosen = None if views is None else set(views)

    def mark(state) -> None:
        found = set()
        for endpoint, view in state.app.view_functions.items():
            name, _, local = endpoint.partition(".")
            if name == bp.name and local not in but and (chosen is None or local in chosen):
                view.serves_a_queue = True
                found.add(local)
        if chosen is not None and chosen - found:
            raise ValueError(f"{bp.name} has no view {sorted(chosen - found)}")

    bp.record(mark)


def pauses_renders(view) -> bool:
    """Whether a request to ``view`` pauses record layouts (``serves_a_queue``)."""
    return getattr(view, "serves_a_queue", False)


def note_request() -> None:
    """Called before each request to a view serving a queue: people are waiting now."""
    global _last_touch
    now = time.monotonic()
    if now - _last_touch < _TOUCH_EVERY:
        return
    _last_touch = now
    try:
        touch(marker_path(current_app.instance_path))
    except OSError:
        pass  # a read-only instance folder: renders simply never pause


_WIDTH = 24


def touch(path: Path) -> None:
    """Mark a request now. The reading is written in place at a fixed width, so a reader
    never sees a half-written one."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        os.pwrite(fd, f"{time.monotonic():{_WIDTH}.4f}".encode(), 0)
    finally:
        os.close(fd)


def quiet_for(path: Path) -> float | None:
    """Seconds since the last request marked in ``path``; None when none was."""
    try:
        reading = float(path.read_bytes()[:_WIDTH])
    except (OSError, ValueError):
        return None
    return time.monotonic() - reading

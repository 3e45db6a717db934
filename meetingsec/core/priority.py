"""The door comes first: a record being laid out pauses while people are using the app. This
module keeps the marker every request touches; the worker's side that watches it (pausing
the layout processes) is ``records.render.Yielder``.

Every request a person makes (a check-in, a scan, a page) touches a marker file in the
instance folder (at most once every few milliseconds per process). The worker lays big
records out in a child process and watches the marker: while a request came in during the
last ``RENDER_QUIET_MS`` milliseconds, the child is stopped (SIGSTOP) and it goes on
(SIGCONT) when the app is quiet again. So a render never takes a core from the door: on a
small server, even nice and the idle scheduling class do not stop a busy render from
slowing requests on the other core's hyper-thread. A long rush cannot starve a render
for ever: after ``RENDER_MAX_PAUSE_S`` seconds of pause it runs for one second.
"""

import os
import time
from pathlib import Path

from flask import current_app

MARKER = ".requests-active"
#: Per process: when this process last touched the marker (monotonic seconds)
_last_touch = 0.0
_TOUCH_EVERY = 0.005


def marker_path(instance_path: str) -> Path:
    return Path(instance_path) / MARKER


def note_request() -> None:
    """Called before each request a person makes: the app is in use now."""
    global _last_touch
    now = time.monotonic()
    if now - _last_touch < _TOUCH_EVERY:
        return
    _last_touch = now
    path = marker_path(current_app.instance_path)
    try:
        os.utime(path)
    except FileNotFoundError:
        path.touch()
    except OSError:
        pass  # a read-only instance folder: renders simply never pause

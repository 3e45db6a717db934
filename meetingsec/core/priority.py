"""The door comes first: a record being laid out pauses while people are using the app.

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
import signal
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


def yielder() -> "Yielder":
    cfg = current_app.config
    return Yielder(current_app.instance_path, cfg["RENDER_QUIET_MS"], cfg["RENDER_MAX_PAUSE_S"])


class Yielder:
    """Stops and resumes child processes as the app's requests come and go."""

    def __init__(self, instance_path: str, quiet_ms: int, max_pause_s: float):
        self.marker = marker_path(instance_path)
        self.quiet = quiet_ms / 1000
        self.max_pause = max_pause_s
        self.paused_since: float | None = None
        self.resumed_until = 0.0

    def _busy(self, now_wall: float) -> bool:
        try:
            return now_wall - self.marker.stat().st_mtime < self.quiet
        except OSError:
            return False

    def wait_quiet(self) -> None:
        """For work done in this process (reading a record's data): wait while the app is
        in use, up to the longest pause."""
        start = time.monotonic()
        while self._busy(time.time()) and time.monotonic() - start < self.max_pause:
            time.sleep(0.01)

    def tick(self, pids: list[int]) -> None:
        """Decide, now, whether the children run."""
        now = time.monotonic()
        if self.paused_since is not None and now - self.paused_since >= self.max_pause:
            self._signal(pids, signal.SIGCONT)  # a long rush: one second of progress
            self.paused_since, self.resumed_until = None, now + 1.0
            return
        busy = now >= self.resumed_until and self._busy(time.time())
        if busy and self.paused_since is None:
            self._signal(pids, signal.SIGSTOP)
            self.paused_since = now
        elif not busy and self.paused_since is not None:
            self._signal(pids, signal.SIGCONT)
            self.paused_since = None

    def release(self, pids: list[int]) -> None:
        """Let every child run again (done, failed, or the worker is stopping)."""
        self.paused_since = None
        self._signal(pids, signal.SIGCONT)

    @staticmethod
    def _signal(pids: list[int], sig) -> None:
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

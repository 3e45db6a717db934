"""The door comes first: a record being laid out in the worker's child process pauses while
people use the app, and goes on when it is quiet (``core.priority``, ``records.render``)."""

import os
import threading
import time

from meetingsec.core import priority
from meetingsec.extensions import db
from meetingsec.records import render
from tests.factories import PASSWORD, organiser_of

HTML = """<html><head><link rel="stylesheet" href="css/records.css"></head><body>
<h1>Biên bản</h1>{}</body></html>""".format("<p>Nguyễn Văn Ánh, Sở Nội vụ.</p>" * 200)


def _busy_for(marker, seconds):
    """Requests keep coming for ``seconds`` (as the web workers mark them)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        priority.touch(marker)
        time.sleep(0.02)


def _render(app):
    t0 = time.monotonic()
    data, pages = render.render_document(HTML)
    assert data.startswith(b"%PDF") and pages >= 1
    return time.monotonic() - t0


def test_only_requests_serving_a_queue_pause_a_render(app, client, login, open_door, monkeypatch):
    """The door's screens pause a render; watching it (the records page and its job's poll),
    the door's counters polled every 5 s and reading pages do not."""
    from meetingsec.records.models import RecordJob

    monkeypatch.setattr(priority, "_last_touch", 0.0)  # another app's touch in this process
    meeting, clerk, (person, *_) = open_door()
    marker = priority.marker_path(app.instance_path)
    login(organiser_of(meeting))
    assert client.post(f"/meetings/{meeting.id}/records/attendance").status_code == 303
    job = db.session.scalars(db.select(RecordJob)).one()
    watching = (
        f"/meetings/{meeting.id}/records/",
        f"/meetings/{meeting.id}/records/jobs/{job.id}",
        f"/meetings/{meeting.id}",
        "/meetings/",
        "/static/css/app.css",
    )
    for url in watching:
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 200, url
    door = app.test_client()
    door.post("/login", data={"username": clerk.username, "password": PASSWORD})
    assert door.get(f"/meetings/{meeting.id}/door/counters").status_code == 200
    assert not marker.exists()
    assert door.get(f"/meetings/{meeting.id}/door/attendees/{person.id}").status_code == 200
    assert priority.quiet_for(marker) < 5


def test_a_render_waits_while_requests_come_and_goes_on_when_quiet(app):
    quiet = _render(app)
    marker = priority.marker_path(app.instance_path)
    priority.touch(marker)
    rush = 2.0 + quiet
    door = threading.Thread(target=_busy_for, args=(marker, rush))
    door.start()
    during = _render(app)
    door.join()
    # it could not finish while the requests came, and finished soon after they stopped
    assert rush <= during < rush + quiet + 2.0, (quiet, during)


def test_a_long_rush_does_not_starve_a_render(app):
    app.config["RENDER_MAX_PAUSE_S"] = 0.3
    quiet = _render(app)
    marker = priority.marker_path(app.instance_path)
    priority.touch(marker)
    rush = 4 * quiet + 3.0
    door = threading.Thread(target=_busy_for, args=(marker, rush))
    door.start()
    during = _render(app)
    door.join()
    assert during < rush, (quiet, during)  # it got a second of every 1.3 s


def test_a_wall_clock_set_back_does_not_hold_renders(app):
    """On a LAN without a time server the administrator sets the clock by hand: the last
    request, marked before the clock was set back an hour, is not an hour in the future —
    once the door is quiet, the worker reads the record's data at once."""
    marker = priority.marker_path(app.instance_path)
    priority.touch(marker)
    later = time.time() + 3600  # the file's time as the clock read before it was set back
    os.utime(marker, (later, later))
    time.sleep(app.config["RENDER_QUIET_MS"] / 1000 + 0.05)
    yielder = render.Yielder(app.instance_path, app.config["RENDER_QUIET_MS"], 5.0)
    t0 = time.monotonic()
    yielder.wait_quiet()
    assert time.monotonic() - t0 < 1.0

"""Device figures: server time from a scanned code to the device card (p50, p95), and the
time to render a QR label sheet of 240 labels.

    make bench          (or: .venv/bin/python benchmarks/devices_bench.py)

Prints figures; asserts nothing. In-process (Flask test client): the app's own time, no
network.
"""

import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from meetingsec.core.db import utcnow  # noqa: E402
from meetingsec.extensions import db  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.dbserver import Databases  # noqa: E402

DEVICES = 60
SCANS = 300
LABELS = 240


def setup(app):
    from meetingsec.devices.services import add_device, save_device
    from meetingsec.meetings.services import MeetingData
    from meetingsec.org.services import save_unit, save_venue
    from meetingsec.users.roles import Role
    from meetingsec.users.services import create_user
    from meetingsec.workflows.services import create_meeting

    unit = save_unit(None, actor=None, name="Văn phòng", parent=None)
    tech = create_user(
        actor=None,
        username="tech",
        full_name="Kỹ Thuật",
        roles={Role.TECHNICIAN},
        password="benchmark password",
    )
    org = create_user(
        actor=None,
        username="org",
        full_name="Tổ Chức",
        unit=unit,  # the registry is kept per owner unit: it prints its unit's labels
        roles={Role.ORGANISER},
        password="benchmark password",
    )
    chair = create_user(
        actor=None,
        username="chair",
        full_name="Chủ Trì",
        roles={Role.CHAIR},
        password="benchmark password",
    )
    venue = save_venue(None, actor=None, name="Phòng 1", address="", at_hq=True, closed_room=True)
    start = utcnow() + timedelta(days=1)
    meeting = create_meeting(
        MeetingData(
            title="Bench",
            kind="hoi_nghi",
            classification="toi_mat",
            format="in_person",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            venue=venue,
            host_unit=unit,
            chair=chair,
            technicians=[tech],
        ),
        actor=org,
    )
    devices = []
    for i in range(max(DEVICES, LABELS)):
        d = save_device(
            None,
            actor=None,
            kind="wired_mic",
            make="Bosch",
            model="CCS 1000 D",
            serial=f"SN-{i:04d}",
            owner_unit=unit,
            ban_co_yeu=False,
            notes="",
        )
        devices.append(d)
        if i < DEVICES:
            add_device(meeting, d, actor=org)
    db.session.commit()
    return meeting.id, [d.tag_code for d in devices[:DEVICES]], [d.id for d in devices]


def main():
    dbs = Databases("sqlite", Path(tempfile.mkdtemp()))
    app = make_app(dbs.fresh(), tempfile.mkdtemp())
    with app.app_context():
        meeting_id, codes, ids = setup(app)
    client = app.test_client()
    client.post("/login", data={"username": "tech", "password": "benchmark password"})
    times = []
    for i in range(SCANS):
        code = codes[i % len(codes)]
        start = time.perf_counter()
        resp = client.get(
            f"/meetings/{meeting_id}/inspection", query_string={"code": code}, follow_redirects=True
        )
        times.append((time.perf_counter() - start) * 1000)
        assert resp.status_code == 200
    times.sort()
    p95 = times[int(len(times) * 0.95)]
    print(
        f"scan to device card ({SCANS} scans, {DEVICES} devices on the meeting): "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms"
    )
    client.post("/logout")
    client.post("/login", data={"username": "org", "password": "benchmark password"})
    start = time.perf_counter()
    resp = client.get("/devices/labels.pdf", query_string={"ids": ids[:LABELS]})
    elapsed = time.perf_counter() - start
    assert resp.status_code == 200
    print(f"label sheet of {LABELS} labels: {elapsed:.2f} s, {len(resp.data) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()

"""Several app instances, as the README's "Several app instances" section deploys them: two
gunicorns, each with its own instance folder, on one PostgreSQL and one Redis (Debian's
redis-server, started and stopped here), and one background worker. What each instance
shares is what the README says to share: the secret key and the audit signing key.

PostgreSQL only: SQLite is one server's database (``postgresql_only``, left out of the
SQLite run, never skipped)."""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests import races
from tests.conftest import make_app
from tests.gunicorn import ROOT, Tablet, free_port, serve

pytestmark = pytest.mark.postgresql_only

#: Invitations: the races' (one invitation sent 10 ms apart to each instance), then those
#: checked in by tablets alternating between the instances, then one per instance for the
#: audit chain
RACES, CHECK_INS = 8, 12
AUDITED = 2
SECRET_KEY = "several-instances-test-secret-key"


def _wait_for(predicate, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not ready in {timeout} s")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """Debian's redis-server on a unix socket of its own, for this module's tests."""
    folder = tmp_path_factory.mktemp("redis")
    socket = folder / "redis.sock"
    server = subprocess.Popen(
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            *("--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700"),
            *("--dir", str(folder), "--save", "", "--appendonly", "no"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_for(socket.exists, "redis-server")
    yield f"unix://{socket}?db=0"
    server.terminate()
    server.wait(timeout=10)


class Cluster:
    """Instances ``a`` and ``b`` (gunicorn) and the worker, each with its own instance
    folder, on a fresh PostgreSQL database and one Redis."""

    def __init__(self, databases, workdir: Path, redis_url: str):
        self.databases, self.redis_url = databases, redis_url
        self.url = databases.fresh()
        self.folders = {name: workdir / name for name in ("a", "b", "worker")}
        # The meeting, users and invitations, made by instance a (its signing key too)
        self.plan = races.setup(self.url, self.folders["a"], RACES + CHECK_INS + AUDITED)
        key = self.folders["a"] / "audit-signing.key"
        for name in ("b", "worker"):  # "copy it from the first instance"
            self.folders[name].mkdir(mode=0o700)
            shutil.copy2(key, self.folders[name] / key.name)
        self.processes: list[subprocess.Popen] = []
        self.ports = {}
        for name in ("a", "b"):
            self.ports[name] = free_port()
            self.processes.append(serve(self.ports[name], self.env(name), workers=1))
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", "--nice", "0"],
            cwd=ROOT,
            env=self.env("worker"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(self.worker)

    def env(self, name: str) -> dict:
        return {
            **os.environ,
            "FLASK_APP": "meetingsec:create_app",
            "MEETINGSEC_SQLALCHEMY_DATABASE_URI": self.url,
            "MEETINGSEC_INSTANCE_PATH": str(self.folders[name]),
            "MEETINGSEC_HUEY_REDIS_URL": self.redis_url,
            "MEETINGSEC_SECRET_KEY": SECRET_KEY,
            # every event signs the head: each instance's checkpoints are in the chain
            "MEETINGSEC_AUDIT_CHECKPOINT_SECONDS": "0",
        }

    def query(self, fn):
        """``fn()`` inside an app on the shared database (the test's own look)."""
        from meetingsec.extensions import db

        app = make_app(self.url, self.folders["a"])
        with app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()
                db.engine.dispose()

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.databases.drop(self.url)


@pytest.fixture(scope="module")
def cluster(databases, tmp_path_factory, redis_url):
    cluster = Cluster(databases, tmp_path_factory.mktemp("instances"), redis_url)
    yield cluster
    cluster.stop()


def _door_round(tablet: Tablet, meeting_id: int, code: str, sha: str) -> dict:
    """What a door tablet sends for one attendee, each request to the next instance:
    the scan, the card, the confirm, the door page again. Returns who answered which."""
    served = {}
    status, _ = tablet.request("GET", f"/meetings/{meeting_id}/door/?code={code}")
    assert status == 303, status
    served["scan"] = tablet.port
    status, card = tablet.request("GET", tablet.headers["Location"])
    assert status == 200, status
    key = re.search(rb'name="key" type="hidden" value="([^"]+)"', card).group(1).decode()
    status, _ = tablet.check_in(meeting_id, code, key, sha)
    assert status == 303, status
    served["check_in"] = tablet.port
    status, _ = tablet.request("GET", tablet.headers["Location"])
    assert status == 200, status
    return served


def test_tablets_alternating_between_two_instances_check_everyone_in_once(cluster):
    a, b = cluster.ports["a"], cluster.ports["b"]
    plan = cluster.plan
    # two tablets behind a round-robin balancer (the login's two requests go to both)
    tablets = [
        Tablet(a, b).log_in("clerk1", races.PASSWORD),
        Tablet(b, a).log_in("clerk2", races.PASSWORD),
    ]
    codes = plan.invitations[RACES : RACES + CHECK_INS]
    served = Counter()
    for i, code in enumerate(codes):
        served[_door_round(tablets[i % 2], plan.door, code, plan.sha)["check_in"]] += 1
    assert set(served) == {a, b}

    def stored():
        from meetingsec.attendees.models import Attendee
        from meetingsec.door.models import CheckIn
        from meetingsec.extensions import db

        return db.session.execute(
            select(Attendee.invitation_code, func.count(CheckIn.id))
            .join(CheckIn, CheckIn.attendee_id == Attendee.id)
            .where(Attendee.invitation_code.in_(codes))
            .group_by(Attendee.invitation_code)
        ).all()

    assert dict(cluster.query(stored)) == dict.fromkeys(codes, 1)


def test_a_race_on_one_invitation_across_the_instances_succeeds_once(cluster):
    a, b = cluster.ports["a"], cluster.ports["b"]
    results = races.race((a, b), cluster.plan, "check_in", RACES)
    assert results == {"ok": RACES}


def test_a_record_asked_on_one_instance_is_rendered_by_the_worker_and_served_by_the_other(
    cluster,
):
    from meetingsec.extensions import db
    from meetingsec.records.models import Record, RecordJob

    a, b = cluster.ports["a"], cluster.ports["b"]
    door = cluster.plan.door
    on_a = Tablet(a).log_in("org", races.PASSWORD)
    on_b = Tablet(b)
    on_b.cookie, on_b.csrf = on_a.cookie, on_a.csrf  # the same login, on the other instance
    status, _ = on_a.post(f"/meetings/{door}/records/attendance", {})
    assert status == 303, status
    job_id = cluster.query(lambda: db.session.scalar(select(func.max(RecordJob.id))))

    def rendered():  # the records page polls the job; a finished one reloads the page
        status, _ = on_b.request(
            "GET", f"/meetings/{door}/records/jobs/{job_id}", headers={"HX-Request": "true"}
        )
        assert status == 200, status
        return on_b.headers.get("HX-Refresh") == "true"

    _wait_for(rendered, "the record", timeout=120)
    status, pdf = on_b.request("GET", f"/meetings/{door}/records/attendance.pdf")
    assert status == 200, status
    assert pdf.startswith(b"%PDF")
    stored = cluster.query(
        lambda: db.session.scalar(select(Record.sha256).where(Record.meeting_id == door))
    )
    assert hashlib.sha256(pdf).hexdigest() == stored


def test_the_audit_chain_verifies_with_events_and_checkpoints_from_both_instances(cluster):
    """Each instance checks one attendee in; every event signs the head at once, so each
    instance signs a checkpoint with the key the README says to copy, and the whole chain
    (with what the other tests wrote, the worker's events among them) verifies."""
    from meetingsec.attendees.models import Attendee
    from meetingsec.audit.models import AuditCheckpoint, AuditEvent
    from meetingsec.audit.services import verify_chain
    from meetingsec.door.models import CheckIn
    from meetingsec.extensions import db

    plan = cluster.plan
    codes = plan.invitations[RACES + CHECK_INS :]
    for name, code in zip(("a", "b"), codes, strict=True):
        tablet = Tablet(cluster.ports[name]).log_in("clerk1", races.PASSWORD)
        status, _ = tablet.check_in(plan.door, code, f"audited-{name}", plan.sha)
        assert status == 303, status

    def check():
        check_ins = db.session.scalars(
            select(CheckIn.id).join(Attendee).where(Attendee.invitation_code.in_(codes))
        ).all()
        events = db.session.scalars(
            select(AuditEvent.seq).where(
                AuditEvent.action == "door.checked_in",
                AuditEvent.object_id.in_([str(i) for i in check_ins]),
            )
        ).all()
        signed = db.session.scalars(
            select(AuditCheckpoint.seq).where(AuditCheckpoint.seq.in_(events))
        ).all()
        return verify_chain(), events, signed

    result, events, signed = cluster.query(check)
    assert len(events) == 2 and sorted(signed) == sorted(events)  # signed by a, by b
    assert result.ok, result
    assert result.uncovered == 0

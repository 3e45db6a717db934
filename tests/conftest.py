"""Fixtures shared by every test: the database backend (``--db``), the app, clients,
factories, and the rules that keep CI honest (nothing may be skipped)."""

import contextlib
import contextvars
import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from meetingsec import create_app
from meetingsec.config import TestConfig
from meetingsec.extensions import db as _db
from tests.dbserver import Databases

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="Database backend the whole suite runs on.",
    )


def pytest_report_header(config):
    return f"meetingsec database backend: {config.getoption('--db')}"


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    # CI must prove every browser and PostgreSQL test ran: a skip or a deselection fails.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    bad = [k for k in ("skipped", "deselected") if reporter and reporter.stats.get(k)]
    if bad:
        reporter.write_line(
            f"meetingsec: tests were {' and '.join(bad)}; every test must run.", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def backend(pytestconfig) -> str:
    return pytestconfig.getoption("--db")


@pytest.fixture(scope="session")
def databases(backend, tmp_path_factory):
    dbs = Databases(backend, tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.close()


@pytest.fixture
def db_url(databases):
    url = databases.fresh()
    yield url
    databases.drop(url)


def make_app(db_url, instance_path, **overrides):
    config = {"SQLALCHEMY_DATABASE_URI": db_url, "WTF_CSRF_ENABLED": False}
    config.update(overrides)
    return create_app(TestConfig, instance_path=str(instance_path), **config)


@pytest.fixture
def app(db_url, tmp_path):
    app = make_app(db_url, tmp_path / "instance")
    with app.app_context():
        yield app
        _db.session.remove()
        _db.engine.dispose()


class TemplateQueried(AssertionError):
    """A template ran a statement (a lazy load): views hand templates loaded data."""


@contextlib.contextmanager
def templates_never_query(app):
    """Fail any statement run while a template renders (a lazy load in a template)."""
    from flask import before_render_template, request_started, template_rendered
    from sqlalchemy import event

    rendering = contextvars.ContextVar("rendering", default=())

    def request(sender, **extra):
        rendering.set(())

    def started(sender, template, context, **extra):
        rendering.set((*rendering.get(), template.name))

    def finished(sender, template, context, **extra):
        rendering.set(rendering.get()[:-1])

    def statement(conn, cursor, sql, parameters, context, executemany):
        if rendering.get() and not sql.lstrip().upper().startswith(QueryCount.NOISE):
            raise TemplateQueried(f"{rendering.get()[-1]} ran: {' '.join(sql.split())[:200]}")

    request_started.connect(request, app)
    before_render_template.connect(started, app)
    template_rendered.connect(finished, app)
    event.listen(_db.engine, "before_cursor_execute", statement)
    try:
        yield
    finally:
        event.remove(_db.engine, "before_cursor_execute", statement)
        template_rendered.disconnect(finished, app)
        before_render_template.disconnect(started, app)
        request_started.disconnect(request, app)


@pytest.fixture
def no_template_queries(app):
    """A test using this fails when a template it renders runs a statement."""
    with templates_never_query(app):
        yield


@pytest.fixture
def db(app):
    return _db


class IsolatedClient(FlaskClient):
    """Each request runs in a fresh context, as in production: Flask 3.1 would otherwise
    reuse the test's app context, sharing ``g`` (a cached login) and the DB session.

    The test's own transaction is committed first: SQLite transactions take the write lock
    when they begin, so an open read in the test would make the request wait.
    """

    def open(self, *args, **kwargs):
        _db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


PASSWORD = "correct horse battery"


@pytest.fixture
def make_user(app):
    """``make_user("organiser")`` or ``make_user(roles={Role.ADMIN}, username=…)``."""
    from meetingsec.users.roles import Role
    from meetingsec.users.services import create_user

    counter = iter(range(1, 10_000))

    def make(*role_names, **kw):
        roles = kw.pop("roles", None) or {Role(r) for r in (role_names or ("organiser",))}
        n = next(counter)
        kw.setdefault("username", f"user{n}")
        kw.setdefault("full_name", f"Người Dùng {n}")
        kw.setdefault("password", PASSWORD)
        user = create_user(actor=None, roles=roles, **kw)
        _db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Log ``client`` in through the real login form."""

    def do(user, password=PASSWORD):
        resp = client.post("/login", data={"username": user.username, "password": password})
        assert resp.status_code == 303, resp.get_data(as_text=True)
        return resp

    return do


# Hypothesis: `make test` runs 200 examples per form and endpoint on SQLite and 100 more on
# PostgreSQL (where the same requests meet column lengths and types SQLite lets pass);
# `make fuzz` runs 10,000.
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("default", max_examples=200, deadline=None)
_hypothesis_settings.register_profile("postgresql", max_examples=100, deadline=None)
_hypothesis_settings.register_profile("fuzz", max_examples=10_000, deadline=None)


def pytest_configure(config):
    profile = os.environ.get("HYPOTHESIS_PROFILE")
    if profile is None:
        profile = "postgresql" if config.getoption("--db") == "postgresql" else "default"
    _hypothesis_settings.load_profile(profile)


@pytest.fixture
def make_meeting(app, make_user):
    """``make_meeting(classification="mat", at_hq=True, …)``: a meeting in draft, created by
    an organiser through the service, with a venue, host unit and chair of its own."""
    from datetime import timedelta

    from meetingsec.core.db import utcnow
    from meetingsec.meetings.services import MeetingData, create_meeting
    from meetingsec.org.services import save_unit, save_venue

    counter = iter(range(1, 10_000))

    def make(
        *,
        classification="tuyet_mat",
        at_hq=False,
        closed_room=True,
        format="in_person",
        organiser=None,
        chair=None,
        technicians=(),
        clerks=(),
        recording_planned=False,
        starts_in=timedelta(days=7),
        title=None,
    ):
        n = next(counter)
        venue = save_venue(
            None, actor=None, name=f"Địa điểm {n}", address="", at_hq=at_hq, closed_room=closed_room
        )
        unit = save_unit(None, actor=None, name=f"Đơn vị chủ trì {n}", parent=None)
        organiser = organiser or make_user("organiser")
        chair = chair or make_user("chair")
        start = utcnow() + starts_in
        meeting = create_meeting(
            MeetingData(
                title=title or f"Hội nghị số {n}",
                kind="hoi_nghi",
                classification=classification,
                format=format,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                venue=venue,
                host_unit=unit,
                chair=chair,
                technicians=list(technicians),
                clerks=list(clerks),
                recording_planned=recording_planned,
            ),
            actor=organiser,
        )
        _db.session.commit()
        return meeting

    return make


@pytest.fixture
def make_device(app):
    """``make_device(kind="wired_mic", ban_co_yeu=False)``: a registered device."""
    from meetingsec.devices.services import save_device

    def make(
        kind="wired_mic",
        *,
        ban_co_yeu=False,
        make="Bosch",
        model="CCS 1000",
        serial="",
        tag_code=None,
    ):
        device = save_device(
            None,
            actor=None,
            kind=kind,
            make=make,
            model=model,
            serial=serial,
            owner_unit=None,
            ban_co_yeu=ban_co_yeu,
            notes="",
        )
        if tag_code:
            device.tag_code = tag_code
        _db.session.commit()
        return device

    return make


@pytest.fixture
def open_door(make_meeting, make_user):
    """``open_door(n=3, classification=…)``: a meeting cleared to start (the gate itself is
    tested with the meetings), a door clerk on its team, ``n`` approved attendees."""
    from meetingsec.attendees.services import add_attendees, approve_list, shown_changes

    def make(n=3, *, classification="toi_mat", device_policy=None, names=None):
        clerk = make_user("clerk")
        meeting = make_meeting(clerks=[clerk], classification=classification)
        names = names or [f"Nguyễn Văn Khách {i}" for i in range(1, n + 1)]
        people = add_attendees(
            meeting,
            [
                {"full_name": name, "unit_name": "Sở Nội vụ", "position": "Chuyên viên"}
                for name in names
            ],
            actor=meeting.organiser,
            source="test",
        )
        approve_list(meeting, actor=meeting.chair, seen=shown_changes(people, []))
        meeting.status = "cleared"
        meeting.device_policy = device_policy
        _db.session.commit()
        return meeting, clerk, people

    return make


@pytest.fixture
def ended_meeting(open_door):
    """``ended_meeting()``: a Tối mật meeting whose session has ended (closing): three
    approved people, two checked in with a phone each (one handed back), a document of
    two copies, copy 1 handed to the first person and not yet recovered."""
    from meetingsec.documents import services as documents
    from meetingsec.door import services as door
    from meetingsec.meetings import services as meetings
    from tests.helpers import check_in

    def make(**kw):
        meeting, clerk, people = open_door(**kw)
        a, b = people[0], people[1]
        check_in(meeting, clerk, a)
        check_in(meeting, clerk, b)
        doc = documents.register_document(
            meeting,
            actor=meeting.organiser,
            number="07/KH-BCĐ",
            title="Kế hoạch bảo vệ",
            classification=meeting.classification,
            copy_count=2,
            copy_authorisation="Giám đốc cho phép sao 2 bản",
        )
        documents.hand_out(
            meeting,
            actor=clerk,
            key=f"fixture-handout-{meeting.id}",
            attendee_code=a.invitation_code,
            copy_code=doc.copies[0].code,
        )
        meetings.start_session(meeting, actor=meeting.chair)
        deposit = door.unreturned(b)[0]
        door.return_items(
            meeting, b, actor=clerk, key=f"fixture-return-{meeting.id}", deposit_ids=[deposit.id]
        )
        meetings.end_session(meeting, actor=meeting.chair)
        _db.session.commit()
        return meeting, clerk, people, doc

    return make


@pytest.fixture
def worker(app, db_url):
    """The real background worker (``flask worker``, huey's consumer) as its own process,
    on the test's database and job queue. Yields a function that waits for the worker to
    finish a job."""
    import subprocess
    import sys
    import time

    env = {
        **os.environ,
        "FLASK_APP": "meetingsec:create_app",
        "MEETINGSEC_SQLALCHEMY_DATABASE_URI": db_url,
        "MEETINGSEC_INSTANCE_PATH": app.instance_path,
    }
    flask = Path(sys.executable).with_name("flask")
    proc = subprocess.Popen(
        [str(flask), "worker", "--nice", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def wait(job_id: int, timeout: float = 60) -> str:
        from meetingsec.records.models import RecordJob

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _db.session.commit()  # a fresh snapshot each time
            state = _db.session.get(RecordJob, job_id).state
            _db.session.commit()
            if state in ("done", "failed"):
                return state
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} not done in {timeout} s")

    yield wait
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


class QueryCount:
    """The statements a block ran: ``count`` of them, their ``statements``."""

    #: Transaction bookkeeping, not work a page asks for
    NOISE = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")

    def __init__(self, requests_only: bool):
        self.requests_only = requests_only
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        from flask import has_request_context

        if self.requests_only and not has_request_context():
            return  # the test's own setup and checks
        if statement.lstrip().upper().startswith(self.NOISE):
            return
        self.statements.append(statement)

    def __str__(self) -> str:
        return f"{self.count} statements:\n" + "\n".join(
            f"  {i}. {' '.join(s.split())[:160]}" for i, s in enumerate(self.statements, 1)
        )


@pytest.fixture
def count_queries(app):
    """``with count_queries() as q: client.get(...)`` then ``q.count``: the statements run by
    requests inside the block (``requests_only=False`` counts the test's own too), without
    transaction bookkeeping (BEGIN, SAVEPOINT, COMMIT)."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def count(*, requests_only: bool = True):
        counter = QueryCount(requests_only)
        event.listen(_db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(_db.engine, "before_cursor_execute", counter)

    return count

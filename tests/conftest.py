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
from tests import compiling, factories
from tests.dbserver import Databases
from tests.factories import PASSWORD

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


def pytest_addoption(parser):
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="Database backend the whole suite runs on.",
    )


compiling.share_compiled_sql(_db)
compiling.share_url_builders()


def pytest_report_header(config):
    return f"meetingsec database backend: {config.getoption('--db')}"


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql_only`` (several app instances on one database server, which
    SQLite is not) are left out of the SQLite run: not skipped nor deselected, so that any
    skip still fails; the PostgreSQL run, which CI requires too, runs them."""
    if config.getoption("--db") == "postgresql":
        return
    kept = [item for item in items if not item.get_closest_marker("postgresql_only")]
    config.stash[_POSTGRESQL_ONLY] = len(items) - len(kept)
    items[:] = kept


_POSTGRESQL_ONLY = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, config):
    left = config.stash.get(_POSTGRESQL_ONLY, 0)
    if left:
        terminalreporter.write_line(
            f"meetingsec: {left} test(s) for PostgreSQL only run with --db=postgresql."
        )


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


@pytest.fixture(autouse=True)
def no_template_queries(request):
    """Every test with an app fails when a template it renders runs a statement (a lazy
    load): pages load what they show in their package's queries."""
    if "app" not in request.fixturenames:
        yield
        return
    with templates_never_query(request.getfixturevalue("app")):
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


@pytest.fixture
def make_user(app):
    return factories.user_factory()


@pytest.fixture
def login(client):
    """Log ``client`` in through the real login form."""

    def do(user, password=PASSWORD):
        resp = client.post("/login", data={"username": user.username, "password": password})
        assert resp.status_code == 303, resp.get_data(as_text=True)
        return resp

    return do


# Hypothesis: `make test` runs 50 examples per form and endpoint on SQLite and 25 more on
# PostgreSQL (where the same requests meet column lengths and types SQLite lets pass): the
# fuzzing was half of the suite's time at 200 and 100; `make fuzz` runs 10,000 (run it
# after changing a form, an endpoint or a validator).
from hypothesis import settings as _hypothesis_settings  # noqa: E402

_hypothesis_settings.register_profile("default", max_examples=50, deadline=None)
_hypothesis_settings.register_profile("postgresql", max_examples=25, deadline=None)
_hypothesis_settings.register_profile("fuzz", max_examples=10_000, deadline=None)


def pytest_configure(config):
    profile = os.environ.get("HYPOTHESIS_PROFILE")
    if profile is None:
        profile = "postgresql" if config.getoption("--db") == "postgresql" else "default"
    _hypothesis_settings.load_profile(profile)


@pytest.fixture
def make_meeting(app, make_user):
    return factories.meeting_factory(make_user)


@pytest.fixture
def make_device(app):
    return factories.device_factory()


@pytest.fixture
def open_door(make_meeting, make_user):
    return factories.door_factory(make_meeting, make_user)


@pytest.fixture
def ended_meeting(open_door):
    return factories.ended_meeting_factory(open_door)


@pytest.fixture
def closed_out(make_meeting, make_user, make_device):
    return factories.closed_out_factory(make_meeting, make_user, make_device)


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

"""Test databases: a SQLite file, or a throwaway PostgreSQL server on a unix socket.

The schema is built once by the real migrations into a template; each test gets a fresh
copy (a file copy for SQLite, ``CREATE DATABASE … TEMPLATE`` for PostgreSQL).
"""

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import sqlalchemy as sa

_counter = itertools.count()


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL is not installed: run `make install` (Debian package postgresql)."
        )
    return Path(found[-1]).parent


class PostgresServer:
    """A server started for this test run and stopped at its end."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="meetingsec-pg-"))
        self.data = self.dir / "data"
        run_as = [] if os.geteuid() != 0 else ["su", "postgres", "-s", "/bin/sh", "-c"]
        if run_as:
            shutil.chown(self.dir, "postgres")
        self._run_as = run_as
        bindir = _pg_bin()
        self._pg_ctl = bindir / "pg_ctl"
        self._sh(
            f"{bindir / 'initdb'} -D {self.data} -U postgres -A trust -E UTF8 "
            f"--locale=C.UTF-8 --no-sync >/dev/null"
        )
        opts = (
            f"-k {self.dir} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            f"-c full_page_writes=off -c max_connections=200"
        )
        self._sh(
            f'{self._pg_ctl} -D {self.data} -l {self.dir / "log"} -w -o "{opts}" start >/dev/null'
        )
        self.admin = sa.create_engine(
            self.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )

    def _sh(self, cmd: str) -> None:
        args = [*self._run_as, cmd] if self._run_as else ["sh", "-c", cmd]
        subprocess.run(args, check=True)

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@/{dbname}?host={self.dir}"

    def execute(self, sql: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)

    def stop(self) -> None:
        self.admin.dispose()
        self._sh(f"{self._pg_ctl} -D {self.data} -m immediate stop >/dev/null")
        shutil.rmtree(self.dir, ignore_errors=True)


class Databases:
    """Makes a fresh, migrated database per test on the chosen backend."""

    def __init__(self, backend: str, workdir: Path):
        self.backend = backend
        self.workdir = workdir
        self.server = PostgresServer() if backend == "postgresql" else None
        self._template_url = self._new_url("template")
        if self.server:
            self.server.execute('CREATE DATABASE "template"')
        self._migrate(self._template_url)
        if self.server:
            self.server.execute('ALTER DATABASE "template" WITH ALLOW_CONNECTIONS false')

    def _new_url(self, name: str) -> str:
        if self.server:
            return self.server.url(name)
        return f"sqlite:///{self.workdir / (name + '.db')}"

    @staticmethod
    def _migrate(url: str) -> None:
        from flask_migrate import upgrade

        from meetingsec import create_app
        from meetingsec.config import TestConfig

        app = create_app(TestConfig, instance_path=tempfile.mkdtemp(), SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            upgrade()
            from meetingsec.extensions import db

            db.engine.dispose()

    def fresh(self) -> str:
        name = f"t{next(_counter)}"
        url = self._new_url(name)
        if self.server:
            # FILE_COPY: twice as fast as PostgreSQL 15's default for a small template
            self.server.execute(f'CREATE DATABASE "{name}" TEMPLATE "template" STRATEGY FILE_COPY')
        else:
            shutil.copyfile(self.workdir / "template.db", self.workdir / f"{name}.db")
        return url

    def drop(self, url: str) -> None:
        if self.server:
            name = sa.engine.make_url(url).database
            self.server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            path = Path(url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)

    def close(self) -> None:
        if self.server:
            self.server.stop()

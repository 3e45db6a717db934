"""``flask backup`` and ``flask restore``: a consistent copy of the installation, made while
the app runs, and its restoration.

A backup is a folder (``instance/backups/<UTC time>/`` unless another is named), readable
by root only, holding:

- ``database.sqlite3``: SQLite's online backup API copies every page from one read
  snapshot, so check-ins carry on while it runs and the copy is one consistent moment; or
  ``database.pgdump``: ``pg_dump`` (custom format) reads one repeatable-read snapshot;
- ``audit-signing.key``: the key of the audit chain's checkpoints (without it a restored
  chain's checkpoints cannot be checked);
- ``manifest.json``: the backend, the audit chain's head at the backup, and each file's
  SHA-256, checked before anything is restored.
"""

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from meetingsec.audit import checkpoints
from meetingsec.audit.services import record, verify_chain
from meetingsec.extensions import db

MANIFEST = "manifest.json"
KEY = "audit-signing.key"


class BackupError(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    """The newest installed PostgreSQL client tool (Debian keeps them per version)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    tool = found[-1] if found else shutil.which(name)
    if not tool:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client).")
    return tool


def _version_key(path: str) -> int:
    part = Path(path).parts[-3]
    return int(part) if part.isdigit() else 0


def _libpq_url(url: sa.engine.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_file(url: sa.engine.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("An in-memory SQLite database cannot be backed up.")
    return Path(url.database)


@dataclass(frozen=True)
class Backup:
    folder: Path
    head_seq: int
    head_hash: str


def make_backup(folder: Path | None = None) -> Backup:
    """Copy the database (one consistent snapshot) and the signing key into ``folder``.

    The backup is audited first, so the copy holds its own event.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(folder or Path(current_app.instance_path) / "backups" / stamp)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty.")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)
    record("backup.made", object_type="backup", object_id=stamp, data={"folder": str(folder)})
    checkpoints.checkpoint_head()  # the copy ends on a signed head
    db.session.commit()
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        name = "database.sqlite3"
        _sqlite_copy(str(_sqlite_file(url)), folder / name, one_file=True)
        head = _sqlite_head(folder / name)
    else:
        name = "database.pgdump"
        head = _pg_dump(url, folder / name)
    files = [name]
    key = checkpoints.key_path()
    if key.exists():
        shutil.copy2(key, folder / KEY)
        files.append(KEY)
    for f in files:
        (folder / f).chmod(0o600)
    manifest = {
        "backend": url.get_backend_name(),
        "made_at": stamp,
        "head": list(head),
        "files": {f: _sha256(folder / f) for f in files},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return Backup(folder, *head)


def _sqlite_copy(source: str, target: Path, *, one_file: bool = False) -> None:
    """Every page of ``source`` (a path or a ``file:`` URI) into ``target``, from one read
    snapshot (SQLite's online backup API: writers go on meanwhile). ``one_file``: the copy
    leaves WAL mode, so it is a single self-contained file."""
    with closing(sqlite3.connect(source, uri=True)) as src, closing(sqlite3.connect(target)) as dst:
        with dst:
            src.backup(dst)
        if one_file:
            dst.execute("PRAGMA journal_mode=DELETE")


def _sqlite_head(path: Path) -> tuple[int, str]:
    """The chain's head in the copy itself."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return (row[0], row[1]) if row else (0, "")


def _pg_dump(url: sa.engine.URL, path: Path) -> tuple[int, str]:
    """pg_dump from a snapshot this transaction exports, so the head read here is the
    head of the dump."""
    with db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            row = conn.exec_driver_sql(
                "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
            ).first()
            subprocess.run(
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={path}",
                    _libpq_url(url),
                ],
                check=True,
                capture_output=True,
            )
    return (row[0], row[1]) if row else (0, "")


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a meetingsec backup (no {MANIFEST}).")
    try:
        manifest = json.loads(path.read_text())
        files = manifest["files"]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{path} is unreadable.") from exc
    for name, digest in files.items():
        if Path(name).name != name or _sha256_or_none(folder / name) != digest:
            raise BackupError(f"{folder / name} is missing or does not match its SHA-256.")
    return manifest


def _sha256_or_none(path: Path) -> str | None:
    return _sha256(path) if path.is_file() else None


def restore_backup(folder: Path) -> tuple[int, str]:
    """Replace the configured database with the backup's, and install its signing key.
    Stop the app and the worker first. Returns the restored chain's head."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    url = db.engine.url
    backend = url.get_backend_name()
    if manifest.get("backend") != backend:
        raise BackupError(
            f"The backup is of a {manifest.get('backend')} database; this installation uses "
            f"{backend}."
        )
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        _sqlite_copy(f"file:{folder / 'database.sqlite3'}?mode=ro", _sqlite_file(url))
    else:
        subprocess.run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq_url(url)}",
                str(folder / "database.pgdump"),
            ],
            check=True,
            capture_output=True,
        )
    if KEY in manifest["files"]:
        _install_key(folder / KEY)
    record("backup.restored", object_type="backup", object_id=manifest.get("made_at"))
    db.session.commit()
    return tuple(manifest["head"])


def _install_key(backup_key: Path) -> None:
    """The backup's checkpoints were signed with its key: install it, keeping a different
    key that was there under another name."""
    key = checkpoints.key_path()
    if key.exists():
        if key.read_bytes() == backup_key.read_bytes():
            return
        key.rename(key.with_name(f"{key.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"))
    key.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(backup_key, key)
    os.chmod(key, 0o600)


@click.command("backup")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the backup (default: instance/backups/<UTC time>).",
)
@with_appcontext
def backup_command(folder):
    """Make a consistent backup while the app runs (database and signing key)."""
    try:
        made = make_backup(folder)
    except (BackupError, subprocess.CalledProcessError, sqlite3.Error) as exc:
        raise click.ClickException(_why(exc)) from exc
    click.echo(f"Backup made in {made.folder}")
    click.echo(f"Audit chain head in the backup: #{made.head_seq} {made.head_hash}")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(folder, yes):
    """Replace this installation's database with a backup's (stop the app first)."""
    if not yes:
        click.confirm(
            f"Replace the database {db.engine.url.render_as_string()} with the backup in {folder}?",
            abort=True,
        )
    try:
        head = restore_backup(folder)
    except (BackupError, subprocess.CalledProcessError, sqlite3.Error) as exc:
        raise click.ClickException(_why(exc)) from exc
    click.echo(f"Restored the backup in {folder} (audit chain head #{head[0]} {head[1]}).")
    result = verify_chain()
    if not result.ok:
        raise click.ClickException(
            f"The restored audit chain does not verify at #{result.bad_seq}."
        )
    click.echo(f"Audit chain verified: {result.count} events.")


def _why(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        return (exc.stderr or b"").decode(errors="replace").strip() or str(exc)
    return str(exc)

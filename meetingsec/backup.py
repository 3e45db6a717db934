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
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from meetingsec.audit import checkpoints
from meetingsec.audit.services import chain_head, record, verify_chain
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
    leaves WAL mode, so it is a single self-contained file. Both connections wait for a
    busy database as long as the app's own do (``SQLITE_BUSY_TIMEOUT``), not sqlite3's 5 s:
    a backup taken while the door is busy waits its turn rather than failing."""
    wait = current_app.config["SQLITE_BUSY_TIMEOUT"]
    with (
        closing(sqlite3.connect(source, uri=True, timeout=wait)) as src,
        closing(sqlite3.connect(target, timeout=wait)) as dst,
    ):
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


def _same_key(wanted: str, kid: str) -> bool:
    """``wanted`` as an administrator types it: the fingerprint (groups of four, any case)
    or the whole key id."""
    typed = "".join(wanted.split()).lower()
    return len(typed) >= 32 and kid.startswith(typed)


def _backup_trust(folder: Path, manifest: dict, accept_key: str | None) -> checkpoints.Trust:
    """The key the backup's checkpoints must verify with, refusing a key other than the one
    this installation trusts (pinned, or already in instance/) unless an administrator named
    the backup key's fingerprint."""
    backup_public = None
    if KEY in manifest["files"]:
        try:
            backup_public = checkpoints.load_private_key(folder / KEY).public_key()
        except ValueError as exc:
            raise BackupError(f"{folder / KEY} is not a signing key.") from exc
    trusted = checkpoints.trust()
    if trusted.unreadable:
        raise BackupError("The pinned AUDIT_PUBLIC_KEY in the settings is unreadable.")
    if backup_public is None:
        if trusted.public is None:
            raise BackupError("The backup holds no signing key and none is pinned here.")
        return trusted
    backup = checkpoints.Trust(backup_public, pinned=False)
    if trusted.public is None or trusted.key_id == backup.key_id:
        return backup
    if accept_key and _same_key(accept_key, backup.key_id):
        return backup
    where = "pinned in the settings" if trusted.pinned else "of this installation"
    raise BackupError(
        f"The backup was signed with key {backup.fingerprint}, not with the key {where} "
        f"({trusted.fingerprint}). Nothing was changed. If that key is really the agency's, "
        f"restore with --accept-key '{backup.fingerprint}' (recorded in the audit log)."
    )


def _check_backup(folder: Path, manifest: dict, trusted: checkpoints.Trust, url) -> None:
    """Verify the backup's audit chain and checkpoints, and that it ends on the head its
    manifest names, before anything of this installation is replaced."""
    backend = url.get_backend_name()
    with _backup_engine(folder, url) as engine, Session(engine) as session:
        result = verify_chain(session=session, trusted=trusted)
        head = list(chain_head(session))
    if not result.ok:
        if result.bad_seq is not None:
            why = f"its audit chain is broken at event #{result.bad_seq} ({result.reason})"
        elif result.forged_checkpoint is not None:
            why = (
                f"its checkpoint at event #{result.forged_checkpoint} is not signed by "
                f"{trusted.fingerprint}"
            )
        else:
            why = f"its signed checkpoint no. {result.missing_checkpoint} is missing"
        raise BackupError(f"The backup is refused: {why}. Nothing was changed.")
    if head[0] != manifest["head"][0] or (head[0] and head[1] != manifest["head"][1]):
        raise BackupError(
            f"The backup is refused: its {backend} data ends at event #{head[0]}, "
            f"its manifest names #{manifest['head'][0]}. Nothing was changed."
        )


@contextmanager
def _backup_engine(folder: Path, url: sa.engine.URL):
    """The backup's database, opened apart from this installation's: the SQLite copy read
    only, or the PostgreSQL dump restored into a scratch database dropped afterwards."""
    if url.get_backend_name() == "sqlite":
        copy = folder / "database.sqlite3"
        engine = sa.create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(f"file:{copy}?mode=ro", uri=True),
            poolclass=sa.pool.NullPool,
        )
        try:
            yield engine
        finally:
            engine.dispose()
        return
    scratch = f"{url.database}_restore_check_{os.getpid()}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{scratch}"')
    except sa.exc.DBAPIError as exc:
        admin.dispose()
        raise BackupError(
            "Checking a backup before restoring it needs a scratch database: give the "
            f"database role CREATEDB ({exc.orig})."
        ) from exc
    engine = sa.create_engine(url.set(database=scratch), poolclass=sa.pool.NullPool)
    try:
        _pg_restore(url.set(database=scratch), folder / "database.pgdump", clean=False)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        admin.dispose()


def _pg_restore(url: sa.engine.URL, dump: Path, *, clean: bool = True) -> None:
    subprocess.run(
        [
            _pg_tool("pg_restore"),
            *(["--clean", "--if-exists"] if clean else []),
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(url)}",
            str(dump),
        ],
        check=True,
        capture_output=True,
    )


def restore_backup(folder: Path, accept_key: str | None = None) -> tuple[int, str]:
    """Replace the configured database with the backup's. Stop the app and the worker
    first. Returns the restored chain's head.

    Nothing is replaced until the backup passed every check: its files' checksums, its
    signing key (the one this installation trusts, unless ``accept_key`` names the backup
    key's fingerprint), its audit chain and checkpoints, and the head its manifest names.
    This installation's key is never overwritten silently: a different one is kept aside
    and the change is audited."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    url = db.engine.url
    backend = url.get_backend_name()
    if manifest.get("backend") != backend:
        raise BackupError(
            f"The backup is of a {manifest.get('backend')} database; this installation uses "
            f"{backend}."
        )
    previous = checkpoints.trust()
    trusted = _backup_trust(folder, manifest, accept_key)
    _check_backup(folder, manifest, trusted, url)
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        _sqlite_copy(f"file:{folder / 'database.sqlite3'}?mode=ro", _sqlite_file(url))
    else:
        _pg_restore(url, folder / "database.pgdump")
    replaced = None
    if KEY in manifest["files"]:
        replaced = _install_key(folder / KEY)
    data = {"fingerprint": trusted.fingerprint}
    if replaced is not None:
        record(
            "backup.key_replaced",
            object_type="backup",
            object_id=manifest.get("made_at"),
            data={
                "old_fingerprint": previous.fingerprint,
                "new_fingerprint": trusted.fingerprint,
                "old_key_kept_as": replaced.name,
                "accepted_by_option": accept_key or "",
            },
        )
    record("backup.restored", object_type="backup", object_id=manifest.get("made_at"), data=data)
    db.session.commit()
    return tuple(manifest["head"])


def _install_key(backup_key: Path) -> Path | None:
    """Install the backup's key (its checkpoints were signed with it). A different key that
    was there is kept under another name, which is returned."""
    key = checkpoints.key_path()
    kept = None
    if key.exists():
        if key.read_bytes() == backup_key.read_bytes():
            return None
        kept = key.with_name(f"{key.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        key.rename(kept)
    key.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(backup_key, key)
    os.chmod(key, 0o600)
    return kept


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
@click.option(
    "--accept-key",
    metavar="FINGERPRINT",
    help="Accept a backup signed with another key than this installation's (its fingerprint, "
    "as the refusal prints it); recorded in the audit log.",
)
@with_appcontext
def restore_command(folder, yes, accept_key):
    """Replace this installation's database with a backup's (stop the app first)."""
    if not yes:
        click.confirm(
            f"Replace the database {db.engine.url.render_as_string()} with the backup in {folder}?",
            abort=True,
        )
    try:
        head = restore_backup(folder, accept_key)
    except (BackupError, subprocess.CalledProcessError, sqlite3.Error) as exc:
        raise click.ClickException(_why(exc)) from exc
    click.echo(f"Restored the backup in {folder} (audit chain head #{head[0]} {head[1]}).")
    result = verify_chain()
    if result.signer_mismatch:
        public = checkpoints.signing_key(create=False).public_key()
        raise click.ClickException(
            "The restored key is not the one pinned in the settings: set "
            f"MEETINGSEC_AUDIT_PUBLIC_KEY={checkpoints.public_key_text(public)} there."
        )
    if not result.ok:
        raise click.ClickException(
            f"The restored audit chain does not verify at #{result.bad_seq}."
        )
    click.echo(f"Audit chain verified: {result.count} events (key {result.key_fingerprint}).")


def _why(exc: Exception) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        return (exc.stderr or b"").decode(errors="replace").strip() or str(exc)
    return str(exc)

"""The attendance sheet's parts as laid out, kept while the meeting runs, so the sheet asked
for at closing lays out only what changed since (``records.tasks.prepare_sheet`` lays the
groups of rows out while the door works).

A part is found by the SHA-256 of its HTML and of what lays it out (this file's
``LAYOUT_VERSION``, WeasyPrint's version, the records' stylesheet): the same HTML gives the
same pages, so a part is never laid out twice, and a changed one is simply another part.
The files sit under ``instance/sheet-parts/<meeting id>/``, private to the app (0600, their
folders 0700) like the rest of ``instance/``: they hold names and signatures. A meeting's
folder keeps only the parts of its latest sheet and goes when the meeting's records are
final (closed or cancelled); all folders together stay under ``SHEET_CACHE_MAX_MB``, the
least recently used meetings going first."""

import hashlib
import os
import shutil
from functools import cache
from pathlib import Path

import weasyprint
from flask import current_app

#: Raised when the way parts are laid out changes (the templates' structure, the renderer's
#: options): every part kept before is laid out again
LAYOUT_VERSION = "1"
FOLDER = "sheet-parts"


@cache
def _layout_fingerprint(static_folder: str) -> bytes:
    css = (Path(static_folder) / "css" / "records.css").read_bytes()
    return f"{LAYOUT_VERSION}|{weasyprint.__version__}|".encode() + hashlib.sha256(css).digest()


def part_key(html: str) -> str:
    """The name a laid-out part is kept under: its HTML and what lays it out."""
    h = hashlib.sha256(_layout_fingerprint(current_app.static_folder))
    h.update(html.encode())
    return h.hexdigest()


def _root(instance_path: str) -> Path:
    return Path(instance_path) / FOLDER


def _private_folder(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


class SheetCache:
    """One meeting's laid-out parts."""

    def __init__(self, instance_path: str, meeting_id: int):
        self.root = _root(instance_path)
        self.folder = self.root / str(int(meeting_id))

    def get(self, key: str) -> bytes | None:
        try:
            data = (self.folder / f"{key}.pdf").read_bytes()
        except FileNotFoundError:
            return None
        os.utime(self.folder)  # the meeting was used: the last its folder to be dropped
        return data

    def put(self, key: str, data: bytes) -> None:
        """Keep a part (written whole, then renamed: a reader never sees half a file)."""
        folder = _private_folder(self.folder)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, folder / f"{key}.pdf")

    def keep_only(self, keys: set[str]) -> None:
        """Drop the parts the meeting's latest sheet no longer has."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix == ".pdf" and path.stem not in keys:
                path.unlink(missing_ok=True)

    def keys(self) -> set[str]:
        if not self.folder.is_dir():
            return set()
        return {p.stem for p in self.folder.iterdir() if p.suffix == ".pdf"}

    def drop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def meetings_kept(instance_path: str) -> list[int]:
    root = _root(instance_path)
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit())


def bound(instance_path: str, max_bytes: int, keep: int | None = None) -> None:
    """Drop the least recently used meetings' parts until all of them fit in ``max_bytes``
    (never ``keep``'s, the meeting being made)."""
    root = _root(instance_path)
    if not root.is_dir():
        return
    folders = []
    for folder in root.iterdir():
        if folder.is_dir():
            size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
            folders.append((folder.stat().st_mtime, folder, size))
    total = sum(size for _t, _f, size in folders)
    for _mtime, folder, size in sorted(folders, key=lambda f: f[0]):
        if total <= max_bytes:
            break
        if keep is not None and folder.name == str(keep):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        total -= size

"""The release manifest, and the comparison of the installed files with it.

A release folder (``/opt/meetingsec/releases/<version>``, made by ``install.sh``) holds:

- the application (``app/`` of the tarball) and the release's ``RELEASE.json``,
  ``sbom.cdx.json`` and ``SHA256SUMS`` (the checksum of every file of the tarball: what the
  build made, which anyone can recompute from the tarball);
- ``.venv/`` and the bytecode, made on the server by install.sh; what it made is listed in
  ``INSTALLED.sha256`` right after, before anything ran, once every application file was
  checked against ``SHA256SUMS``.

Every file in the folder must be listed in one of the two, with the same SHA-256: a file
added (a planted module), changed (an edited template) or missing is named. The folder and
both lists belong to root; the app's account can read them, not change them.

Standard library only: install.sh runs ``python -m meetingsec.about.manifest write``.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

RELEASE_SUMS = "SHA256SUMS"
INSTALLED_SUMS = "INSTALLED.sha256"
#: Files of the tarball's top level that install.sh copies into the release folder
TOP_LEVEL = ("RELEASE.json", "sbom.cdx.json")
#: The two lists themselves (each is checked by what it lists, and belongs to root)
LISTS = (RELEASE_SUMS, INSTALLED_SUMS)


@dataclass
class Comparison:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.added or self.changed or self.missing)


def file_digest(path: Path) -> str:
    """SHA-256 of a file, or of ``symlink:<target>`` for a symbolic link."""
    if path.is_symlink():
        return hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(path))).hexdigest()
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def scan(root: Path) -> dict[str, str]:
    """Every file and symbolic link under ``root`` (links not followed): path -> digest."""
    found = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        for name in dirs:
            if (here / name).is_symlink():
                files.append(name)  # a link to a folder is an entry of its own
        for name in files:
            path = here / name
            rel = path.relative_to(root).as_posix()
            if rel not in LISTS:
                found[rel] = file_digest(path)
    return found


def read_sums(path: Path) -> dict[str, str]:
    """``sha256sum``'s format: ``<hex>  <path>`` per line."""
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, sep, name = line.partition("  ")
        if sep and len(digest) == 64:
            sums[name] = digest
    return sums


def release_files(root: Path) -> dict[str, str]:
    """What SHA256SUMS says the release folder holds (``app/`` becomes the folder's root)."""
    expected = {}
    for name, digest in read_sums(root / RELEASE_SUMS).items():
        if name.startswith("app/"):
            expected[name[4:]] = digest
        elif name in TOP_LEVEL:
            expected[name] = digest
    return expected


def is_release(root: Path) -> bool:
    return (root / RELEASE_SUMS).is_file() and (root / INSTALLED_SUMS).is_file()


def compare(root: Path) -> Comparison:
    """Compare the files under ``root`` with both lists."""
    expected = read_sums(root / INSTALLED_SUMS)
    expected.update(release_files(root))  # the release's own checksums win
    found = scan(root)
    result = Comparison(checked=len(found))
    for name, digest in sorted(found.items()):
        if name not in expected:
            result.added.append(name)
        elif expected[name] != digest:
            result.changed.append(name)
    result.missing = sorted(set(expected) - set(found))
    return result


def write_installed(root: Path) -> int:
    """install.sh: check the application against SHA256SUMS, then list everything else
    (the venv, the bytecode) in INSTALLED.sha256. Returns the number of files listed."""
    expected = release_files(root)
    found = scan(root)
    wrong = sorted(n for n, d in expected.items() if found.get(n) != d)
    if wrong:
        raise SystemExit(f"the installed application differs from SHA256SUMS: {', '.join(wrong)}")
    rest = {n: d for n, d in found.items() if n not in expected}
    lines = [f"{digest}  {name}" for name, digest in sorted(rest.items())]
    (root / INSTALLED_SUMS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rest)


def main(argv: list[str]) -> int:
    root = Path.cwd()
    if argv == ["write"]:
        count = write_installed(root)
        print(f"meetingsec: {INSTALLED_SUMS} lists {count} files made by the install")
        return 0
    if argv == ["check"]:
        result = compare(root)
        for kind in ("added", "changed", "missing"):
            for name in getattr(result, kind):
                print(f"{kind}: {name}")
        return 0 if result.ok else 1
    print("usage: python -m meetingsec.about.manifest write|check (in a release folder)")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

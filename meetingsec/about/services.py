"""The software this server runs, and the self-check of its files against the release."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from flask import current_app

from meetingsec.about import manifest
from meetingsec.audit.services import record

#: How many names of each kind an audit event keeps (the count is always whole)
EVENT_NAMES = 50


@dataclass(frozen=True)
class ReleaseInfo:
    #: The folder the app runs from (a release folder, or a development checkout)
    root: Path
    version: str
    commit: str | None
    tag: str | None
    platform: str | None
    #: SHA-256 of the release's SHA256SUMS (which pins every file of the release)
    sums_sha256: str | None
    #: SHA-256 of the tarball, when install.sh found it beside the release folder
    tarball_sha256: str | None
    has_sbom: bool

    @property
    def is_release(self) -> bool:
        return self.commit is not None


def app_root() -> Path:
    """The folder holding the ``meetingsec`` package (and, in a release, its manifest)."""
    return Path(current_app.root_path).parent


def release_info(root: Path | None = None) -> ReleaseInfo:
    root = root or app_root()
    data = {}
    if manifest.is_release(root):
        try:
            data = json.loads((root / "RELEASE.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
    tarball = root / "TARBALL.sha256"
    return ReleaseInfo(
        root=root,
        version=str(data.get("version") or _own_version()),
        commit=data.get("commit"),
        tag=data.get("tag"),
        platform=data.get("platform"),
        sums_sha256=manifest.file_digest(root / manifest.RELEASE_SUMS) if data else None,
        tarball_sha256=tarball.read_text().strip() if data and tarball.is_file() else None,
        has_sbom=bool(data) and (root / "sbom.cdx.json").is_file(),
    )


def _own_version() -> str:
    try:
        return metadata.version("meetingsec")
    except metadata.PackageNotFoundError:
        return "?"


def sbom_path(root: Path | None = None) -> Path | None:
    info = release_info(root)
    return info.root / "sbom.cdx.json" if info.has_sbom else None


def installed_packages() -> list[tuple[str, str, str]]:
    """(name, version, licence) of every Python package the app's environment holds."""
    found = {}
    for dist in metadata.distributions():
        name = dist.metadata.get("Name")
        if not name:
            continue
        licence = dist.metadata.get("License-Expression") or dist.metadata.get("License") or ""
        if len(licence) > 60 or "\n" in licence:  # the whole licence text: name it by classifier
            licence = ""
        if not licence:
            classifiers = dist.metadata.get_all("Classifier") or []
            licence = ", ".join(
                c.rsplit(" :: ", 1)[-1] for c in classifiers if c.startswith("License ::")
            )
        found[name.lower()] = (name, dist.version, licence)
    return [found[k] for k in sorted(found)]


def sbom_summary(root: Path | None = None) -> dict[str, list[tuple[str, str, str]]]:
    """The release's components by kind: (name, version, licence)."""
    path = sbom_path(root)
    kinds: dict[str, list[tuple[str, str, str]]] = {}
    if path is None:
        return kinds
    try:
        bom = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return kinds
    for comp in bom.get("components", []):
        props = {p.get("name"): p.get("value") for p in comp.get("properties", [])}
        kind = props.get("meetingsec:kind", "other")
        licences = []
        for lic in comp.get("licenses", []):
            inner = lic.get("license", {})
            licences.append(lic.get("expression") or inner.get("id") or inner.get("name") or "")
        kinds.setdefault(kind, []).append(
            (comp.get("name", ""), comp.get("version", ""), " ".join(filter(None, licences)))
        )
    return kinds


@dataclass(frozen=True)
class SelfcheckResult:
    #: False on a development checkout: there is no manifest to compare with
    is_release: bool
    comparison: manifest.Comparison | None

    @property
    def ok(self) -> bool:
        return self.is_release and self.comparison is not None and self.comparison.ok


def selfcheck(root: Path | None = None) -> SelfcheckResult:
    """Compare every file of the release folder (the app and its venv) with the manifest."""
    root = root or app_root()
    if not manifest.is_release(root):
        return SelfcheckResult(is_release=False, comparison=None)
    return SelfcheckResult(is_release=True, comparison=manifest.compare(root))


def record_selfcheck(result: SelfcheckResult, *, actor=None, now: datetime | None = None) -> None:
    """The result goes into the audit log (``software.selfcheck``), in the caller's
    transaction."""
    c = result.comparison
    if c is None:
        return
    data = {
        "ok": c.ok,
        "version": release_info().version,
        "checked": c.checked,
        **{kind: getattr(c, kind)[:EVENT_NAMES] for kind in ("added", "changed", "missing")},
        **{f"{kind}_count": len(getattr(c, kind)) for kind in ("added", "changed", "missing")},
    }
    record("software.selfcheck", actor=actor, object_type="software", now=now, data=data)


def run_selfcheck(*, actor=None, now: datetime | None = None) -> SelfcheckResult:
    """Check, and record the result in the audit log (flushed, not committed)."""
    result = selfcheck()
    record_selfcheck(result, actor=actor, now=now)
    return result

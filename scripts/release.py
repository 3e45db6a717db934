#!/usr/bin/env python3
"""Build meetingsec's offline release: one reproducible tarball that installs on a minimal
Debian 12 (amd64) with no network.

    scripts/release.py build [--ref v0.2.0] [--out dist]
    scripts/release.py lock            # rewrite release/requirements.txt (pins + hashes)

What ``build`` puts in ``dist/meetingsec-<version>-debian12-amd64.tar.gz``:

- ``app/``: the source at the commit (``git archive``), the browser assets copied into
  ``meetingsec/static/vendor/`` (``npm ci`` + ``scripts/vendor.sh``) and the compiled
  translations (``.mo``);
- ``wheelhouse/``: every Python dependency as a wheel for Debian 12's python3 (CPython 3.11,
  manylinux x86_64), exactly the pins and hashes of ``release/requirements.txt``;
- ``debs/``: the Debian packages the app needs at run time that a *minimal* Debian 12 lacks
  (computed against a ``debootstrap --variant=minbase bookworm`` root, never this machine);
  ``debs-optional/postgresql`` and ``debs-optional/redis``: the servers, for ``install.sh
  --with-postgresql`` / ``--with-redis``;
- ``install.sh``, ``RELEASE.json`` (version, commit, tag), ``sbom.cdx.json`` (CycloneDX 1.6:
  every Python package, browser asset and Debian package with version, licence and hash)
  and ``SHA256SUMS`` (every other file of the release).

Reproducible: the same commit gives the same bytes. Every mtime is the commit's time
(``SOURCE_DATE_EPOCH``), entries are sorted, owned by 0/0, gzip stores no name or time, and
the SBOM has no timestamp of its own and a serial number derived from the commit.

Needs root (debootstrap, apt with its own state), git, npm, and the network: run it on a
connected build machine, never on the LAN server.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess  # nosec B404: a build tool, every command is a fixed list
import sys
import tarfile
import tempfile
import time
import tomllib
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLATFORM = "debian12-amd64"
SUITE = "bookworm"
MIRROR = os.environ.get("MEETINGSEC_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SECURITY = os.environ.get("MEETINGSEC_DEBIAN_SECURITY", "http://deb.debian.org/debian-security")
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
CACHE = Path(os.environ.get("MEETINGSEC_RELEASE_CACHE", "/var/cache/meetingsec-release-test"))
#: What WeasyPrint, the fonts of the records and the virtual environment need at run time
RUNTIME_DEBS = [
    "python3-venv",
    "fonts-liberation2",
    "libpango-1.0-0",
    "libpangoft2-1.0-0",
    "libharfbuzz-subset0",
]
OPTIONAL_DEBS = {"postgresql": ["postgresql"], "redis": ["redis-server"]}
#: pip's view of Debian 12's python3 on amd64 (glibc 2.36)
PIP_TARGET = [
    "--only-binary=:all:",
    "--implementation=cp",
    "--python-version=3.11",
    "--abi=cp311",
    *(
        f"--platform={p}"
        for p in (
            "manylinux_2_28_x86_64",
            "manylinux_2_27_x86_64",
            "manylinux_2_26_x86_64",
            "manylinux_2_17_x86_64",
            "manylinux2014_x86_64",
        )
    ),
]
LOCK = "release/requirements.txt"
#: Debian 12's python3 (markers such as python_full_version < "3.11.3" are decided for it)
DEBIAN_PYTHON = "3.11.2"


def log(msg: str) -> None:
    print(f"release: {msg}", file=sys.stderr, flush=True)


def run(*cmd, cwd=None, env=None, capture=False) -> str:
    out = subprocess.run(  # nosec B603
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else sys.stderr,  # stdout: the digest only
    )
    return out.stdout if capture else ""


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def pip_env() -> dict:
    """pip with no site configuration: the index is PyPI and nothing else."""
    env = dict(os.environ)
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    for key in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_CONSTRAINT"):
        env.pop(key, None)
    return env


# --- the lock file ---------------------------------------------------------------------


def lock(args) -> None:
    """Pin every run-time dependency (the versions this checkout's .venv tests with) with
    the hash of its wheel for the target: ``release/requirements.txt``.

    pip evaluates dependency markers against the Python running it, not the target: a
    dependency that only Debian's 3.11.2 needs (redis wants async-timeout before 3.11.3)
    would be missed. So the markers are evaluated again for Debian 12's python3 and what is
    missing is added, until nothing is."""
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    target_env = {
        **default_environment(),
        **{"python_full_version": DEBIAN_PYTHON, "python_version": DEBIAN_PYTHON[:4]},
        **{"implementation_name": "cpython", "platform_python_implementation": "CPython"},
        **{"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64"},
    }
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    freeze = run(sys.executable, "-m", "pip", "freeze", "--exclude-editable", capture=True)
    added: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp, "constraints.txt")
        constraints.write_text(freeze)
        for _ in range(10):
            reqs = Path(tmp, "requirements.txt")
            reqs.write_text("\n".join(deps + added) + "\n")
            report = Path(tmp, "report.json")
            run(
                sys.executable, "-m", "pip", "install", "--quiet", "--dry-run",
                "--ignore-installed", "--report", report, "--target", Path(tmp, "t"),
                *PIP_TARGET, "-c", constraints, "-r", reqs, env=pip_env(),
            )  # fmt: skip
            installs = json.loads(report.read_text())["install"]
            have = {canonicalize_name(i["metadata"]["name"]) for i in installs}
            missing = []
            for item in installs:
                extras = ["", *item.get("requested_extras", [])]
                for text in item["metadata"].get("requires_dist", []):
                    req = Requirement(text)
                    if canonicalize_name(req.name) in have or (
                        req.marker is not None
                        and not any(req.marker.evaluate({**target_env, "extra": e}) for e in extras)
                    ):
                        continue
                    req.marker = None
                    missing.append(str(req))
            if not missing:
                break
            log(f"needed by Debian's python3 {DEBIAN_PYTHON}: {', '.join(missing)}")
            added += missing
    lines = [
        "# meetingsec's run-time Python dependencies for the release (Debian 12: CPython 3.11,",
        "# manylinux x86_64), pinned with the hash of each wheel. Written by",
        "# `scripts/release.py lock` from the versions of the development .venv; used by",
        "# `make release` (pip download) and by install.sh (pip install --no-index).",
    ]
    for item in sorted(installs, key=lambda i: i["metadata"]["name"].lower()):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        digest = item["download_info"]["archive_info"]["hashes"]["sha256"]
        lines.append(f"{name.lower()}=={version} --hash=sha256:{digest}")
    (ROOT / LOCK).write_text("\n".join(lines) + "\n")
    log(f"{LOCK}: {len(installs)} packages")


# --- the build -------------------------------------------------------------------------


def build(args) -> None:
    started = time.monotonic()
    repo = Path(args.repo).resolve()
    commit = run("git", "-C", repo, "rev-parse", f"{args.ref}^{{commit}}", capture=True).strip()
    epoch = int(run("git", "-C", repo, "log", "-1", "--format=%ct", commit, capture=True))
    tags = run("git", "-C", repo, "tag", "--points-at", commit, capture=True).split()
    if not tags and not args.untagged:
        sys.exit(
            f"release: {commit[:12]} has no tag; a release is built from a tagged commit "
            "(git tag vX.Y.Z, or --untagged for a trial build)"
        )
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    os.umask(0o022)
    with tempfile.TemporaryDirectory(prefix="meetingsec-release-") as tmp:
        tmp = Path(tmp)
        src = tmp / "src"
        src.mkdir()
        with subprocess.Popen(  # nosec B603 B607
            ["git", "-C", str(repo), "archive", "--format=tar", commit], stdout=subprocess.PIPE
        ) as git:
            with tarfile.open(fileobj=git.stdout, mode="r|") as tar:
                tar.extractall(src, filter="data")
        if git.returncode:
            sys.exit("release: git archive failed")
        version = tomllib.loads((src / "pyproject.toml").read_text())["project"]["version"]
        name = f"meetingsec-{version}"
        stage = tmp / name
        app = stage / "app"
        stage.mkdir()
        shutil.move(src, app)

        log(f"{name} from {commit[:12]} ({', '.join(tags) or 'untagged'}), epoch {epoch}")
        npm_components = vendor_assets(app, repo)
        compile_translations(app)
        wheels = wheelhouse(app, stage / "wheelhouse")
        debs = debian_packages(stage, tmp / "apt")
        shutil.copy2(app / "release" / "install.sh", stage / "install.sh")
        os.chmod(stage / "install.sh", 0o755)
        release = {
            "name": "meetingsec",
            "version": version,
            "commit": commit,
            "tag": tags[0] if tags else None,
            "source_date_epoch": epoch,
            "platform": PLATFORM,
            "python": "3.11",
        }
        (stage / "RELEASE.json").write_text(json.dumps(release, indent=1) + "\n")
        sbom(stage, app, release, wheels, npm_components, debs, tmp)
        write_sums(stage)
        tarball = out / f"{name}-{PLATFORM}.tar.gz"
        pack(stage, tarball, epoch)
    digest = sha256(tarball)
    Path(f"{tarball}.sha256").write_text(f"{digest}  {tarball.name}\n")
    size = tarball.stat().st_size
    log(f"{tarball} {size / 1e6:.1f} MB, built in {time.monotonic() - started:.0f} s")
    print(f"{digest}  {tarball}")


def vendor_assets(app: Path, repo: Path) -> list[dict]:
    """npm ci from the commit's package-lock.json, then scripts/vendor.sh; the SBOM's
    components for what the pages load."""
    npm = ["npm", "ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund"]
    run(*npm, "--loglevel=error", cwd=app)
    run("bash", "scripts/vendor.sh", cwd=app)
    lock_json = json.loads((app / "package-lock.json").read_text())
    components = []
    for key, pkg in sorted(lock_json["packages"].items()):
        if not key or pkg.get("dev"):
            continue
        pkg_name = key.split("node_modules/")[-1]
        meta = json.loads((app / key / "package.json").read_text())
        algo, _, b64 = pkg["integrity"].partition("-")
        components.append(
            {
                "type": "library",
                "bom-ref": f"pkg:npm/{pkg_name}@{pkg['version']}",
                "name": pkg_name,
                "version": pkg["version"],
                "purl": f"pkg:npm/{pkg_name.replace('@', '%40')}@{pkg['version']}",
                "licenses": [{"expression": meta.get("license") or "NOASSERTION"}],
                "hashes": [{"alg": algo.upper().replace("SHA", "SHA-"),
                            "content": base64.b64decode(b64).hex()}],
                "properties": [{"name": "meetingsec:kind", "value": "browser asset"}],
            }
        )  # fmt: skip
    shutil.rmtree(app / "node_modules")
    return components


def compile_translations(app: Path) -> None:
    pybabel = Path(sys.executable).parent / "pybabel"
    run(pybabel, "-q", "compile", "-d", app / "meetingsec" / "translations")


def wheelhouse(app: Path, dest: Path) -> list[dict]:
    """Download the locked wheels; check each hash again."""
    run(
        sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
        *PIP_TARGET, "-d", dest, "-r", app / LOCK, env=pip_env(),
    )  # fmt: skip
    pins = {}
    for line in (app / LOCK).read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==(\S+) --hash=sha256:([0-9a-f]{64})$", line)
        if m:
            pins[m.group(3)] = (m.group(1), m.group(2))
    wheels = []
    for wheel in sorted(dest.iterdir()):
        digest = sha256(wheel)
        if digest not in pins:
            sys.exit(f"release: {wheel.name} is not in {LOCK}")
        wheels.append({"file": wheel.name, "name": pins[digest][0], "version": pins[digest][1],
                       "sha256": digest})  # fmt: skip
    if len(wheels) != len(pins):
        sys.exit(f"release: {len(pins)} pins in {LOCK}, {len(wheels)} wheels downloaded")
    return wheels


def minbase_root() -> Path:
    """A minimal Debian 12 (debootstrap --variant=minbase), cached: what a fresh server has."""
    root = CACHE / "minbase"
    if not (root / "var/lib/dpkg/status").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = CACHE / "minbase.partial"
        shutil.rmtree(partial, ignore_errors=True)
        log(f"debootstrap --variant=minbase {SUITE} into {root} (once)")
        run("debootstrap", "--variant=minbase", SUITE, partial, MIRROR)
        partial.rename(root)
    return root


def debian_packages(stage: Path, aptdir: Path) -> list[dict]:
    """The .debs a minimal Debian 12 needs for the run-time packages (and the optional
    servers), resolved by apt against the minimal root's dpkg status."""
    status = minbase_root() / "var/lib/dpkg/status"
    for sub in ("etc/apt/apt.conf.d", "etc/apt/preferences.d", "etc/apt/sources.list.d",
                "var/lib/apt/lists/partial", "var/lib/dpkg"):  # fmt: skip
        (aptdir / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy(status, aptdir / "var/lib/dpkg/status")
    (aptdir / "etc/apt/sources.list").write_text(
        f"deb [signed-by={KEYRING}] {MIRROR} {SUITE} main\n"
        f"deb [signed-by={KEYRING}] {MIRROR} {SUITE}-updates main\n"
        f"deb [signed-by={KEYRING}] {SECURITY} {SUITE}-security main\n"
    )
    archives = CACHE / "apt-archives"  # downloads kept between builds
    (archives / "partial").mkdir(parents=True, exist_ok=True)
    apt = [
        "apt-get", "-q", "-o", f"Dir={aptdir}",
        "-o", f"Dir::State::status={aptdir}/var/lib/dpkg/status",
        "-o", f"Dir::Cache::archives={archives}", "-o", "APT::Architecture=amd64",
        "-o", "APT::Architectures=amd64", "-o", "Debug::NoLocking=1",
        "-o", "APT::Install-Recommends=false", "-o", "Acquire::Languages=none",
        "-o", "APT::Sandbox::User=root",
    ]  # fmt: skip
    run(*apt, "-qq", "update")

    def closure(packages: list[str]) -> dict[str, str]:
        """file name -> SHA-256 of every .deb apt would install on the minimal root."""
        plan = run(*apt, "-qq", "--simulate", "install", "-y", *packages, capture=True)
        names = []
        for line in plan.splitlines():
            m = re.match(r"^Inst (\S+) (?:\[\S+\] )?\((\S+) .*\[(\S+)\]\)", line)
            if m:
                package, version, arch = m.groups()
                names.append(f"{package}_{version.replace(':', '%3a')}_{arch}.deb")
        run(*apt, "-qq", "--download-only", "install", "-y", *packages)
        return {name: sha256(archives / name) for name in names}

    debs = []
    runtime = closure(RUNTIME_DEBS)
    groups = [("debs", runtime)]
    for extra, packages in OPTIONAL_DEBS.items():
        files = closure(RUNTIME_DEBS + packages)
        only = {f: h for f, h in files.items() if f not in runtime}
        groups.append((f"debs-optional/{extra}", only))
    for folder, files in groups:
        (stage / folder).mkdir(parents=True)
        for filename, digest in sorted(files.items()):
            target = stage / folder / filename
            shutil.copy(archives / filename, target)
            debs.append(deb_component(target, folder, digest))
        log(f"{folder}: {len(files)} packages")
    return debs


def deb_component(deb: Path, folder: str, digest: str) -> dict:
    fields = {}
    control = run("dpkg-deb", "-f", deb, "Package", "Version", "Architecture", capture=True)
    for line in control.splitlines():
        key, _, value = line.partition(": ")
        fields[key] = value.strip()
    ref = f"pkg:deb/debian/{fields['Package']}@{fields['Version']}?arch={fields['Architecture']}"
    return {
        "type": "library",
        "bom-ref": ref,
        "name": fields["Package"],
        "version": fields["Version"],
        "purl": f"{ref}&distro=debian-12",
        "licenses": [{"expression": deb_licence(deb, fields["Package"])}],
        "hashes": [{"alg": "SHA-256", "content": digest}],
        "properties": [
            {"name": "meetingsec:kind", "value": "debian package"},
            {"name": "meetingsec:file", "value": f"{folder}/{deb.name}"},
        ],
    }  # fmt: skip


def deb_licence(deb: Path, package: str) -> str:
    """The licences a machine-readable copyright file names (DEP-5), as one SPDX-like
    expression; NOASSERTION when the file is free-form."""
    tar = subprocess.run(  # nosec B603 B607
        ["dpkg-deb", "--fsys-tarfile", str(deb)], check=True, stdout=subprocess.PIPE
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        try:
            member = t.getmember(f"./usr/share/doc/{package}/copyright")
        except KeyError:
            return "NOASSERTION"
        if not member.isfile():
            return "NOASSERTION"
        text = t.extractfile(member).read().decode("utf-8", "replace")
    if not text.startswith("Format:"):
        return "NOASSERTION"
    names = set()
    for m in re.finditer(r"^License:[ \t]*(.+)$", text, re.M):
        for part in re.split(r"\s+(?:or|and|OR|AND)\s+|\s*[|,]\s*", m.group(1).strip()):
            part = re.sub(r"[^A-Za-z0-9.+-]", "", part)
            if part:
                names.add(part)
    if not names:
        return "NOASSERTION"
    return " AND ".join(sorted(names)) if len(names) > 1 else names.pop()


def sbom(stage, app, release, wheels, npm_components, debs, tmp: Path) -> None:
    """CycloneDX 1.6 JSON by cyclonedx-bom (cyclonedx-py) from an environment holding exactly
    the wheelhouse, completed with the wheels' hashes, the browser assets and the .debs."""
    env_dir = tmp / "sbom-env"
    run(sys.executable, "-m", "venv", "--without-pip", env_dir)
    run(
        sys.executable, "-m", "pip", "--python", env_dir / "bin/python", "install", "--quiet",
        "--no-index", "--no-deps", "--find-links", stage / "wheelhouse", "--require-hashes",
        "-r", app / LOCK, env=pip_env(),
    )  # fmt: skip
    raw = tmp / "raw.cdx.json"
    cyclonedx = Path(sys.executable).parent / "cyclonedx-py"
    run(
        cyclonedx, "environment", "--output-reproducible", "--spec-version", "1.6",
        "--output-format", "JSON", "--pyproject", app / "pyproject.toml",
        "--output-file", raw, env_dir / "bin/python",
    )  # fmt: skip
    bom = json.loads(raw.read_text())
    by_name = {w["name"].lower().replace("_", "-"): w for w in wheels}
    for comp in bom.get("components", []):
        wheel = by_name.get(comp["name"].lower().replace("_", "-").replace(".", "-"))
        if wheel is None:
            sys.exit(f"release: SBOM component {comp['name']} has no wheel")
        comp["hashes"] = [{"alg": "SHA-256", "content": wheel["sha256"]}]
        comp.setdefault("properties", []).extend(
            [
                {"name": "meetingsec:kind", "value": "python package"},
                {"name": "meetingsec:file", "value": f"wheelhouse/{wheel['file']}"},
            ]
        )
        if not comp.get("licenses"):
            comp["licenses"] = [{"expression": "NOASSERTION"}]
    bom["components"] = sorted(
        bom.get("components", []) + npm_components + debs, key=lambda c: c["bom-ref"]
    )
    # No time of its own, a serial number that is the same for the same commit
    bom["serialNumber"] = (
        f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'meetingsec:' + release['commit'])}"
    )
    meta = bom.setdefault("metadata", {})
    meta.pop("timestamp", None)
    meta.setdefault("component", {})["version"] = release["version"]
    meta["properties"] = [
        {"name": "meetingsec:commit", "value": release["commit"]},
        {"name": "meetingsec:platform", "value": release["platform"]},
    ]
    text = json.dumps(bom, indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", text):
        sys.exit("release: the SBOM still holds a timestamp")
    (stage / "sbom.cdx.json").write_text(text)
    log(f"sbom.cdx.json: {len(bom['components'])} components")


def write_sums(stage: Path) -> None:
    lines = []
    for path in sorted(p for p in stage.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(stage).as_posix()
        if rel != "SHA256SUMS":
            lines.append(f"{sha256(path)}  {rel}")
    links = [p for p in stage.rglob("*") if p.is_symlink()]
    if links:
        sys.exit(f"release: symbolic links are not allowed in a release: {links}")
    (stage / "SHA256SUMS").write_text("\n".join(lines) + "\n")


def pack(stage: Path, tarball: Path, epoch: int) -> None:
    """Sorted entries, owner 0/0, every mtime the commit's, modes normalised, gzip -n."""

    def members():
        yield stage
        yield from sorted(stage.rglob("*"), key=lambda p: p.relative_to(stage).as_posix())

    partial = tarball.with_suffix(".partial")
    with open(partial, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for path in members():
                    info = tar.gettarinfo(path, arcname=path.relative_to(stage.parent).as_posix())
                    info.uid = info.gid = 0
                    info.uname = info.gname = "root"
                    info.mtime = epoch
                    if info.isdir():
                        info.mode = 0o755
                    else:
                        info.mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
                    info.pax_headers = {}
                    if info.isfile():
                        with open(path, "rb") as f:
                            tar.addfile(info, f)
                    else:
                        tar.addfile(info)
    partial.rename(tarball)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the release tarball")
    b.add_argument("--ref", default="HEAD", help="tag or commit to build (default HEAD)")
    b.add_argument("--repo", default=str(ROOT), help="the git repository (default this one)")
    b.add_argument("--out", default=str(ROOT / "dist"))
    b.add_argument("--untagged", action="store_true", help="allow a commit with no tag")
    b.set_defaults(func=build)
    s = sub.add_parser("lock", help=f"rewrite {LOCK} from the development .venv")
    s.set_defaults(func=lock)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()

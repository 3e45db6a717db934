"""``make test-release``: build the offline release, then install it in a fresh minimal
Debian 12 entered with no network at all, and check what an agency and the police rely on.

Not part of ``make test`` (its name does not match ``test_*.py``): it needs root (debootstrap,
chroot, a network namespace) and a few minutes. What it does:

1. snapshot this checkout's working tree into a temporary clone, commit and tag it there
   (never in the checkout), and build the release from the tag; build it again: the same
   SHA-256;
2. copy the cached ``debootstrap --variant=minbase bookworm`` root (made once under
   ``/var/cache/meetingsec-release-test``, remade when missing) and enter it with
   ``unshare --net`` (only a loopback, no route anywhere) + chroot;
3. a release with one byte changed is refused, naming the file, and installs nothing;
4. install.sh installs; gunicorn serves ``/login`` (200) on 127.0.0.1 inside the namespace;
   an attendance sheet renders with Liberation Serif; ``flask selfcheck`` passes, then names
   a planted module and a changed template;
5. an upgrade backs up, migrates and verifies; an upgrade whose migration fails rolls back
   to the previous release folder with its data.

The figures (size, build and install times, the two builds' SHA-256) are written to
``test-output/release/figures.txt``.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pikepdf
import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("MEETINGSEC_RELEASE_CACHE", "/var/cache/meetingsec-release-test"))
OUT = ROOT / "test-output" / "release"
PREFIX = "/opt/meetingsec"
FIGURES: dict[str, str] = {}
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "HOME": "/root"}
#: Run a command as the app's user with the installed settings, from the current release
AS_APP = f"""
cd {PREFIX}/current
set -a; . /etc/meetingsec/meetingsec.env; set +a
app() {{ runuser -u meetingsec -- env FLASK_APP="$FLASK_APP" \\
          MEETINGSEC_INSTANCE_PATH="$MEETINGSEC_INSTANCE_PATH" "$@"; }}
"""


def figure(name: str, value) -> None:
    FIGURES[name] = str(value)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "figures.txt").write_text("".join(f"{k}: {v}\n" for k, v in FIGURES.items()))


def sh(*cmd, cwd=None, check=True, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(c) for c in cmd], cwd=cwd, check=check, text=True, capture_output=True, env=env
    )


def in_root(root: Path, script: str, check: bool = True, timeout: int = 900):
    """``script`` in bash inside ``root``: a new network namespace (loopback only), its own
    mounts (/proc, /dev/shm) and process ids (everything started dies with it)."""
    result = subprocess.run(
        [
            "unshare",
            "--net",
            "--mount",
            "--pid",
            "--fork",
            f"--mount-proc={root}/proc",
            "sh",
            "-c",
            'ip link set lo up && mount -t tmpfs tmpfs "$0/dev/shm" '
            '&& exec chroot "$0" /bin/bash -euo pipefail -c "$1"',
            str(root),
            script,
        ],  # fmt: skip
        env=ENV,
        text=True,
        capture_output=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        pytest.fail(f"in the root, exit {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module", autouse=True)
def as_root():
    if os.geteuid() != 0:
        pytest.fail("make test-release runs as root (debootstrap, chroot, unshare)")


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("release")


@pytest.fixture(scope="module")
def snapshot(work) -> Path:
    """This checkout's working tree (tracked and new files, not the ignored ones) committed
    and tagged in a temporary clone: what a release is built from."""
    clone = work / "src"
    sh("git", "clone", "--quiet", "--no-hardlinks", ROOT, clone)
    files = sh("git", "ls-files", "-z", "-co", "--exclude-standard", cwd=ROOT).stdout
    for rel in filter(None, files.split("\0")):
        src, dst = ROOT / rel, clone / rel
        if src.is_file():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
        elif dst.exists() or dst.is_symlink():
            dst.unlink()
    git = ["git", "-c", "user.name=release test", "-c", "user.email=release@test.invalid"]
    sh(*git, "add", "--all", cwd=clone)
    when = sh("git", "log", "-1", "--format=%cI", cwd=clone).stdout.strip()
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    sh(*git, "commit", "--quiet", "--allow-empty", "-m", "release test", cwd=clone, env=env)
    version = re.search(r'^version = "(.+)"$', (clone / "pyproject.toml").read_text(), re.M)[1]
    sh("git", "tag", f"v{version}", cwd=clone)
    return clone


def build(snapshot: Path, out: Path) -> tuple[Path, str, float]:
    started = time.monotonic()
    tag = sh("git", "describe", "--tags", "--exact-match", cwd=snapshot).stdout.strip()
    result = sh(
        sys.executable, "scripts/release.py", "build", "--ref", tag, "--out", out,
        cwd=snapshot, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-5000:]
    tarball = next(out.glob("meetingsec-*-debian12-amd64.tar.gz"))
    return tarball, result.stdout.strip().splitlines()[-1].split()[0], time.monotonic() - started


@pytest.fixture(scope="module")
def release(snapshot, work) -> Path:
    tarball, digest, seconds = build(snapshot, work / "dist1")
    figure("tarball", tarball.name)
    figure(
        "tarball size", f"{tarball.stat().st_size / 1e6:.1f} MB ({tarball.stat().st_size} bytes)"
    )
    figure("build time (first build)", f"{seconds:.0f} s")
    figure("SHA-256 of build 1", digest)
    return tarball


@pytest.fixture(scope="module")
def root(release, work) -> Path:
    """A fresh copy of the minimal Debian 12 (the build made or refreshed the cache)."""
    minbase = CACHE / "minbase"
    assert (minbase / "var/lib/dpkg/status").exists(), "the build makes the minimal root"
    target = work / "root"
    sh("cp", "-a", minbase, target)
    assert not (target / "usr/bin/python3").exists(), "minbase has no python3"
    return target


def unpack(tarball: Path, into: Path) -> str:
    """Unpack a release tarball into a folder of the root; its folder's name."""
    with tarfile.open(tarball) as tar:
        tar.extractall(into, filter="data")
        return tar.getnames()[0].split("/")[0]


def test_two_builds_of_the_same_commit_are_identical(snapshot, release, work):
    second, digest, seconds = build(snapshot, work / "dist2")
    figure("build time (second build, caches warm)", f"{seconds:.0f} s")
    figure("SHA-256 of build 2", digest)
    assert second.read_bytes() == release.read_bytes()


def test_the_release_holds_what_the_server_needs(release, work):
    folder = work / "inspect"
    name = unpack(release, folder)
    top = folder / name
    debs = {p.name.split("_")[0] for p in (top / "debs").glob("*.deb")}
    assert {"python3-venv", "fonts-liberation2", "libpango-1.0-0", "libpangoft2-1.0-0",
            "libharfbuzz-subset0", "python3.11"} <= debs  # fmt: skip
    assert any((top / "debs-optional/postgresql").glob("postgresql-15_*.deb"))
    assert any((top / "debs-optional/redis").glob("redis-server_*.deb"))
    assert (top / "app/meetingsec/static/vendor/htmx.min.js").is_file()
    assert (top / "app/meetingsec/translations/vi/LC_MESSAGES/messages.mo").is_file()
    bom = json.loads((top / "sbom.cdx.json").read_text())
    assert "timestamp" not in bom["metadata"]
    kinds = {}
    for comp in bom["components"]:
        props = {p["name"]: p["value"] for p in comp.get("properties", [])}
        kinds.setdefault(props["meetingsec:kind"], []).append(comp)
        assert comp["version"] and comp["hashes"] and comp["licenses"], comp["name"]
    assert len(kinds["python package"]) == len(list((top / "wheelhouse").glob("*.whl")))
    assert {c["name"] for c in kinds["browser asset"]} >= {"htmx.org", "signature_pad"}
    assert len(kinds["debian package"]) == len(list(top.glob("debs*/**/*.deb")))
    figure("SBOM components", {k: len(v) for k, v in sorted(kinds.items())})


def test_a_release_with_one_byte_changed_is_refused(release, root, work):
    folder = work / "tampered"
    name = unpack(release, folder)
    victim = sorted((folder / name / "wheelhouse").glob("flask-*.whl"))[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    tampered = work / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        tar.add(folder / name, arcname=name)
    unpack(tampered, root / "root/tampered")
    result = in_root(root, f"cd /root/tampered/{name} && ./install.sh", check=False)
    out = result.stdout + result.stderr
    assert result.returncode != 0, out
    assert "REFUSED" in out and f"wheelhouse/{victim.name}" in out, out
    assert not (root / "usr/bin/python3").exists(), "dpkg ran"
    assert not (root / "opt/meetingsec").exists()
    shutil.rmtree(root / "root/tampered")


def test_it_installs_with_no_network(release, root):
    name = unpack(release, root / "root")
    shutil.copy(release, root / "root" / release.name)  # beside the folder, as copied
    started = time.monotonic()
    result = in_root(
        root,
        # no route anywhere: a connection to a public address fails at once
        "! timeout 5 bash -c 'exec 3<>/dev/tcp/151.101.0.223/80' 2>/dev/null"
        f" && cd /root/{name} && ./install.sh",
    )
    figure(
        "install time (dpkg, venv, migrations; no network)", f"{time.monotonic() - started:.0f} s"
    )
    out = result.stdout + result.stderr
    assert "systemd is not running" in out
    assert "flask users create" in out and "flask audit public-key" in out
    opt = root / PREFIX.lstrip("/")
    version = name.removeprefix("meetingsec-")
    assert os.readlink(opt / "current") == f"{PREFIX}/releases/{version}"
    instance = (opt / "instance").stat()
    assert instance.st_mode & 0o777 == 0o700
    passwd = (root / "etc/passwd").read_text()
    uid = int(re.search(r"^meetingsec:x:(\d+):", passwd, re.M)[1])
    assert instance.st_uid == uid
    unit = (root / "etc/systemd/system/meetingsec-web.service").read_text()
    assert f"WorkingDirectory={PREFIX}/current" in unit
    assert f"ExecStart={PREFIX}/current/.venv/bin/gunicorn" in unit
    assert (opt / "instance/meetingsec.db").exists()


RENDER = """
from sqlalchemy import select

from meetingsec import create_app
from meetingsec.extensions import db
from meetingsec.meetings.models import Meeting
from meetingsec.records.models import Record
from meetingsec.records.services import request_record
from meetingsec.records.tasks import run_job
from meetingsec.users.models import User


def main():  # what the worker does with a queued record (layout in child processes)
    app = create_app()
    with app.app_context():
        meetings = db.session.scalars(select(Meeting).order_by(Meeting.id))
        meeting = next(m for m in meetings if m.status in ("cleared", "in_session", "closing"))
        organiser = db.session.get(User, meeting.organiser_id)
        job = request_record(meeting, "attendance", actor=organiser)
        db.session.commit()
        data = db.session.get(Record, run_job(job.id)).data
    with open("/tmp/attendance.pdf", "wb") as f:
        f.write(data)
    print("rendered", len(data))


if __name__ == "__main__":
    main()
"""

FETCH = """
import time, urllib.request
for attempt in range(100):
    try:
        print(urllib.request.urlopen("http://127.0.0.1:8000/login", timeout=5).status)
        break
    except OSError:
        time.sleep(0.2)
"""


def test_the_app_serves_and_renders_in_liberation_serif(root):
    (root / "tmp/render.py").write_text(RENDER)
    (root / "tmp/fetch.py").write_text(FETCH)
    result = in_root(
        root,
        AS_APP
        + """
app .venv/bin/flask seed-demo >/dev/null
app .venv/bin/gunicorn --bind 127.0.0.1:8000 --workers 1 --daemon --pid /tmp/gunicorn.pid wsgi:app
app .venv/bin/python /tmp/fetch.py
app .venv/bin/python /tmp/render.py
""",
    )
    assert result.stdout.splitlines()[0] == "200", result.stdout + result.stderr
    assert "rendered" in result.stdout
    fonts = set()
    with pikepdf.open(root / "tmp/attendance.pdf") as pdf:
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                fonts.add(str(font.get("/BaseFont")))
    assert fonts and all("Liberation-Serif" in f for f in fonts), fonts  # no fallback font
    figure("attendance sheet fonts", sorted(fonts))


def test_selfcheck_passes_then_names_a_planted_module_and_a_changed_template(root):
    assert "OK:" in in_root(root, AS_APP + "app .venv/bin/flask selfcheck").stdout
    current = os.readlink(root / PREFIX.lstrip("/") / "current")  # absolute, in the root
    base = root / current.lstrip("/") / "meetingsec/templates/base.html"
    original = base.read_bytes()
    planted = base.parents[1] / "planted.py"
    planted.write_text("print('hello')\n")
    base.write_bytes(original.replace(b"</body>", b"<script>/**/</script></body>"))
    try:
        result = in_root(root, AS_APP + "app .venv/bin/flask selfcheck", check=False)
    finally:
        planted.unlink()
        base.write_bytes(original)
    assert result.returncode == 1
    assert "ADDED: meetingsec/planted.py" in result.stderr
    assert "CHANGED: meetingsec/templates/base.html" in result.stderr
    assert "OK:" in in_root(root, AS_APP + "app .venv/bin/flask selfcheck").stdout


def newer_release(root: Path, name: str, version: str, broken: bool = False) -> str:
    """The installed release's folder as a newer version (its migration failing if
    ``broken``), with its own SHA256SUMS: what a next release would look like."""
    src = root / "root" / name
    dst = root / "root" / f"meetingsec-{version}"
    shutil.copytree(src, dst)
    meta = json.loads((dst / "RELEASE.json").read_text())
    meta["version"] = version
    (dst / "RELEASE.json").write_text(json.dumps(meta, indent=1) + "\n")
    if broken:
        versions = dst / "app/migrations/versions"
        revs, downs = set(), set()
        for path in versions.glob("*.py"):
            text = path.read_text()
            revs |= set(re.findall(r'^revision = "(\w+)"', text, re.M))
            downs |= set(re.findall(r'^down_revision = "(\w+)"', text, re.M))
        (head,) = revs - downs
        (versions / "29991231_0000_broken0000_broken.py").write_text(
            f'revision = "broken0000"\ndown_revision = "{head}"\nbranch_labels = None\n'
            "depends_on = None\n\n\ndef upgrade():\n"
            '    raise RuntimeError("this migration fails on purpose")\n\n\n'
            "def downgrade():\n    pass\n"
        )
    sums = sh("bash", "-c", "find . -type f ! -name SHA256SUMS -printf '%P\\n' | LC_ALL=C sort"
              " | xargs -d '\\n' sha256sum", cwd=dst).stdout  # fmt: skip
    (dst / "SHA256SUMS").write_text(sums)
    return dst.name


def test_an_upgrade_backs_up_and_a_failed_one_rolls_back(root):
    name = next(p.name for p in (root / "root").glob("meetingsec-*") if p.is_dir())
    opt = root / PREFIX.lstrip("/")
    newer = newer_release(root, name, "99.0.0")
    result = in_root(root, f"cd /root/{newer} && ./install.sh")
    assert "upgrading" in result.stdout and "the audit chain verifies" in result.stdout
    assert os.readlink(opt / "current") == f"{PREFIX}/releases/99.0.0"
    assert any((opt / "instance/backups").glob("before-99.0.0-*"))
    in_root(root, AS_APP + "app .venv/bin/flask selfcheck >/dev/null")

    broken = newer_release(root, name, "99.0.1", broken=True)
    result = in_root(root, f"cd /root/{broken} && ./install.sh", check=False)
    out = result.stdout + result.stderr
    assert result.returncode != 0 and "rolled back" in out, out
    assert os.readlink(opt / "current") == f"{PREFIX}/releases/99.0.0"
    assert not (opt / "releases/99.0.1").exists()
    check = in_root(root, AS_APP + "app .venv/bin/flask audit verify && app .venv/bin/flask about")
    assert "meetingsec 99.0.0" in check.stdout

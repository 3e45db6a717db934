"""The systemd units of ``deploy/`` are what the README tells an agency to install: they
must pass ``systemd-analyze verify`` and start commands that exist."""

import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UNITS = sorted(p.name for p in DEPLOY.glob("meetingsec-*.*"))


def test_the_units_are_there():
    assert UNITS == [
        "meetingsec-backup.service",
        "meetingsec-backup.timer",
        "meetingsec-web.service",
        "meetingsec-worker.service",
    ]


@pytest.fixture
def here(tmp_path):
    """The units as they would be installed with the code in this checkout."""
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace("/opt/meetingsec", str(ROOT))
        text = text.replace("/etc/meetingsec/meetingsec.env", str(DEPLOY / "meetingsec.env"))
        text = re.sub(r"^(User|Group)=meetingsec$", r"\1=root", text, flags=re.M)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_systemd_accepts_every_unit(here):
    result = subprocess.run(
        ["systemd-analyze", "verify", *(str(here / n) for n in UNITS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "meetingsec" not in result.stderr, result.stderr  # no warning about our units


def test_each_service_starts_a_command_the_app_has(here, runner):
    for name in UNITS:
        if not name.endswith(".service"):
            continue
        text = (here / name).read_text().replace("\\\n", " ")
        command = shlex.split(re.search(r"^ExecStart=(.*)$", text, re.M).group(1))
        assert Path(command[0]).exists(), (name, command[0])
        if command[0].endswith("/flask"):
            out = runner.invoke(args=[*command[1:], "--help"])
            assert out.exit_code == 0, (name, out.output)
        else:
            assert command[-1] == "wsgi:app" and (ROOT / "wsgi.py").exists()

"""The software information: the manifest comparison, ``flask about`` / ``flask selfcheck``,
the page, the daily job and the administrators' warning. A small release folder stands in
for /opt/meetingsec/releases/<version> (``make test-release`` checks the real one)."""

import hashlib
import json
from pathlib import Path

import pytest

from meetingsec.about import manifest, queries, services
from meetingsec.extensions import db


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def release_root(tmp_path) -> Path:
    """A release folder as install.sh leaves it: the app (in SHA256SUMS under app/), the
    release's files, a 'venv' listed in INSTALLED.sha256."""
    root = tmp_path / "releases" / "1.2.3"
    files = {
        "meetingsec/__init__.py": b"# app\n",
        "meetingsec/templates/base.html": b"<html></html>\n",
        "wsgi.py": b"app = None\n",
    }
    top = {
        "RELEASE.json": json.dumps(
            {"version": "1.2.3", "commit": "ab" * 20, "tag": "v1.2.3", "platform": "debian12-amd64"}
        ).encode(),
        "sbom.cdx.json": json.dumps(
            {
                "components": [
                    {
                        "name": "flask",
                        "version": "3.1.3",
                        "licenses": [{"license": {"id": "BSD-3-Clause"}}],
                        "properties": [{"name": "meetingsec:kind", "value": "python package"}],
                    }
                ]
            }
        ).encode(),
    }
    sums = []
    for name, data in {**{f"app/{k}": v for k, v in files.items()}, **top}.items():
        sums.append(f"{_sha(data)}  {name}")
        path = root / name.removeprefix("app/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    sums.append(f"{_sha(b'x')}  wheelhouse/flask-3.1.3-py3-none-any.whl")  # not installed
    (root / "SHA256SUMS").write_text("\n".join(sorted(sums)) + "\n")
    venv = root / ".venv/lib/python3.11/site-packages/flask/__init__.py"
    venv.parent.mkdir(parents=True)
    venv.write_text("# flask\n")
    (root / ".venv/bin").mkdir()
    (root / ".venv/bin/python").symlink_to("/usr/bin/python3")
    assert manifest.write_installed(root) == 2
    return root


@pytest.fixture
def installed(monkeypatch, release_root):
    """The app believes it runs from ``release_root``."""
    monkeypatch.setattr(services, "app_root", lambda: release_root)
    return release_root


def test_an_untouched_release_passes(release_root):
    result = manifest.compare(release_root)
    assert result.ok and result.checked == 7


def test_added_changed_and_missing_files_are_named(release_root):
    (release_root / "meetingsec/planted.py").write_text("import os\n")
    (release_root / "meetingsec/templates/base.html").write_text("<html>changed</html>\n")
    (release_root / "wsgi.py").unlink()
    (release_root / ".venv/bin/python").unlink()
    (release_root / ".venv/bin/python").symlink_to("/tmp/python")
    result = manifest.compare(release_root)
    assert result.added == ["meetingsec/planted.py"]
    assert result.changed == [".venv/bin/python", "meetingsec/templates/base.html"]
    assert result.missing == ["wsgi.py"]


def test_install_refuses_an_application_that_differs_from_the_release(release_root):
    (release_root / "wsgi.py").write_text("app = 'evil'\n")
    with pytest.raises(SystemExit, match="wsgi.py"):
        manifest.write_installed(release_root)


def test_a_development_checkout_is_not_a_release(runner):
    result = runner.invoke(args=["selfcheck"])
    assert result.exit_code == 2 and "not installed from a release" in result.output
    about = runner.invoke(args=["about"])
    assert about.exit_code == 0 and "Development checkout" in about.output


def test_selfcheck_cli_passes_then_names_files_and_records_each_result(runner, installed):
    result = runner.invoke(args=["selfcheck"])
    assert result.exit_code == 0 and "OK: 7 files" in result.output
    assert queries.last_selfcheck()["ok"] is True
    (installed / "meetingsec/planted.py").write_text("x = 1\n")
    result = runner.invoke(args=["selfcheck"])
    assert result.exit_code == 1
    assert "ADDED: meetingsec/planted.py" in result.output
    last = queries.last_selfcheck()
    assert last["ok"] is False and last["added"] == ["meetingsec/planted.py"]
    assert last["added_count"] == 1 and last["version"] == "1.2.3"
    about = runner.invoke(args=["about"])
    assert "meetingsec 1.2.3" in about.output and "ab" * 20 in about.output


def test_the_page_is_for_administrators_and_auditors(client, make_user, login):
    assert client.get("/about/").status_code == 302  # to the login page
    login(make_user("organiser"))
    assert client.get("/about/").status_code == 403
    assert client.get("/about/sbom.cdx.json").status_code == 403
    client.post("/logout")
    login(make_user("auditor"))
    page = client.get("/about/")
    assert page.status_code == 200
    assert "bản phát hành" in page.get_data(as_text=True)  # "not a release"
    assert client.get("/about/sbom.cdx.json").status_code == 404  # no release, no SBOM


def test_the_page_shows_the_release_and_its_sbom(client, make_user, login, installed):
    login(make_user("admin"))
    page = client.get("/about/").get_data(as_text=True)
    assert "ab" * 20 in page and "v1.2.3" in page and "BSD-3-Clause" in page
    download = client.get("/about/sbom.cdx.json")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    assert json.loads(download.data)["components"][0]["name"] == "flask"


def test_a_failed_check_warns_every_administrator_until_one_passes(
    client, make_user, login, installed
):
    admin = make_user("admin")
    login(admin)
    assert 'id="selfcheck-failed"' not in client.get("/home/admin").get_data(as_text=True)
    (installed / "meetingsec/templates/base.html").write_text("<html>changed</html>\n")
    assert client.post("/about/selfcheck").status_code == 302
    home = client.get("/home/admin").get_data(as_text=True)
    assert 'id="selfcheck-failed"' in home
    page = client.get("/about/").get_data(as_text=True)
    assert "meetingsec/templates/base.html" in page
    last = queries.last_selfcheck()
    assert last["changed"] == ["meetingsec/templates/base.html"]
    (installed / "meetingsec/templates/base.html").write_text("<html></html>\n")
    client.post("/about/selfcheck")
    assert 'id="selfcheck-failed"' not in client.get("/home/admin").get_data(as_text=True)


def test_the_daily_job_records_its_result_in_the_audit_log(app, installed):
    (installed / "wsgi.py").unlink()
    app.extensions["huey_tasks"]["selfcheck"].call_local()
    db.session.rollback()
    last = queries.last_selfcheck()
    assert last["ok"] is False and last["missing"] == ["wsgi.py"]


def test_the_job_records_nothing_on_a_development_checkout(app):
    app.extensions["huey_tasks"]["selfcheck"].call_local()
    assert queries.last_selfcheck() is None


def test_installed_packages_are_listed(app):
    names = {name.lower() for name, _, _ in services.installed_packages()}
    assert {"flask", "weasyprint", "sqlalchemy"} <= names

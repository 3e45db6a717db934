"""``flask about`` and ``flask selfcheck``."""

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from meetingsec.about import services
from meetingsec.extensions import db


@click.command("about")
@click.option("--packages", is_flag=True, help="List every installed Python package too.")
@with_appcontext
def about_command(packages: bool):
    """The version, commit and checksums of the software this server runs."""
    info = services.release_info()
    click.echo(f"meetingsec {info.version}")
    if not info.is_release:
        click.echo(f"Development checkout at {info.root}: not installed from a release.")
    else:
        click.echo(f"Commit:      {info.commit}" + (f" (tag {info.tag})" if info.tag else ""))
        click.echo(f"Platform:    {info.platform}")
        click.echo(f"Installed:   {info.root}")
        click.echo(f"SHA256SUMS:  {info.sums_sha256}")
        if info.tarball_sha256:
            click.echo(f"Tarball:     {info.tarball_sha256}")
        if info.has_sbom:
            click.echo(f"SBOM:        {info.root / 'sbom.cdx.json'} (CycloneDX)")
        for kind, comps in sorted(services.sbom_summary().items()):
            click.echo(f"  {len(comps):4d} {kind}s in the release")
    installed = services.installed_packages()
    click.echo(f"Python packages installed: {len(installed)}")
    if packages:
        for name, version, licence in installed:
            click.echo(f"  {name} {version}" + (f"  ({licence})" if licence else ""))


@click.command("selfcheck")
@click.option("--no-record", is_flag=True, help="Do not write the result to the audit log.")
@with_appcontext
def selfcheck_command(no_record: bool):
    """Compare every file of the app and its venv with the release manifest; name the files
    added, changed or missing, record the result in the audit log, exit 1 when any."""
    result = services.selfcheck()
    if not result.is_release:
        click.echo(
            f"{services.app_root()} was not installed from a release: no manifest to check "
            "against (install.sh writes it).",
            err=True,
        )
        raise SystemExit(2)
    c = result.comparison
    for kind in ("added", "changed", "missing"):
        for name in getattr(c, kind):
            click.echo(f"{kind.upper()}: {name}", err=True)
    if c.ok:
        click.echo(f"OK: {c.checked} files match the release manifest.")
    else:
        click.echo(
            f"FAILED: {len(c.added)} added, {len(c.changed)} changed, {len(c.missing)} missing "
            f"({c.checked} files checked).",
            err=True,
        )
    if not no_record:
        try:
            services.record_selfcheck(result)
            db.session.commit()
        except SQLAlchemyError as exc:
            db.session.rollback()
            click.echo(f"(not recorded in the audit log: {exc.__class__.__name__})", err=True)
    if not c.ok:
        raise SystemExit(1)

"""``flask tls init --host 192.168.1.10 --host meetingsec.lan``."""

import click
from flask import current_app
from flask.cli import AppGroup

from meetingsec.tls.certs import fingerprint, issue_server_cert, tls_dir

tls_cli = AppGroup("tls", help="HTTPS on the LAN: local certificate authority.")


@tls_cli.command("init")
@click.option(
    "--host",
    "hosts",
    multiple=True,
    required=True,
    help="An address or name tablets use to reach the server; repeat for several.",
)
def init(hosts):
    """Create (once) the local CA, and a server certificate for HOSTS."""
    folder = tls_dir(current_app.instance_path)
    cert = issue_server_cert(folder, list(hosts))
    click.echo(f"Server certificate for {', '.join(hosts)}: {cert}")
    click.echo(f"Private key: {folder / 'server.key'}")
    click.echo(f"CA certificate for the tablets: {folder / 'ca.crt'}")
    click.echo(f"CA fingerprint (SHA-256): {fingerprint(folder / 'ca.crt')}")
    click.echo(
        f"Serve with: gunicorn --certfile {folder}/server.crt --keyfile {folder}/server.key "
        "--bind 0.0.0.0:8443 wsgi:app"
    )

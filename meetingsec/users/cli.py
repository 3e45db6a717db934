"""``flask users create`` and the demo seed."""

import click
from flask.cli import AppGroup, with_appcontext

from meetingsec.core.errors import DomainError
from meetingsec.extensions import db
from meetingsec.users import services
from meetingsec.users.roles import Role

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--full-name", required=True)
@click.option("--position", default="")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.password_option(help="At least 12 characters; prompted when not given.")
def create(username, full_name, position, roles, password):
    """Create an account, e.g. the first administrator of an installation."""
    try:
        user = services.create_user(
            actor=None,
            username=username,
            full_name=full_name,
            position=position,
            roles={Role(r) for r in roles},
            password=password,
        )
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(str(err.message)) from err
    db.session.commit()
    click.echo(f"Created {user.username} ({', '.join(r.value for r in user.roles)}).")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load a demo agency (units, venues, one user per role). Safe to run twice."""
    from meetingsec.audit.checkpoints import checkpoint_head
    from meetingsec.demo import seed

    created = seed()
    checkpoint_head()  # the demo's whole chain is signed from the start
    db.session.commit()
    click.echo("Demo data loaded." if created else "Demo data already present.")


@click.command("demo-accounts")
@click.option("--url", default="http://127.0.0.1:8000/")
@with_appcontext
def demo_accounts(url):
    """Print how to log in to the demo."""
    from meetingsec.demo import DEMO_PASSWORD, DEMO_USERS

    click.echo("")
    click.echo(f"meetingsec is starting at {url}")
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, full_name, _position, roles in DEMO_USERS:
        click.echo(f"  {username:<10} {', '.join(r.value for r in roles):<22} {full_name}")
    click.echo("")

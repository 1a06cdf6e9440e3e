"""`flask users …`: create accounts and issue API tokens from the command line."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from matchmaker.auth import services
from matchmaker.errors import MatchmakerError
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow
from matchmaker.vocab import ROLES

users_cli = AppGroup("users", help="Manage user accounts.")


def fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(list(ROLES)))
@click.option("--city", "city_code", help="Kemendagri code of the city (pokja only).")
@click.option("--name", default="")
@click.option("--language", default="id", type=click.Choice(["id", "en"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, role, city_code, name, language, password_stdin):
    """Create a user; prints a one-time link to set the password unless --password-stdin."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    try:
        user = services.create_user(email, role, name, city_code, password, language)
        token = None
        if not password_stdin:
            token = services.invite_user(user, utcnow())
        db.session.commit()
    except MatchmakerError as error:
        db.session.rollback()
        fail(f"user {email}: {error.field or 'record'}: {error.message}")
    click.echo(f"Created {user.role} {user.email}")
    if token:
        click.echo(f"Set-password link (valid {current_app.config['SET_PASSWORD_TOKEN_HOURS']} h): "
                   f"{services.set_password_url(token)}")
        click.echo("A second one-time link is queued to go out by e-mail with the next reminder sweep.")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="What the token is for (shown on the account page).")
@click.option("--days", type=int, default=None, help="Days until it expires (default API_TOKEN_DAYS).")
def create_token(email, name, days):
    """Print a new API token for EMAIL."""
    user = services.get_user_by_email(email)
    if user is None:
        fail(f"user {email}: no such user")
    try:
        token = services.issue_api_token(user, utcnow(), name, days)
    except MatchmakerError as error:
        fail(f"user {email}: {error.field or 'record'}: {error.message}")
    db.session.commit()
    click.echo(token)


@users_cli.command("link")
@click.argument("email")
def password_link(email):
    """Print a new one-time link to (re)set EMAIL's password."""
    user = services.get_user_by_email(email)
    if user is None:
        fail(f"user {email}: no such user")
    token = services.create_password_link(user, utcnow())
    db.session.commit()
    click.echo(services.set_password_url(token))

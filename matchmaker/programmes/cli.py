"""Command line of the programmes package: list programmes (the `reports` package adds export-csv)."""

import click
from flask.cli import AppGroup

from matchmaker.auth.services import get_user_by_email
from matchmaker.programmes import queries
from matchmaker.timeutils import labelled_times, utcnow

programmes_cli = AppGroup("programmes", help="Learning programmes.")


def actor_by_email(email: str):
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}")
    return user


@programmes_cli.command("list")
@click.option("--as", "email", required=True, help="E-mail of the user whose view to list.")
@click.option("--status", default="", help="Only programmes in this status.")
def list_command(email: str, status: str):
    """List the programmes a user sees, with their next session."""
    user = actor_by_email(email)
    for programme in queries.list_programmes(user, status):
        upcoming = [s for s in programme.sessions
                    if s.status.value == "planned" and s.starts_at >= utcnow()]
        when = labelled_times(upcoming[0].starts_at, programme.zones, "%Y-%m-%d %H:%M") if upcoming else "-"
        click.echo(f"{programme.id:5}  {programme.status.value:10} {programme.mentor.code} -> "
                   f"{programme.mentee.code}  {programme.topic:14} {programme.display_title}  next: {when}")


def register_programme_commands(app) -> None:
    """Add the programme commands to the app's CLI."""
    app.cli.add_command(programmes_cli)

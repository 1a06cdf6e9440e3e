"""Command line of the programmes package: list programmes and export them as CSV."""

from pathlib import Path

import click
from flask.cli import AppGroup

from matchmaker.auth.services import get_user_by_email
from matchmaker.errors import MatchmakerError
from matchmaker.programmes import progress, services
from matchmaker.timeutils import labelled_times, utcnow

programmes_cli = AppGroup("programmes", help="Learning programmes.")


def _actor(email: str):
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user {email}")
    return user


@programmes_cli.command("list")
@click.option("--as", "email", required=True, help="E-mail of the user whose view to list.")
@click.option("--status", default="", help="Only programmes in this status.")
def list_command(email: str, status: str):
    """List the programmes a user sees, with their next session."""
    user = _actor(email)
    for programme in services.list_programmes(user, status):
        upcoming = [s for s in programme.sessions
                    if s.status.value == "planned" and s.starts_at >= utcnow()]
        when = labelled_times(upcoming[0].starts_at, programme.zones, "%Y-%m-%d %H:%M") if upcoming else "-"
        click.echo(f"{programme.id:5}  {programme.status.value:10} {programme.mentor.code} -> "
                   f"{programme.mentee.code}  {programme.topic:14} {programme.display_title}  next: {when}")


@programmes_cli.command("export-csv")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="E-mail of the user whose programmes to export.")
def export_command(path: Path, email: str):
    """Write one CSV row per programme the user sees."""
    try:
        text = progress.programmes_csv(_actor(email), utcnow())
    except MatchmakerError as error:
        raise click.ClickException(error.message) from None
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {max(0, text.count(chr(10)) - 1)} programmes to {path}")


def register_programme_commands(app) -> None:
    """Add the programme commands to the app's CLI."""
    app.cli.add_command(programmes_cli)

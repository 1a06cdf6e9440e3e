"""`flask programmes export-csv`: the programmes a user sees, as one CSV row each; and
`flask match-feedback PATH`: every "not a good match" a facilitator gave, for calibration."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from matchmaker.access import OPERATOR
from matchmaker.errors import MatchmakerError
from matchmaker.programmes.cli import actor_by_email, programmes_cli
from matchmaker.reports.exports import match_feedback_csv, programmes_csv
from matchmaker.timeutils import utcnow


@click.command("export-csv")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--as", "email", required=True, help="E-mail of the user whose programmes to export.")
def export_command(path: Path, email: str):
    """Write one CSV row per programme the user sees."""
    try:
        text = programmes_csv(actor_by_email(email), utcnow())
    except MatchmakerError as error:
        raise click.ClickException(error.message) from None
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {max(0, text.count(chr(10)) - 1)} programmes to {path}")


@click.command("match-feedback")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def match_feedback_command(path: Path):
    """Write every "not a good match" feedback on recommendations as CSV (one row each)."""
    text = match_feedback_csv(OPERATOR)
    path.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {max(0, text.count(chr(10)) - 1)} feedback rows to {path}")


def register_report_commands(app) -> None:
    """`programmes export-csv` lives here because it reads notes; it joins the programmes group.
    `match-feedback` is here with the other CSV exports."""
    programmes_cli.add_command(export_command)
    app.cli.add_command(match_feedback_command)

"""Command line of the reminders package: one sweep now (the scheduler has its own command)."""

from datetime import UTC, datetime

import click

from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.timeutils import utcnow


def _parse_now(value: str | None) -> datetime:
    if not value:
        return utcnow()
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise click.BadParameter(f"not an ISO 8601 date-time: {value}", param_hint="--now") from error
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@click.group("reminders", help="Reminder e-mails: the outbox and its sweep.")
def reminders_cli() -> None:
    pass


@reminders_cli.command("send-due")
@click.option("--now", "now_text", metavar="ISO8601",
              help="Sweep as if it were this time (UTC unless an offset is given). Default: now.")
@click.option("--limit", type=int, default=None, help="Handle at most this many reminders.")
def send_due(now_text: str | None, limit: int | None) -> None:
    """One sweep: send every reminder due at --now."""
    now = _parse_now(now_text)
    result = send_due_reminders(now, limit=limit)
    click.echo(f"{now.isoformat()}: {result}")


def register_reminder_commands(app) -> None:
    """Add the reminder commands to the app's CLI."""
    app.cli.add_command(reminders_cli)

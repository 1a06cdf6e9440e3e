"""Command line of the reminders package."""


def register_reminder_commands(app) -> None:
    """Add the reminder commands to the app's CLI."""

"""Command line of the programmes package."""


def register_programme_commands(app) -> None:
    """Add the programme commands to the app's CLI."""

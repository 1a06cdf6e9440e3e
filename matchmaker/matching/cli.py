"""Command line of the matching package."""


def register_matching_commands(app) -> None:
    """Add the matching commands to the app's CLI."""

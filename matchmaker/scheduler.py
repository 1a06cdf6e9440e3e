"""The only module that imports APScheduler."""


def init_app(app) -> None:
    """Prepare the in-process scheduler when SCHEDULER_ENABLED is set."""

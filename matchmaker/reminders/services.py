"""Reminder rows (an outbox) and the one sweep that sends them."""

from datetime import datetime

from matchmaker.programmes.models import ProgrammeSession


def sync_session_reminders(session: ProgrammeSession, now: datetime) -> None:
    """Make the session's unsent reminder rows match its current time and status (idempotent).

    Called in the same transaction by every service that plans, moves or cancels a session.
    """

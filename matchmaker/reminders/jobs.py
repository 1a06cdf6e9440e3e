"""The one sweep that sends reminders. Called by the scheduler's interval job and by
`flask reminders send-due`, and by nothing else.

Each message is its own unit of work: claim (commit), send, mark sent (commit). A crash between
"send" and "mark sent" repeats that one message after the lease runs out; nothing is lost.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app

from matchmaker.extensions import db
from matchmaker.reminders import checks, claims, messages, planning, transport
from matchmaker.reminders.models import Reminder, ReminderStatus

log = logging.getLogger(__name__)


@dataclass
class SweepResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    planned: int = 0
    errors: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sent or self.failed or self.retrying or self.skipped or self.planned)

    def __str__(self) -> str:
        return (f"sent {self.sent}, skipped {self.skipped}, retrying {self.retrying}, "
                f"failed {self.failed}, planned {self.planned}")


def send_due_reminders(now: datetime, limit: int | None = None) -> SweepResult:
    """Plan the data-driven nudges, then send every reminder due at `now`, each at most once."""
    config = current_app.config
    result = SweepResult()
    try:
        result.planned = planning.plan_nudges(now)
        db.session.commit()
    except Exception:  # a broken nudge must not hold back the session reminders already queued
        db.session.rollback()
        log.exception("planning nudges failed; sending what is queued")

    token = secrets.token_hex(16)
    batch = config["REMINDER_BATCH_SIZE"]
    lease = config["REMINDER_LEASE_SECONDS"]
    # Never start a message on a lease that could run out while it is being sent.
    margin = timedelta(seconds=min(2 * config["MAIL_TIMEOUT"], lease / 2))
    sender = transport.open_transport(config)
    cache: dict = {}
    handled = 0
    try:
        while limit is None or handled < limit:
            size = batch if limit is None else min(batch, limit - handled)
            db.session.commit()  # the claim starts a transaction of its own
            ids = claims.claim_due_reminders(now, token, size, lease)
            db.session.commit()
            if not ids:
                break
            for position, reminder_id in enumerate(ids):
                row = claims.load_claimed(reminder_id, token, margin)
                if row is None:
                    # Changed under us, or our lease is running short: hand the rest of the
                    # batch back and claim afresh, with a new lease.
                    db.session.rollback()
                    claims.release_claims(ids[position:], token)
                    db.session.commit()
                    handled += position
                    break
                down = _deliver_one(row, token, now, sender, result, cache)
                if down is not None:
                    _back_off(ids[position + 1:], token, now, down, result)
                    return result
            else:
                handled += len(ids)
    finally:
        sender.close()
    return result


def _deliver_one(row: Reminder, token: str, now: datetime, sender, result: SweepResult,
                 cache: dict) -> transport.TransportError | None:
    """Check, send and settle one claimed row; returns the error if the server is unreachable."""
    reminder_id = row.id
    reason = checks.why_not_send(row, now)
    if reason:
        claims.skip(row, reason)
        db.session.commit()
        result.skipped += 1
        return None
    try:
        message = messages.build_message(row, now, cache)
        sender.send(message, row.id)
    except transport.TransportError as error:
        if error.permanent:
            row.attempts = current_app.config["REMINDER_MAX_ATTEMPTS"] - 1
        status = claims.record_failure(row, str(error), now)
        db.session.commit()
        result.errors.append(str(error))
        if status == ReminderStatus.FAILED:
            result.failed += 1
            log.warning("reminder %s failed for good: %s", reminder_id, error)
        else:
            result.retrying += 1
            log.info("reminder %s will be retried: %s", reminder_id, error)
        return error if error.connection else None
    except Exception as error:  # a bug or bad data in one row must not stop the others
        db.session.rollback()
        log.exception("reminder %s could not be built", reminder_id)
        broken = claims.load_claimed(reminder_id, token, timedelta(0))
        if broken is not None:
            broken.attempts = current_app.config["REMINDER_MAX_ATTEMPTS"] - 1
            claims.record_failure(broken, f"{type(error).__name__}: {error}", now)
            db.session.commit()
            result.failed += 1
        return None
    if claims.mark_sent(row, token, now):
        result.sent += 1
    else:
        log.warning("reminder %s was sent but changed meanwhile (moved or cancelled)", reminder_id)
    db.session.commit()
    return None


def _back_off(ids: list[int], token: str, now: datetime, error: Exception, result: SweepResult) -> None:
    """The mail server is unreachable: the rest of the batch backs off with the same error."""
    for reminder_id in ids:
        row = claims.load_claimed(reminder_id, token, timedelta(0))
        if row is None:
            continue
        if claims.record_failure(row, str(error), now) == ReminderStatus.FAILED:
            result.failed += 1
        else:
            result.retrying += 1
    db.session.commit()

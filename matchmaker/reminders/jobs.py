"""The one sweep that sends reminders. Called by the scheduler's interval job and by
`flask reminders send-due`, and by nothing else.

Rows are claimed in batches under a lease (commit), loaded per batch with what their messages
read, sent one by one on one connection, and settled in groups: every REMINDER_SETTLE_MS and at
the end of each batch, one UPDATE marks the delivered rows sent (commit). A crash between "send"
and "settle" repeats the messages of that last group after the lease runs out: nothing is lost,
and at most the messages in flight (one group) go twice.
"""

import logging
import secrets
import time
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
    settler = _Settler(token, now, result, config["REMINDER_SETTLE_MS"] / 1000)
    cache: dict = {}
    handled = 0
    session = db.session()
    # Each batch is loaded fresh after its claim; settling commits must not expire it again,
    # or every row would be re-read one by one.
    session.expire_on_commit = False
    try:
        while limit is None or handled < limit:
            size = batch if limit is None else min(batch, limit - handled)
            db.session.commit()  # the claim starts a transaction of its own
            ids = claims.claim_due_reminders(now, token, size, lease)
            db.session.commit()
            if not ids:
                break
            rows = claims.load_claimed_batch(ids, token, now)
            for position, reminder_id in enumerate(ids):
                row = rows.get(reminder_id)
                if row is None:
                    continue  # changed under us since the claim: no longer ours to send
                if claims.lease_running_short(row, margin):
                    # Hand the rest of the batch back and claim afresh, with a new lease.
                    settler.settle()
                    claims.release_claims(ids[position:], token)
                    db.session.commit()
                    handled += position
                    break
                settler.sending()
                down = _deliver_one(row, token, now, sender, result, cache, settler)
                if down is not None:
                    _back_off(ids[position + 1:], token, now, down, result)
                    return result
                settler.settle_if_due()
            else:
                settler.settle()
                handled += len(ids)
    finally:
        session.expire_on_commit = True
        sender.close()
    return result


class _Settler:
    """Delivered rows waiting to be marked sent: one UPDATE and one commit per group.

    A group is settled once its first message started sending `seconds` ago, so with a slow
    server every message is settled as soon as it is sent, and with a fast one a group holds
    what went out in that time.
    """

    def __init__(self, token: str, now: datetime, result: SweepResult, seconds: float):
        self.token, self.now, self.result, self.seconds = token, now, result, seconds
        self.ids: list[int] = []
        self.since = 0.0

    def sending(self) -> None:
        if not self.ids:
            self.since = time.monotonic()

    def delivered(self, reminder_id: int) -> None:
        self.ids.append(reminder_id)

    def settle_if_due(self) -> None:
        if self.ids and time.monotonic() - self.since >= self.seconds:
            self.settle()

    def settle(self) -> None:
        """Mark the group sent and commit, with whatever else the sweep flushed (skips, failures)."""
        settled = claims.mark_sent(self.ids, self.token, self.now)
        db.session.commit()
        self.result.sent += len(settled)
        for reminder_id in self.ids:
            if reminder_id not in settled:
                log.warning("reminder %s was sent but changed meanwhile (moved or cancelled)",
                            reminder_id)
        self.ids = []


def _deliver_one(row: Reminder, token: str, now: datetime, sender, result: SweepResult,
                 cache: dict, settler: _Settler) -> transport.TransportError | None:
    """Check and send one claimed row; returns the error if the server is unreachable."""
    reminder_id = row.id
    reason = checks.why_not_send(row, now)
    if reason:
        claims.skip(row, reason)
        result.skipped += 1
        return None
    try:
        message = messages.build_message(row, now, cache)
        sender.send(message, row.id)
    except transport.TransportError as error:
        if error.permanent:
            row.attempts = current_app.config["REMINDER_MAX_ATTEMPTS"] - 1
        status = claims.record_failure(row, str(error), now)
        settler.settle()
        result.errors.append(str(error))
        if status == ReminderStatus.FAILED:
            result.failed += 1
            log.warning("reminder %s failed for good: %s", reminder_id, error)
        else:
            result.retrying += 1
            log.info("reminder %s will be retried: %s", reminder_id, error)
        return error if error.connection else None
    except Exception as error:  # a bug or bad data in one row must not stop the others
        db.session.rollback()  # drops unsettled skips too: they come back when the lease ends
        log.exception("reminder %s could not be built", reminder_id)
        settler.settle()
        broken = claims.load_claimed(reminder_id, token, timedelta(0))
        if broken is not None:
            broken.attempts = current_app.config["REMINDER_MAX_ATTEMPTS"] - 1
            claims.record_failure(broken, f"{type(error).__name__}: {error}", now)
            db.session.commit()
            result.failed += 1
        return None
    settler.delivered(reminder_id)
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

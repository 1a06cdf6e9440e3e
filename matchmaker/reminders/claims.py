"""The sweep's hold on reminder rows: claim due rows under a lease, load a claimed row, settle it.

Services flush and never commit; `reminders.jobs.send_due_reminders` commits once per claim and
once per message.
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from matchmaker.dbtypes import changed_rows
from matchmaker.extensions import db
from matchmaker.programmes.models import Programme, ProgrammeSession
from matchmaker.reminders.models import Reminder, ReminderStatus
from matchmaker.timeutils import utcnow


def claim_due_reminders(now: datetime, token: str, limit: int, lease_seconds: int) -> list[int]:
    """Take up to `limit` due rows for one sweep; the caller commits before and at once after.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent sweeps pass each other's rows by.
    SQLite: BEGIN IMMEDIATE takes the database write lock before reading, so two sweeps
    claim one after the other. Either way the lease (on the real clock, because it is about
    a live process, not about the `now` being swept) keeps the rows ours until it runs out;
    a killed sweep's rows come back when its lease ends.
    """
    conn = db.session.connection()
    dialect = conn.dialect.name
    if dialect == "sqlite":
        if getattr(conn.connection.dbapi_connection, "in_transaction", False):
            raise RuntimeError("claim_due_reminders must start its own transaction: commit first")
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    clock = utcnow()
    query = (select(Reminder.id)
             .where(Reminder.status == ReminderStatus.PENDING, Reminder.next_attempt_at <= now,
                    or_(Reminder.claimed_until.is_(None), Reminder.claimed_until < clock))
             .order_by(Reminder.next_attempt_at, Reminder.id).limit(limit))
    if dialect == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(update(Reminder).where(Reminder.id.in_(ids)).values(
            claimed_until=clock + timedelta(seconds=lease_seconds), claim_token=token)
            .execution_options(synchronize_session=False))
    return ids


def load_claimed(reminder_id: int, token: str, margin: timedelta) -> Reminder | None:
    """The row if this sweep still owns it with time to spare, else None (leave it be)."""
    # One query for the row and everything the checks and the message read, fresh from the database.
    row = db.session.scalar(
        select(Reminder).where(Reminder.id == reminder_id)
        .options(joinedload(Reminder.recipient),
                 joinedload(Reminder.session).joinedload(ProgrammeSession.programme).options(
                     joinedload(Programme.mentor), joinedload(Programme.mentee),
                     joinedload(Programme.facilitator)))
        .execution_options(populate_existing=True))
    if (row is None or row.status != ReminderStatus.PENDING or row.claim_token != token
            or row.claimed_until is None or row.claimed_until - utcnow() < margin):
        return None
    return row


def release_claims(ids: list[int], token: str) -> None:
    """Give back rows this sweep claimed but will not handle; others may take them at once."""
    if ids:
        db.session.execute(update(Reminder).where(
            Reminder.id.in_(ids), Reminder.claim_token == token, Reminder.status == ReminderStatus.PENDING)
            .values(claimed_until=None, claim_token=None).execution_options(synchronize_session=False))


def mark_sent(row: Reminder, token: str, now: datetime) -> bool:
    """Settle a delivered row, only if the claim is still ours (a move may have re-armed it)."""
    return changed_rows(
        update(Reminder).where(Reminder.id == row.id, Reminder.claim_token == token,
                               Reminder.status == ReminderStatus.PENDING)
        .values(status=ReminderStatus.SENT, sent_at=now, attempts=Reminder.attempts + 1,
                claimed_until=None, claim_token=None, last_error="", updated_at=utcnow())
        .execution_options(synchronize_session=False)) == 1


def record_failure(row: Reminder, error: str, now: datetime) -> ReminderStatus:
    """Count a failed try: retry later with doubling delays, or give up as `failed`."""
    row.attempts += 1
    row.last_error = error[:2000]
    row.release()
    if row.attempts >= current_app.config["REMINDER_MAX_ATTEMPTS"]:
        row.status = ReminderStatus.FAILED
    else:
        delay = current_app.config["REMINDER_RETRY_SECONDS"] * 2 ** (row.attempts - 1)
        row.next_attempt_at = now + timedelta(seconds=delay)
    db.session.flush()
    return row.status


def skip(row: Reminder, reason: str) -> None:
    row.skip(reason)
    db.session.flush()

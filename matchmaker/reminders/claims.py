"""The sweep's hold on reminder rows: claim due rows under a lease, load a claimed batch, settle it.

Services flush and never commit; `reminders.jobs.send_due_reminders` commits once per claim and
once per group of delivered messages (see REMINDER_SETTLE_MS).
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

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
        if conn.connection.dbapi_connection.in_transaction:
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


def _with_what_messages_read(stmt):
    return stmt.options(
        joinedload(Reminder.recipient),
        joinedload(Reminder.session).joinedload(ProgrammeSession.programme).options(
            joinedload(Programme.mentor), joinedload(Programme.mentee),
            joinedload(Programme.facilitator))).execution_options(populate_existing=True)


def _is_ours(row: Reminder | None, token: str) -> bool:
    return (row is not None and row.status == ReminderStatus.PENDING and row.claim_token == token
            and row.claimed_until is not None)


def load_claimed_batch(ids: list[int], token: str) -> dict[int, Reminder]:
    """The claimed rows this sweep still owns, with everything the checks and messages read, in
    one query fresh from the database."""
    rows = db.session.scalars(_with_what_messages_read(select(Reminder).where(Reminder.id.in_(ids))))
    return {row.id: row for row in rows.unique() if _is_ours(row, token)}


def lease_running_short(row: Reminder, margin: timedelta) -> bool:
    return row.claimed_until - utcnow() < margin


def load_claimed(reminder_id: int, token: str, margin: timedelta) -> Reminder | None:
    """The row if this sweep still owns it with time to spare, else None (leave it be)."""
    row = db.session.scalar(_with_what_messages_read(select(Reminder).where(Reminder.id == reminder_id)))
    if not _is_ours(row, token) or lease_running_short(row, margin):
        return None
    return row


def release_claims(ids: list[int], token: str) -> None:
    """Give back rows this sweep claimed but will not handle; others may take them at once."""
    if ids:
        db.session.execute(update(Reminder).where(
            Reminder.id.in_(ids), Reminder.claim_token == token, Reminder.status == ReminderStatus.PENDING)
            .values(claimed_until=None, claim_token=None).execution_options(synchronize_session=False))


def mark_sent(ids: list[int], token: str, now: datetime) -> set[int]:
    """Settle delivered rows in one statement, those whose claim is still ours (a move may have
    re-armed one); returns the ids settled."""
    if not ids:
        return set()
    return set(db.session.scalars(
        update(Reminder).where(Reminder.id.in_(ids), Reminder.claim_token == token,
                               Reminder.status == ReminderStatus.PENDING)
        .values(status=ReminderStatus.SENT, sent_at=now, attempts=Reminder.attempts + 1,
                claimed_until=None, claim_token=None, last_error="", updated_at=utcnow())
        .returning(Reminder.id).execution_options(synchronize_session=False)))


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

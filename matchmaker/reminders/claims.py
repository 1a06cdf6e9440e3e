"""The sweep's hold on reminder rows: claim due rows under a lease, load a claimed batch, settle it.

Services flush and never commit; `reminders.jobs.send_due_reminders` commits once per claim and
once per group of delivered messages (see REMINDER_SETTLE_MS).
"""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, or_, select, text, update
from sqlalchemy.orm import aliased, joinedload

from matchmaker.extensions import db
from matchmaker.programmes.models import Programme, ProgrammeSession
from matchmaker.reminders.models import Reminder, ReminderKind, ReminderStatus
from matchmaker.timeutils import utcnow

# Session-info key of the loaded batch's "superseded" answers: (the sweep's now, {row id: bool}).
SUPERSEDED = "reminders.superseded"


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


def _with_what_messages_read(stmt):
    return stmt.options(
        joinedload(Reminder.recipient),
        joinedload(Reminder.session).joinedload(ProgrammeSession.programme).options(
            joinedload(Programme.mentor), joinedload(Programme.mentee),
            joinedload(Programme.facilitator))).execution_options(populate_existing=True)


def _is_ours(row: Reminder | None, token: str) -> bool:
    return (row is not None and row.status == ReminderStatus.PENDING and row.claim_token == token
            and row.claimed_until is not None)


def _shorter_lead_due(now: datetime):
    """A pending reminder of the same session, reader and time, with a shorter lead, is due."""
    other = aliased(Reminder)
    return exists().where(
        other.session_id == Reminder.session_id, other.recipient_id == Reminder.recipient_id,
        other.kind == ReminderKind.SESSION, other.status == ReminderStatus.PENDING,
        other.event_at == Reminder.event_at, other.lead_minutes < Reminder.lead_minutes,
        other.due_at <= now)


def load_claimed_batch(ids: list[int], token: str, now: datetime) -> dict[int, Reminder]:
    """The claimed rows this sweep still owns, with everything the checks and messages read, in
    one query fresh from the database; whether each is superseded comes along (`is_superseded`)."""
    found = db.session.execute(_with_what_messages_read(
        select(Reminder, _shorter_lead_due(now)).where(Reminder.id.in_(ids)))).unique().all()
    db.session.info[SUPERSEDED] = (now, {row.id: bool(flag) for row, flag in found})
    return {row.id: row for row, _flag in found if _is_ours(row, token)}


def is_superseded(row: Reminder, now: datetime) -> bool:
    """Whether a shorter lead's reminder to the same reader is due too (read with the batch)."""
    at, known = db.session.info.get(SUPERSEDED, (None, {}))
    if at == now and row.id in known:
        return known[row.id]
    return bool(db.session.scalar(select(_shorter_lead_due(now)).where(Reminder.id == row.id)))


def lease_running_short(row: Reminder, margin: timedelta) -> bool:
    return row.claimed_until is None or row.claimed_until - utcnow() < margin


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
    if db.session.connection().dialect.name == "postgresql":
        # No wait for the WAL flush: if the database server itself crashes just after, these rows
        # are sent again (doubled, never lost), which the sweep already allows for.
        db.session.execute(text("SET LOCAL synchronous_commit = off"))
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

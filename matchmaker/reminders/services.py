"""Reminder rows (an outbox) and the rules that plan, claim, check and settle them.

Services flush and never commit; `matchmaker.reminders.jobs.send_due_reminders` is the one sweep
that commits, once per claim and once per message.
"""

import re
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.orm import joinedload

from matchmaker.auth.models import User
from matchmaker.errors import Conflict, Forbidden, NotFound, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes.models import (
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    SessionStatus,
)
from matchmaker.reminders.models import Reminder, ReminderKind, ReminderStatus
from matchmaker.timeutils import utcnow

_OFFSET = re.compile(r"^\s*(\d+)\s*([dhm])\s*$")
_UNIT_MINUTES = {"d": 1440, "h": 60, "m": 1}


def parse_offsets(spec: str) -> list[int]:
    """'24h,1h' -> [1440, 60]: lead times in minutes, longest first, each once."""
    minutes = set()
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        match = _OFFSET.match(part.lower())
        if not match or int(match.group(1)) == 0:
            raise ValueError(f"REMINDER_OFFSETS: cannot read {part!r} (use e.g. 24h, 90m, 2d)")
        minutes.add(int(match.group(1)) * _UNIT_MINUTES[match.group(2)])
    return sorted(minutes, reverse=True)


def lead_label(minutes: int) -> str:
    if minutes % 1440 == 0:
        return ngettext("%(num)d hari", "%(num)d hari", minutes // 1440)
    if minutes % 60 == 0:
        return ngettext("%(num)d jam", "%(num)d jam", minutes // 60)
    return ngettext("%(num)d menit", "%(num)d menit", minutes)


def eligible_users() -> list:
    """Conditions on User: enabled and wanting reminders."""
    return [User.is_enabled.is_(True), User.reminders_enabled.is_(True)]


def session_recipients(programme: Programme) -> list[User]:
    """Pokja members of both cities and the programme's facilitator, if they want reminders."""
    cities = [programme.mentor_city_id, programme.mentee_city_id]
    who = and_(User.role == "pokja", User.city_id.in_(cities))
    if programme.facilitator_id is not None:
        who = or_(who, User.id == programme.facilitator_id)
    return list(db.session.scalars(select(User).where(who, *eligible_users()).order_by(User.id)))


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def session_key(session_id: int, user_id: int, lead: int, starts_at: datetime) -> str:
    return f"session:{session_id}:u{user_id}:l{lead}:{_stamp(starts_at)}"


def _new_row(kind: ReminderKind, key: str, user_id: int, due_at: datetime, **fields) -> Reminder:
    return Reminder(kind=kind, dedupe_key=key, recipient_id=user_id, due_at=due_at,
                    next_attempt_at=due_at, status=ReminderStatus.PENDING, attempts=0,
                    last_error="", skip_reason="", **fields)


def _release(row: Reminder) -> None:
    row.claimed_until = None
    row.claim_token = None


def sync_session_reminders(session: ProgrammeSession, now: datetime) -> None:
    """Make the session's unsent reminder rows match its current time and status (idempotent).

    Called in the same transaction by every service that plans, moves or cancels a session.
    A planned session gets one row per (recipient, lead time) for its current start; unsent
    rows for an older start are moved, not duplicated; a lead time already past is recorded
    as skipped. A cancelled session's unsent reminders are skipped and each recipient gets one
    cancellation notice (if the session was still ahead).
    """
    db.session.flush()
    rows = list(db.session.scalars(select(Reminder).where(
        Reminder.session_id == session.id, Reminder.kind == ReminderKind.SESSION)))
    programme = session.programme
    cancelled = (session.status == SessionStatus.CANCELLED
                 or programme.status in (ProgrammeStatus.CANCELLED, ProgrammeStatus.DECLINED))
    if cancelled or session.status != SessionStatus.PLANNED:
        reason = _("sesi dibatalkan") if cancelled else _("sesi tidak lagi direncanakan")
        for row in rows:
            if row.status == ReminderStatus.PENDING:
                row.skip(reason)
        if cancelled and now < session.starts_at:
            _queue_cancellation_notices(session, now)
        db.session.flush()
        return

    wanted = {(user.id, lead) for user in session_recipients(programme)
              for lead in parse_offsets(current_app.config["REMINDER_OFFSETS"])}
    by_pair: dict[tuple[int, int], list[Reminder]] = {}
    for row in rows:
        by_pair.setdefault((row.recipient_id, row.lead_minutes), []).append(row)

    for pair, pair_rows in by_pair.items():
        if pair not in wanted:
            for row in pair_rows:
                if row.status == ReminderStatus.PENDING:
                    row.skip(_("penerima atau waktu pengingat tidak lagi berlaku"))

    for user_id, lead in sorted(wanted):
        due = session.starts_at - timedelta(minutes=lead)
        pair_rows = by_pair.get((user_id, lead), [])
        current = next((r for r in pair_rows if r.event_at == session.starts_at), None)
        pending = [r for r in pair_rows if r.status == ReminderStatus.PENDING and r is not current]
        if current is None and pending:
            current = pending.pop(0)  # the move: this row now announces the new start
            current.dedupe_key = session_key(session.id, user_id, lead, session.starts_at)
            current.event_at = session.starts_at
            current.due_at = current.next_attempt_at = due
            current.expires_at = session.starts_at
            current.attempts = 0
            current.last_error = ""
            _release(current)
        for row in pending:
            row.skip(_("sesi dipindah"))
        if current is None:
            current = _new_row(ReminderKind.SESSION,
                               session_key(session.id, user_id, lead, session.starts_at),
                               user_id, due, session_id=session.id, lead_minutes=lead,
                               event_at=session.starts_at, expires_at=session.starts_at)
            db.session.add(current)
        if current.status == ReminderStatus.PENDING and due <= now:
            current.skip(_("waktu pengingat sudah lewat saat sesi direncanakan"))
    db.session.flush()


def queue_account_email(user: User, now: datetime) -> Reminder:
    """E-mail a new account its one-time link to set a password, through the same outbox."""
    # A message still waiting makes its link when sent, so it serves a repeated request too.
    waiting = db.session.scalar(select(Reminder).where(
        Reminder.recipient_id == user.id, Reminder.kind == ReminderKind.ACCOUNT,
        Reminder.status == ReminderStatus.PENDING))
    if waiting is not None:
        return waiting
    row = _new_row(ReminderKind.ACCOUNT, f"account:u{user.id}:{_stamp(now)}", user.id, now,
                   expires_at=now + timedelta(hours=current_app.config["SET_PASSWORD_TOKEN_HOURS"]))
    db.session.add(row)
    db.session.flush()
    return row


def _queue_cancellation_notices(session: ProgrammeSession, now: datetime) -> None:
    for user in session_recipients(session.programme):
        key = f"cancelled:{session.id}:u{user.id}"
        if db.session.scalar(select(Reminder.id).where(Reminder.dedupe_key == key)) is None:
            db.session.add(_new_row(ReminderKind.CANCELLED, key, user.id, now, session_id=session.id,
                                    event_at=session.starts_at, expires_at=session.starts_at))


# ---------------------------------------------------------------- the sweep's steps

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
    result = db.session.execute(
        update(Reminder).where(Reminder.id == row.id, Reminder.claim_token == token,
                               Reminder.status == ReminderStatus.PENDING)
        .values(status=ReminderStatus.SENT, sent_at=now, attempts=Reminder.attempts + 1,
                claimed_until=None, claim_token=None, last_error="", updated_at=utcnow())
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def record_failure(row: Reminder, error: str, now: datetime) -> ReminderStatus:
    """Count a failed try: retry later with doubling delays, or give up as `failed`."""
    row.attempts += 1
    row.last_error = error[:2000]
    _release(row)
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


# ---------------------------------------------------------------- admin and the user's switch

def _ensure_admin(user: User) -> None:
    if user is None or not user.is_authenticated or not user.is_admin:
        raise Forbidden(_("Hanya admin yang dapat mengelola kotak keluar."))


def list_outbox(user: User, status: str | None = None, kind: str | None = None,
                q: str | None = None, limit: int = 200) -> list[Reminder]:
    """Outbox rows for the admin page, soonest-due pending first, then the newest."""
    _ensure_admin(user)
    query = select(Reminder).join(User, User.id == Reminder.recipient_id)
    if status:
        if status not in {s.value for s in ReminderStatus}:
            raise ValidationError(_("Status tidak dikenal."), field="status")
        query = query.where(Reminder.status == status)
    if kind:
        if kind not in {k.value for k in ReminderKind}:
            raise ValidationError(_("Jenis tidak dikenal."), field="kind")
        query = query.where(Reminder.kind == kind)
    if q:
        query = query.where(func.lower(User.email).contains(q.strip().lower()))
    order = text("CASE WHEN reminders.status = 'pending' THEN 0 ELSE 1 END")
    return list(db.session.scalars(query.order_by(order, Reminder.due_at.desc(), Reminder.id.desc())
                                   .limit(limit)))


def outbox_counts(user: User) -> dict[str, int]:
    _ensure_admin(user)
    rows = db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status))
    counts = {s.value: 0 for s in ReminderStatus}
    counts.update({ReminderStatus(s).value: n for s, n in rows})
    return counts


def resend_reminder(user: User, reminder_id: int, now: datetime) -> Reminder:
    """Queue a failed or skipped row again; it goes through the send-time checks as usual."""
    _ensure_admin(user)
    row = db.session.get(Reminder, reminder_id)
    if row is None:
        raise NotFound(_("Pengingat tidak ditemukan."))
    if row.status not in (ReminderStatus.FAILED, ReminderStatus.SKIPPED):
        raise Conflict(_("Hanya pengingat yang gagal atau dilewati yang dapat dikirim ulang."))
    row.status = ReminderStatus.PENDING
    row.attempts = 0
    # Back to its own time (past for a failed row), so the next sweep takes it and checks it again.
    row.next_attempt_at = row.due_at
    row.updated_at = now
    row.last_error = ""
    row.skip_reason = ""
    _release(row)
    db.session.flush()
    return row


def set_reminders_enabled(user: User, enabled: bool) -> None:
    """A user turns their own reminders on or off; queued rows are checked again at send time."""
    user.reminders_enabled = bool(enabled)
    db.session.flush()

"""Reminder rows (an outbox) and the rules that plan, claim, check and settle them.

Services flush and never commit; `matchmaker.reminders.jobs.send_due_reminders` is the one sweep
that commits, once per claim and once per message.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from matchmaker.auth.models import User
from matchmaker.errors import Conflict, Forbidden, NotFound, ValidationError
from matchmaker.extensions import db
from matchmaker.notes.models import ActionStatus, FollowUpAction, SessionNote
from matchmaker.programmes.models import (
    OPEN_STATUSES,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    SessionStatus,
)
from matchmaker.reminders.models import Reminder, ReminderKind, ReminderStatus
from matchmaker.timeutils import utcnow

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
# A notes nudge or digest found later than this after its time is no longer useful.
NUDGE_VALID_FOR = timedelta(days=7)
DIGEST_VALID_FOR = timedelta(days=1)
# Sessions older than this are not nudged for notes (e.g. after importing old programmes).
NOTES_LOOKBACK = timedelta(days=14)

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
        return _("%(n)d hari", n=minutes // 1440)
    if minutes % 60 == 0:
        return _("%(n)d jam", n=minutes // 60)
    return _("%(n)d menit", n=minutes)


def _eligible() -> list:
    return [User.is_enabled.is_(True), User.reminders_enabled.is_(True)]


def session_recipients(programme: Programme) -> list[User]:
    """Pokja members of both cities and the programme's facilitator, if they want reminders."""
    cities = [programme.mentor_city_id, programme.mentee_city_id]
    who = and_(User.role == "pokja", User.city_id.in_(cities))
    if programme.facilitator_id is not None:
        who = or_(who, User.id == programme.facilitator_id)
    return list(db.session.scalars(select(User).where(who, *_eligible()).order_by(User.id)))


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


def _queue_cancellation_notices(session: ProgrammeSession, now: datetime) -> None:
    for user in session_recipients(session.programme):
        key = f"cancelled:{session.id}:u{user.id}"
        if db.session.scalar(select(Reminder.id).where(Reminder.dedupe_key == key)) is None:
            db.session.add(_new_row(ReminderKind.CANCELLED, key, user.id, now, session_id=session.id,
                                    event_at=session.starts_at, expires_at=session.starts_at))


# ---------------------------------------------------------------- nudges planned by the sweep

def _insert_if_absent(values: list[dict]) -> int:
    """Insert rows whose dedupe_key is new; concurrent sweeps can both try, one row results."""
    if not values:
        return 0
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stamp = utcnow()
    for v in values:
        v.setdefault("next_attempt_at", v["due_at"])
        v.update(status=ReminderStatus.PENDING.value, attempts=0, last_error="", skip_reason="",
                 created_at=stamp, updated_at=stamp)
        v["kind"] = ReminderKind(v["kind"]).value
    for field in ("session_id", "action_id", "lead_minutes", "event_at", "expires_at"):
        for v in values:
            v.setdefault(field, None)
    stmt = insert(Reminder).values(values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return db.session.execute(stmt).rowcount or 0


def _local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


def plan_action_reminders(now: datetime) -> int:
    """Remind the owner city's Pokja of an open follow-up action due tomorrow (their calendar)."""
    tomorrows = {(now.astimezone(ZoneInfo(z)) + timedelta(days=1)).date() for z in ZONES}
    actions = db.session.scalars(select(FollowUpAction).where(
        FollowUpAction.status == ActionStatus.OPEN, FollowUpAction.due_on.in_(tomorrows)))
    hour = current_app.config["REMINDER_DIGEST_HOUR"]
    values = []
    for action in actions:
        tz = action.owner_city.timezone
        if (now.astimezone(ZoneInfo(tz)) + timedelta(days=1)).date() != action.due_on:
            continue
        due_day = _local_midnight(action.due_on, tz)
        send_at = due_day - timedelta(days=1) + timedelta(hours=hour)
        users = db.session.scalars(select(User.id).where(
            User.role == "pokja", User.city_id == action.owner_city_id, *_eligible()))
        values += [dict(kind=ReminderKind.ACTION_DUE, recipient_id=uid,
                        dedupe_key=f"action_due:{action.id}:u{uid}:{action.due_on.isoformat()}",
                        session_id=action.session_id, action_id=action.id, event_at=due_day,
                        due_at=send_at, expires_at=due_day + timedelta(days=1)) for uid in users]
    return _insert_if_absent(values)


def session_has_notes(session_id: int) -> bool:
    return db.session.scalar(select(exists().where(SessionNote.session_id == session_id)))


def plan_notes_nudges(now: datetime) -> int:
    """Ask participants to log notes 24 h after a session that still has none."""
    after = timedelta(hours=current_app.config["REMINDER_NOTES_NUDGE_HOURS"])
    sessions = db.session.scalars(select(ProgrammeSession).where(
        ProgrammeSession.status != SessionStatus.CANCELLED,
        ProgrammeSession.starts_at <= now - after,
        ProgrammeSession.starts_at >= now - after - NOTES_LOOKBACK,
        ~exists().where(SessionNote.session_id == ProgrammeSession.id)))
    values = []
    for session in sessions:
        due = session.ends_at + after
        if due > now or session.programme.status not in (*OPEN_STATUSES, ProgrammeStatus.COMPLETED):
            continue
        values += [dict(kind=ReminderKind.NOTES, recipient_id=user.id,
                        dedupe_key=f"notes:{session.id}:u{user.id}", session_id=session.id,
                        event_at=session.starts_at, due_at=due, expires_at=due + NUDGE_VALID_FOR)
                   for user in session_recipients(session.programme)]
    return _insert_if_absent(values)


def plan_digests(now: datetime) -> int:
    """Queue this week's digest for each facilitator once their local digest time has come."""
    weekday = current_app.config["REMINDER_DIGEST_WEEKDAY"]
    hour = current_app.config["REMINDER_DIGEST_HOUR"]
    values = []
    for user in db.session.scalars(select(User).where(User.role.in_(("facilitator", "admin")),
                                                      *_eligible())):
        local = now.astimezone(ZoneInfo(user.display_zone))
        day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
        start = datetime.combine(day, time(hour), ZoneInfo(user.display_zone)).astimezone(UTC)
        if not start <= now < start + DIGEST_VALID_FOR:
            continue
        year, week, _day = day.isocalendar()
        values.append(dict(kind=ReminderKind.DIGEST, recipient_id=user.id,
                           dedupe_key=f"digest:u{user.id}:{year}-W{week:02d}",
                           due_at=start, expires_at=start + DIGEST_VALID_FOR))
    return _insert_if_absent(values)


def plan_nudges(now: datetime) -> int:
    """Plan the nudges that follow from the data rather than from a session change."""
    return plan_action_reminders(now) + plan_notes_nudges(now) + plan_digests(now)


@dataclass
class Digest:
    overdue_actions: list
    sessions_without_notes: list
    proposals: list

    @property
    def is_empty(self) -> bool:
        return not (self.overdue_actions or self.sessions_without_notes or self.proposals)


def digest_for(user: User, now: datetime) -> Digest:
    """What a facilitator should look at: their programmes (an admin: all of them)."""
    scope = [] if user.is_admin else [Programme.facilitator_id == user.id]
    actions = [a for a in db.session.scalars(
        select(FollowUpAction).join(Programme, Programme.id == FollowUpAction.programme_id)
        .where(FollowUpAction.status == ActionStatus.OPEN,
               FollowUpAction.due_on < now.date() + timedelta(days=1), *scope)
        .order_by(FollowUpAction.due_on)) if a.is_overdue(now)]
    after = timedelta(hours=current_app.config["REMINDER_NOTES_NUDGE_HOURS"])
    sessions = list(db.session.scalars(
        select(ProgrammeSession).join(Programme)
        .where(ProgrammeSession.status != SessionStatus.CANCELLED,
               ProgrammeSession.starts_at <= now - after,
               ProgrammeSession.starts_at >= now - timedelta(days=60),
               ~exists().where(SessionNote.session_id == ProgrammeSession.id), *scope)
        .order_by(ProgrammeSession.starts_at)))
    proposal_scope = [] if user.is_admin else [or_(Programme.facilitator_id == user.id,
                                                   Programme.facilitator_id.is_(None))]
    proposals = list(db.session.scalars(select(Programme).where(
        Programme.status == ProgrammeStatus.PROPOSED, *proposal_scope).order_by(Programme.created_at)))
    return Digest(actions, sessions, proposals)


# ---------------------------------------------------------------- the sweep's steps

def claim_due_reminders(now: datetime, token: str, limit: int, lease_seconds: int) -> list[int]:
    """Take up to `limit` due rows for one sweep; the caller commits at once.

    PostgreSQL: FOR UPDATE SKIP LOCKED, so concurrent sweeps pass each other's rows by.
    SQLite: BEGIN IMMEDIATE takes the database write lock before reading, so two sweeps
    claim one after the other. Either way the lease (on the real clock, because it is about
    a live process, not about the `now` being swept) keeps the rows ours until it runs out;
    a killed sweep's rows come back when its lease ends.
    """
    conn = db.session.connection()
    dialect = conn.dialect.name
    if dialect == "sqlite":
        db.session.commit()
        conn = db.session.connection()
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
    row = db.session.get(Reminder, reminder_id, populate_existing=True)
    if (row is None or row.status != ReminderStatus.PENDING or row.claim_token != token
            or row.claimed_until is None or row.claimed_until - utcnow() < margin):
        return None
    return row


def why_not_send(row: Reminder, now: datetime) -> str | None:
    """Check again, at send time, that the message is still true and useful."""
    user = row.recipient
    if user is None or not user.is_enabled:
        return _("penerima dinonaktifkan")
    if not user.reminders_enabled:
        return _("penerima mematikan pengingat")
    if row.expires_at is not None and now >= row.expires_at:
        return _("terlambat: sudah tidak berguna (%(at)s)", at=row.expires_at.isoformat())
    session = row.session
    needs_session = (ReminderKind.SESSION, ReminderKind.CANCELLED, ReminderKind.NOTES)
    if row.kind in needs_session and session is None:
        return _("sesi sudah dihapus")
    if row.kind == ReminderKind.SESSION:
        if session.status != SessionStatus.PLANNED or not session.programme.is_open:
            return _("sesi dibatalkan")
        if session.starts_at != row.event_at:
            return _("sesi dipindah")
        if now >= session.starts_at:
            return _("sesi sudah dimulai")
        later = db.session.scalar(select(func.count(Reminder.id)).where(
            Reminder.session_id == row.session_id, Reminder.recipient_id == row.recipient_id,
            Reminder.kind == ReminderKind.SESSION, Reminder.status == ReminderStatus.PENDING,
            Reminder.event_at == row.event_at, Reminder.lead_minutes < row.lead_minutes,
            Reminder.due_at <= now))
        if later:
            return _("digantikan oleh pengingat yang lebih dekat ke sesi")
    elif row.kind == ReminderKind.CANCELLED:
        if session.status != SessionStatus.CANCELLED and session.programme.is_open:
            return _("sesi tidak jadi dibatalkan")
    elif row.kind == ReminderKind.NOTES:
        if session.status == SessionStatus.CANCELLED:
            return _("sesi dibatalkan")
        if session_has_notes(session.id):
            return _("catatan sudah diisi")
    elif row.kind == ReminderKind.ACTION_DUE:
        action = db.session.get(FollowUpAction, row.action_id) if row.action_id else None
        if action is None or action.status != ActionStatus.OPEN:
            return _("tindak lanjut sudah selesai atau dihapus")
        if row.event_at != _local_midnight(action.due_on, action.owner_city.timezone):
            return _("tenggat tindak lanjut berubah")
    elif row.kind == ReminderKind.DIGEST:
        if not user.is_facilitator:
            return _("penerima bukan fasilitator lagi")
        if digest_for(user, now).is_empty:
            return _("tidak ada yang perlu dilaporkan minggu ini")
    return None


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
    row.next_attempt_at = now
    row.last_error = ""
    row.skip_reason = ""
    _release(row)
    db.session.flush()
    return row


def set_reminders_enabled(user: User, enabled: bool) -> None:
    """A user turns their own reminders on or off; queued rows are checked again at send time."""
    user.reminders_enabled = bool(enabled)
    db.session.flush()

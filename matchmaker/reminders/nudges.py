"""Nudges the sweep plans from the data (action due tomorrow, notes missing, weekly digest) and
the send-time checks every reminder passes.

Apart from services.py because these read the notes package's services, which build on the
programmes services, which in turn call `services.sync_session_reminders`.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from matchmaker.auth.models import User
from matchmaker.extensions import db
from matchmaker.notes.models import ActionStatus, FollowUpAction
from matchmaker.notes.services import due_actions, has_notes_clause, session_has_notes
from matchmaker.programmes.models import (
    OPEN_STATUSES,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    SessionStatus,
)
from matchmaker.reminders.models import Reminder, ReminderKind, ReminderStatus
from matchmaker.reminders.services import eligible_users, session_recipients
from matchmaker.timeutils import utcnow

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
# A notes nudge found later than this after its time is no longer useful; a digest, a day.
NUDGE_VALID_FOR = timedelta(days=7)
DIGEST_VALID_FOR = timedelta(days=1)
# Sessions older than this are not nudged for notes (e.g. after importing old programmes).
NOTES_LOOKBACK = timedelta(days=14)


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
    actions = [a for day in sorted(tomorrows) for a in due_actions(day)]
    hour = current_app.config["REMINDER_DIGEST_HOUR"]
    values = []
    for action in actions:
        tz = action.owner_city.timezone
        if (now.astimezone(ZoneInfo(tz)) + timedelta(days=1)).date() != action.due_on:
            continue
        due_day = _local_midnight(action.due_on, tz)
        send_at = due_day - timedelta(days=1) + timedelta(hours=hour)
        users = db.session.scalars(select(User.id).where(
            User.role == "pokja", User.city_id == action.owner_city_id, *eligible_users()))
        values += [dict(kind=ReminderKind.ACTION_DUE, recipient_id=uid,
                        dedupe_key=f"action_due:{action.id}:u{uid}:{action.due_on.isoformat()}",
                        session_id=action.session_id, action_id=action.id, event_at=due_day,
                        due_at=send_at, expires_at=due_day + timedelta(days=1)) for uid in users]
    return _insert_if_absent(values)


def plan_notes_nudges(now: datetime) -> int:
    """Ask participants to log notes 24 h after a session that still has none."""
    after = timedelta(hours=current_app.config["REMINDER_NOTES_NUDGE_HOURS"])
    sessions = db.session.scalars(select(ProgrammeSession).where(
        ProgrammeSession.status != SessionStatus.CANCELLED,
        ProgrammeSession.starts_at <= now - after,
        ProgrammeSession.starts_at >= now - after - NOTES_LOOKBACK,
        ~has_notes_clause(ProgrammeSession.id)))
    values = []
    for session in sessions:
        due = session.ends_at + after
        if (due > now or session.programme.status not in (*OPEN_STATUSES, ProgrammeStatus.COMPLETED)
                or session_has_notes(session.id)):
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
                                                      *eligible_users())):
        local = now.astimezone(ZoneInfo(user.display_zone))
        day = local.date() - timedelta(days=(local.weekday() - weekday) % 7)
        start = datetime.combine(day, time(hour), ZoneInfo(user.display_zone)).astimezone(UTC)
        if not start <= now < start + DIGEST_VALID_FOR:
            continue
        year, week, _day = day.isocalendar()
        key = f"digest:u{user.id}:{year}-W{week:02d}"
        # An empty digest is not worth a message (checked once the row is missing).
        if (db.session.scalar(select(Reminder.id).where(Reminder.dedupe_key == key)) is not None
                or digest_for(user, now).is_empty):
            continue
        values.append(dict(kind=ReminderKind.DIGEST, recipient_id=user.id, dedupe_key=key,
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
               ~has_notes_clause(ProgrammeSession.id), *scope)
        .order_by(ProgrammeSession.starts_at)))
    proposal_scope = [] if user.is_admin else [or_(Programme.facilitator_id == user.id,
                                                   Programme.facilitator_id.is_(None))]
    proposals = list(db.session.scalars(select(Programme).where(
        Programme.status == ProgrammeStatus.PROPOSED, *proposal_scope).order_by(Programme.created_at)))
    return Digest(actions, sessions, proposals)



def _takes_part(user: User, programme: Programme) -> bool:
    """The same people `services.session_recipients` picks, checked on one user."""
    if user.id == programme.facilitator_id:
        return True
    return user.role == "pokja" and user.city_id in (programme.mentor_city_id, programme.mentee_city_id)


def why_not_send(row: Reminder, now: datetime) -> str | None:
    """Check again, at send time, that the message is still true and useful."""
    user = row.recipient
    if user is None or not user.is_enabled:
        return _("penerima dinonaktifkan")
    if row.kind == ReminderKind.ACCOUNT:
        # Set (through any link) since this was asked for: the mail is no longer needed.
        changed = user.password_changed_at is not None and user.password_changed_at >= row.due_at
        return _("kata sandi sudah diatur") if changed else None
    if not user.reminders_enabled:
        return _("penerima mematikan pengingat")
    if row.expires_at is not None and now >= row.expires_at:
        return _("terlambat: sudah tidak berguna (%(at)s)", at=row.expires_at.isoformat())
    session = row.session
    needs_session = (ReminderKind.SESSION, ReminderKind.CANCELLED, ReminderKind.NOTES)
    if row.kind in needs_session and session is None:
        return _("sesi sudah dihapus")
    if row.kind in needs_session and not _takes_part(user, session.programme):
        return _("penerima bukan peserta program lagi")
    if row.kind == ReminderKind.SESSION:
        if session.status != SessionStatus.PLANNED or not session.programme.is_open:
            return _("sesi dibatalkan")
        if session.starts_at != row.event_at:
            return _("sesi dipindah")
        if now >= session.starts_at:
            return _("sesi sudah dimulai")
        # Only a late row can be superseded: a shorter lead falls due at least a minute after it.
        late = now - row.due_at >= timedelta(minutes=1)
        later = late and db.session.scalar(select(func.count(Reminder.id)).where(
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
        if user.role != "pokja" or user.city_id != action.owner_city_id:
            return _("penerima bukan anggota Pokja kota pemilik")
        if row.event_at != _local_midnight(action.due_on, action.owner_city.timezone):
            return _("tenggat tindak lanjut berubah")
    elif row.kind == ReminderKind.DIGEST:
        if not user.is_facilitator:
            return _("penerima bukan fasilitator lagi")
        if digest_for(user, now).is_empty:
            return _("tidak ada yang perlu dilaporkan minggu ini")
    return None

"""Planning reminder rows: for each session (on `signals.session_changed`), for new accounts (on
`signals.password_link_requested`), for a new time poll (on `signals.poll_opened`) and the
nudges that follow from the data (an action due tomorrow, notes missing, the weekly digest, a
poll not yet answered). Services flush and never commit.
"""

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from matchmaker import signals
from matchmaker.access import FACILITATING, Role
from matchmaker.auth.models import User
from matchmaker.dbtypes import changed_rows
from matchmaker.extensions import db
from matchmaker.notes.queries import due_actions, notes_due_at, sessions_missing_notes
from matchmaker.programmes.access import members_clause
from matchmaker.programmes.models import (
    Poll,
    PollStatus,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    SessionStatus,
)
from matchmaker.reminders.checks import digest_for
from matchmaker.reminders.models import Reminder, ReminderKind, ReminderStatus
from matchmaker.timeutils import ZONES, local_midnight, utcnow

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


def eligible_users() -> list:
    """Conditions on User: enabled and wanting reminders."""
    return [User.is_enabled.is_(True), User.reminders_enabled.is_(True)]


def session_recipients(programme: Programme) -> list[User]:
    """The programme's members (both cities' Pokja, its facilitator) who want reminders."""
    return list(db.session.scalars(select(User).where(
        members_clause(programme), *eligible_users()).order_by(User.id)))


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def session_key(session_id: int, user_id: int, lead: int, starts_at: datetime) -> str:
    return f"session:{session_id}:u{user_id}:l{lead}:{_stamp(starts_at)}"


def _new_row(kind: ReminderKind, key: str, user_id: int, due_at: datetime, **fields) -> Reminder:
    return Reminder(kind=kind, dedupe_key=key, recipient_id=user_id, due_at=due_at,
                    next_attempt_at=due_at, status=ReminderStatus.PENDING, attempts=0,
                    last_error="", skip_reason="", **fields)


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
    by_pair: dict[tuple[int, int | None], list[Reminder]] = {}
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
            current.release()
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
    """E-mail an account a one-time link to set its password, through the same outbox."""
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
    for field in ("session_id", "action_id", "poll_id", "lead_minutes", "event_at", "expires_at"):
        for v in values:
            v.setdefault(field, None)
    stmt = insert(Reminder).values(values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    return changed_rows(stmt) or 0


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
        due_day = local_midnight(action.due_on, tz)
        send_at = due_day - timedelta(days=1) + timedelta(hours=hour)
        users = db.session.scalars(select(User.id).where(
            User.role == Role.POKJA, User.city_id == action.owner_city_id, *eligible_users()))
        values += [dict(kind=ReminderKind.ACTION_DUE, recipient_id=uid,
                        dedupe_key=f"action_due:{action.id}:u{uid}:{action.due_on.isoformat()}",
                        session_id=action.session_id, action_id=action.id, event_at=due_day,
                        due_at=send_at, expires_at=due_day + timedelta(days=1)) for uid in users]
    return _insert_if_absent(values)


def plan_notes_nudges(now: datetime) -> int:
    """Ask participants to log notes once a session's notes are overdue (`notes_due_at`)."""
    values = []
    after = timedelta(hours=current_app.config["NOTES_DUE_HOURS"])
    for session in sessions_missing_notes(now, lookback=NOTES_LOOKBACK + after):
        due = notes_due_at(session)
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
    for user in db.session.scalars(select(User).where(User.role.in_(FACILITATING),
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


def poll_recipients(poll: Poll) -> list[User]:
    """The Pokja of the poll's two cities who want e-mail."""
    return list(db.session.scalars(select(User).where(
        members_clause(poll.programme, pokja_only=True), *eligible_users()).order_by(User.id)))


def queue_poll_announcements(poll: Poll, now: datetime) -> int:
    """Ask the Pokja of both cities to answer a poll that was just opened."""
    return _insert_if_absent([dict(kind=ReminderKind.POLL, recipient_id=user.id, poll_id=poll.id,
                                   dedupe_key=f"poll:{poll.id}:u{user.id}", due_at=now)
                              for user in poll_recipients(poll)])


def plan_poll_nudges(now: datetime) -> int:
    """Nudge the Pokja who have not answered an open poll within POLL_NUDGE_DAYS."""
    after = timedelta(days=current_app.config["POLL_NUDGE_DAYS"])
    values = []
    for poll in db.session.scalars(select(Poll).where(Poll.status == PollStatus.OPEN,
                                                      Poll.created_at <= now - after)):
        answered = {answer.user_id for answer in poll.answers}
        values += [dict(kind=ReminderKind.POLL_NUDGE, recipient_id=user.id, poll_id=poll.id,
                        dedupe_key=f"poll_nudge:{poll.id}:u{user.id}", due_at=poll.created_at + after)
                   for user in poll_recipients(poll) if user.id not in answered]
    return _insert_if_absent(values)


def plan_nudges(now: datetime) -> int:
    """Plan the nudges that follow from the data rather than from a session change."""
    return (plan_action_reminders(now) + plan_notes_nudges(now) + plan_digests(now)
            + plan_poll_nudges(now))


# ---------------------------------------------------------------- signal receivers

def _on_session_changed(session: ProgrammeSession, now: datetime) -> None:
    sync_session_reminders(session, now)


def _on_password_link_requested(user: User, now: datetime) -> None:
    queue_account_email(user, now)


def _on_poll_opened(poll: Poll, now: datetime) -> None:
    queue_poll_announcements(poll, now)


def connect_receivers() -> None:
    """Plan reminders when the lower domains say something changed (idempotent)."""
    signals.session_changed.connect(_on_session_changed)
    signals.password_link_requested.connect(_on_password_link_requested)
    signals.poll_opened.connect(_on_poll_opened)

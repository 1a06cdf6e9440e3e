"""Use cases of the reminders pages: the admin's outbox and each user's on/off switch.
Services flush; callers commit."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, text

from matchmaker.access import ensure_admin
from matchmaker.auth.models import User
from matchmaker.errors import Conflict, NotFound, ValidationError
from matchmaker.extensions import db
from matchmaker.reminders.models import Reminder, ReminderKind, ReminderStatus


def list_outbox(user: User, status: str | None = None, kind: str | None = None,
                q: str | None = None, limit: int = 200) -> list[Reminder]:
    """Outbox rows for the admin page, soonest-due pending first, then the newest."""
    ensure_admin(user)
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
    ensure_admin(user)
    rows = db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status))
    counts = {s.value: 0 for s in ReminderStatus}
    counts.update({ReminderStatus(s).value: n for s, n in rows})
    return counts


def resend_reminder(user: User, reminder_id: int, now: datetime) -> Reminder:
    """Queue a failed or skipped row again; it goes through the send-time checks as usual."""
    ensure_admin(user)
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
    row.release()
    db.session.flush()
    return row


def set_reminders_enabled(user: User, enabled: bool) -> None:
    """A user turns their own reminders on or off; queued rows are checked again at send time."""
    user.reminders_enabled = bool(enabled)
    db.session.flush()

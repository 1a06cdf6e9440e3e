"""What the sweep checks at send time, per kind of reminder: is the message still true and useful?

A row planned days ago may no longer apply: the session moved or was cancelled, notes were
logged, the action was done, the recipient left the programme or turned reminders off. Each
kind has one check function; `why_not_send` runs the common checks and then the kind's own.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select

from matchmaker.access import Role, has_role, is_admin, is_facilitator
from matchmaker.auth.models import User
from matchmaker.extensions import db
from matchmaker.notes.models import ActionStatus, FollowUpAction
from matchmaker.notes.queries import session_has_notes, sessions_missing_notes
from matchmaker.programmes.access import can_answer_poll, is_member
from matchmaker.programmes.models import Programme, ProgrammeStatus, SessionStatus
from matchmaker.reminders import claims
from matchmaker.reminders.models import Reminder, ReminderKind
from matchmaker.timeutils import local_midnight

# Facilitators' digests look back this far for sessions still without notes.
DIGEST_LOOKBACK = timedelta(days=60)


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
    scope = [] if is_admin(user) else [Programme.facilitator_id == user.id]
    actions = [a for a in db.session.scalars(
        select(FollowUpAction).join(Programme, Programme.id == FollowUpAction.programme_id)
        .where(FollowUpAction.status == ActionStatus.OPEN,
               FollowUpAction.due_on < now.date() + timedelta(days=1), *scope)
        .order_by(FollowUpAction.due_on)) if a.is_overdue(now)]
    sessions = sessions_missing_notes(now, *scope, lookback=DIGEST_LOOKBACK)
    proposal_scope = [] if is_admin(user) else [or_(Programme.facilitator_id == user.id,
                                                    Programme.facilitator_id.is_(None))]
    proposals = list(db.session.scalars(select(Programme).where(
        Programme.status == ProgrammeStatus.PROPOSED, *proposal_scope).order_by(Programme.created_at)))
    return Digest(actions, sessions, proposals)


def _session(row: Reminder, now: datetime) -> str | None:
    session = row.session
    if session is None:
        return _("sesi dihapus")
    if session.status != SessionStatus.PLANNED or not session.programme.is_open:
        return _("sesi dibatalkan")
    if session.starts_at != row.event_at:
        return _("sesi dipindah")
    if now >= session.starts_at:
        return _("sesi sudah dimulai")
    # Only a late row can be superseded: a shorter lead falls due at least a minute after it.
    late = now - row.due_at >= timedelta(minutes=1)
    later = late and claims.is_superseded(row, now)
    return _("digantikan oleh pengingat yang lebih dekat ke sesi") if later else None


def _cancelled(row: Reminder, now: datetime) -> str | None:
    session = row.session
    if session is None:
        return _("sesi dihapus")
    if session.status != SessionStatus.CANCELLED and session.programme.is_open:
        return _("sesi tidak jadi dibatalkan")
    return None


def _notes(row: Reminder, now: datetime) -> str | None:
    if row.session is None:
        return _("sesi dihapus")
    if row.session.status == SessionStatus.CANCELLED:
        return _("sesi dibatalkan")
    return _("catatan sudah diisi") if session_has_notes(row.session.id) else None


def _action_due(row: Reminder, now: datetime) -> str | None:
    action = db.session.get(FollowUpAction, row.action_id) if row.action_id else None
    if action is None or action.status != ActionStatus.OPEN:
        return _("tindak lanjut sudah selesai atau dihapus")
    if not (has_role(row.recipient, Role.POKJA) and row.recipient.city_id == action.owner_city_id):
        return _("penerima bukan anggota Pokja kota pemilik")
    if row.event_at != local_midnight(action.due_on, action.owner_city.timezone):
        return _("tenggat tindak lanjut berubah")
    return None


def _digest(row: Reminder, now: datetime) -> str | None:
    if not is_facilitator(row.recipient):
        return _("penerima bukan fasilitator lagi")
    if digest_for(row.recipient, now).is_empty:
        return _("tidak ada yang perlu dilaporkan minggu ini")
    return None


def _account(row: Reminder, now: datetime) -> str | None:
    # Set (through any link) since this was asked for: the mail is no longer needed.
    changed_at = row.recipient.password_changed_at
    return _("kata sandi sudah diatur") if changed_at is not None and changed_at >= row.due_at else None


def _poll(row: Reminder, now: datetime) -> str | None:
    if row.poll is None or not row.poll.is_open:
        return _("jajak waktu sudah ditutup")
    if not can_answer_poll(row.recipient, row.poll):
        return _("penerima bukan Pokja kota program ini")
    return None


def _poll_nudge(row: Reminder, now: datetime) -> str | None:
    reason = _poll(row, now)
    if reason or row.poll is None:
        return reason
    answered = any(answer.user_id == row.recipient_id for answer in row.poll.answers)
    return _("jajak waktu sudah dijawab") if answered else None


CHECKS: dict[ReminderKind, Callable[[Reminder, datetime], str | None]] = {
    ReminderKind.SESSION: _session,
    ReminderKind.CANCELLED: _cancelled,
    ReminderKind.NOTES: _notes,
    ReminderKind.ACTION_DUE: _action_due,
    ReminderKind.DIGEST: _digest,
    ReminderKind.ACCOUNT: _account,
    ReminderKind.POLL: _poll,
    ReminderKind.POLL_NUDGE: _poll_nudge,
}
# Kinds about one session: the session must still exist and the recipient take part in it.
ABOUT_A_SESSION = (ReminderKind.SESSION, ReminderKind.CANCELLED, ReminderKind.NOTES)


def why_not_send(row: Reminder, now: datetime) -> str | None:
    """Check again, at send time, that the message is still true and useful; None means send."""
    user = row.recipient
    if user is None or not user.is_enabled:
        return _("penerima dinonaktifkan")
    if row.kind != ReminderKind.ACCOUNT:  # an account e-mail goes out whatever the settings
        if not user.reminders_enabled:
            return _("penerima mematikan pengingat")
        if row.expires_at is not None and now >= row.expires_at:
            return _("terlambat: sudah tidak berguna (%(at)s)", at=row.expires_at.isoformat())
    if row.kind in ABOUT_A_SESSION:
        if row.session is None:
            return _("sesi sudah dihapus")
        if not is_member(user, row.session.programme):
            return _("penerima bukan peserta program lagi")
    return CHECKS[row.kind](row, now)

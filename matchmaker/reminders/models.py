"""Reminder rows: the outbox that one sweep delivers, each row at most once."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.dbtypes import UTCDateTime, str_enum
from matchmaker.extensions import Model
from matchmaker.timeutils import utcnow

if TYPE_CHECKING:
    from matchmaker.auth.models import User
    from matchmaker.programmes.models import Poll, Programme, ProgrammeSession



class ReminderKind(enum.StrEnum):
    SESSION = "session"            # n hours before a session
    CANCELLED = "cancelled"        # sessions of a programme were cancelled (one per programme and sweep)
    ACTION_DUE = "action_due"      # a follow-up action falls due tomorrow
    NOTES = "notes"                # 24 h after a session that still has no notes
    DIGEST = "digest"              # weekly summary for facilitators
    ACCOUNT = "account"            # a new account's one-time link to set its password
    PROPOSAL = "proposal"          # a programme was proposed to the recipient's city
    PROPOSAL_NUDGE = "proposal_nudge"  # the proposal is still unanswered after PROPOSAL_NUDGE_DAYS
    INVITATION = "invitation"      # the programme was agreed: every planned session in one calendar
    UPDATE = "update"              # sessions changed (moved, new link, added) since the invitation
    POLL = "poll"                  # a time poll was opened: please answer
    POLL_NUDGE = "poll_nudge"      # a time poll still waits for this Pokja member's answer


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"



class Reminder(Model):
    """One message to one person. `dedupe_key` makes every reminder exist once.

    Keys: ``session:{session}:u{user}:l{lead minutes}:{start}`` (one per session start, so a
    move re-arms a reminder already sent for the old time), ``proposal:p{programme}:u{user}``,
    ``proposal_nudge:p{programme}:u{user}``, ``invitation:p{programme}:u{user}:{queued at}``,
    ``update:…`` and ``cancelled:…`` likewise (one pending row per programme and person gathers
    every change until a sweep sends it; `session_ids` lists the sessions it is about),
    ``action_due:{action}:u{user}:{due date}``, ``notes:{session}:u{user}``,
    ``digest:u{user}:{ISO week}``, ``account:u{user}:{queued at}``, ``poll:{poll}:u{user}``,
    ``poll_nudge:{poll}:u{user}``.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        # The sweep's query: pending rows by the time they may next be tried.
        Index("ix_reminders_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_reminders_session_recipient", "session_id", "recipient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(str_enum(ReminderKind, "reminder_kind"))
    status: Mapped[ReminderStatus] = mapped_column(str_enum(ReminderStatus, "reminder_status"),
                                                   default=ReminderStatus.PENDING)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="SET NULL"))
    # Programme-wide messages (proposal, invitation, update, cancelled): the programme, and the
    # sessions the message concerns as space-separated ids.
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    session_ids: Mapped[str] = mapped_column(Text, default="")
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    # Follow-up action id (notes package); no foreign key so actions can be deleted freely.
    action_id: Mapped[int | None] = mapped_column()
    lead_minutes: Mapped[int | None] = mapped_column()
    # The session start this reminder announces; a send-time check compares it with the session.
    event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Past this instant the message is useless and is skipped instead of sent.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    # A sweep's claim: rows with a live lease belong to that sweep (claim_token) only.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    skip_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    recipient: Mapped["User"] = relationship("User")
    session: Mapped["ProgrammeSession | None"] = relationship("ProgrammeSession")
    poll: Mapped["Poll | None"] = relationship("Poll")
    programme: Mapped["Programme | None"] = relationship("Programme")

    @property
    def session_id_list(self) -> list[int]:
        return [int(part) for part in self.session_ids.split()]

    def add_sessions(self, ids) -> None:
        """Gather more sessions into this (still pending) programme-wide message."""
        self.session_ids = " ".join(str(i) for i in sorted({*self.session_id_list, *ids}))

    @property
    def message_id(self) -> str:
        """Stable per row, so a repeated delivery is recognisable as the same message."""
        return f"<reminder-{self.id}@matchmaker>"

    def release(self) -> None:
        """Drop the sweep's claim, so any sweep may take the row again."""
        self.claimed_until = None
        self.claim_token = None

    def skip(self, reason: str) -> None:
        self.status = ReminderStatus.SKIPPED
        self.skip_reason = reason[:200]
        self.release()


# What the outbox page calls each kind and status (a kind without a label shows its code).
KIND_LABELS = {
    ReminderKind.SESSION: _l("Pengingat sesi"),
    ReminderKind.CANCELLED: _l("Pembatalan sesi"),
    ReminderKind.ACTION_DUE: _l("Tenggat tindak lanjut"),
    ReminderKind.NOTES: _l("Catatan belum diisi"),
    ReminderKind.DIGEST: _l("Ringkasan mingguan"),
    ReminderKind.ACCOUNT: _l("Akun baru"),
}
STATUS_LABELS = {
    ReminderStatus.PENDING: _l("dalam antrean"),
    ReminderStatus.SENT: _l("terkirim"),
    ReminderStatus.FAILED: _l("gagal"),
    ReminderStatus.SKIPPED: _l("dilewati"),
}

"""Learning programmes (mentor city + mentee city + topic) and their sessions."""

import enum
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.dbtypes import UTCDateTime, str_enum
from matchmaker.extensions import Model
from matchmaker.timeutils import utcnow

if TYPE_CHECKING:
    from matchmaker.auth.models import User
    from matchmaker.cities.models import City, Need, Practice



class ProgrammeStatus(enum.StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    ACTIVE = "active"
    COMPLETED = "completed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


OPEN_STATUSES = (ProgrammeStatus.PROPOSED, ProgrammeStatus.AGREED, ProgrammeStatus.ACTIVE)
# Statuses in which sessions may still be planned, moved or cancelled.
PLANNABLE_STATUSES = OPEN_STATUSES


class ReplicationOutcome(enum.StrEnum):
    """How far the mentee took the practice, lowest to highest."""

    NONE = "none"
    PLAN = "plan"
    BUDGET = "budget"
    REGULATION = "regulation"
    OPERATION = "operation"


class PollStatus(enum.StrEnum):
    OPEN = "open"
    CHOSEN = "chosen"
    CLOSED = "closed"


class SessionStatus(enum.StrEnum):
    PLANNED = "planned"
    HELD = "held"
    CANCELLED = "cancelled"


STATUS_LABELS = {
    ProgrammeStatus.PROPOSED: _l("Diusulkan"),
    ProgrammeStatus.AGREED: _l("Disepakati"),
    ProgrammeStatus.ACTIVE: _l("Berjalan"),
    ProgrammeStatus.COMPLETED: _l("Selesai"),
    ProgrammeStatus.DECLINED: _l("Ditolak"),
    ProgrammeStatus.CANCELLED: _l("Dibatalkan"),
}
OUTCOME_LABELS = {
    ReplicationOutcome.NONE: _l("Belum diadopsi"),
    ReplicationOutcome.PLAN: _l("Masuk rencana"),
    ReplicationOutcome.BUDGET: _l("Dianggarkan"),
    ReplicationOutcome.REGULATION: _l("Diatur dalam regulasi"),
    ReplicationOutcome.OPERATION: _l("Sudah beroperasi"),
}
SESSION_STATUS_LABELS = {
    SessionStatus.PLANNED: _l("Direncanakan"),
    SessionStatus.HELD: _l("Terlaksana"),
    SessionStatus.CANCELLED: _l("Dibatalkan"),
}
# DOMAIN.md's default curriculum, one line per session (editable per programme).
DEFAULT_CURRICULUM = [
    _l("Baseline dan diagnosis"),
    _l("Praktik secara mendalam"),
    _l("Regulasi dan kelembagaan"),
    _l("Pembiayaan dan tarif"),
    _l("Operasi dan penjangkauan"),
    _l("Rencana aksi replikasi"),
]
# Programmes a city profile shows to every signed-in user.
PUBLIC_STATUSES = (ProgrammeStatus.AGREED, ProgrammeStatus.ACTIVE, ProgrammeStatus.COMPLETED)


class Programme(Model):
    __tablename__ = "programmes"
    __table_args__ = (
        # At most one open programme per (mentor, mentee, topic); the service says so first.
        Index("uq_programmes_open_pair", "mentor_city_id", "mentee_city_id", "topic", unique=True,
              sqlite_where=text("status IN ('proposed', 'agreed', 'active')"),
              postgresql_where=text("status IN ('proposed', 'agreed', 'active')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    mentee_city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    topic: Mapped[str] = mapped_column(String(30))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="SET NULL"))
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id", ondelete="SET NULL"))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ProgrammeStatus] = mapped_column(str_enum(ProgrammeStatus, "programme_status"),
                                                    default=ProgrammeStatus.PROPOSED, index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    mentor_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mentee_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Replication outcome, recorded at completion: none | plan | budget | regulation | operation.
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_evidence: Mapped[str] = mapped_column(Text, default="")
    # Who recorded an agreement made outside the service (meeting, letter), and how.
    agreement_note: Mapped[str] = mapped_column(Text, default="")
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Random room name for the meeting link template (MEETING_LINK_TEMPLATE), made on first use.
    meeting_room: Mapped[str] = mapped_column(String(40), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    mentor: Mapped["City"] = relationship("City", foreign_keys=[mentor_city_id])
    mentee: Mapped["City"] = relationship("City", foreign_keys=[mentee_city_id])
    need: Mapped["Need | None"] = relationship("Need")
    practice: Mapped["Practice | None"] = relationship("Practice")
    facilitator: Mapped["User | None"] = relationship("User")
    sessions: Mapped[list["ProgrammeSession"]] = relationship("ProgrammeSession", back_populates="programme",
                            order_by="ProgrammeSession.starts_at", cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def city_ids(self) -> tuple[int, int]:
        return (self.mentor_city_id, self.mentee_city_id)

    @property
    def display_title(self) -> str:
        return self.title or f"{self.mentor.name} → {self.mentee.name}"

    @property
    def zones(self) -> list[str]:
        """Both cities' zones, mentee first: the order times are shown in."""
        return [self.mentee.timezone, self.mentor.timezone]


class ProgrammeSession(Model):
    """One teleconference of a programme. Times are UTC; uid and sequence feed iCalendar."""

    __tablename__ = "programme_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    number: Mapped[int] = mapped_column()
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=90)
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SessionStatus] = mapped_column(str_enum(SessionStatus, "session_status"),
                                                  default=SessionStatus.PLANNED, index=True)
    cancel_reason: Mapped[str] = mapped_column(Text, default="")
    uid: Mapped[str] = mapped_column(String(120), unique=True)
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programme: Mapped["Programme"] = relationship("Programme", back_populates="sessions")

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == SessionStatus.CANCELLED


class CutiBersama(Model):
    """A collective leave day (decided each year by joint ministerial decree), entered by hand."""

    __tablename__ = "cuti_bersama"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Poll(Model):
    """Candidate slots for a programme's first session (or for moving `session`)."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    # Set when the poll moves one session of a running series instead of planning a series.
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("programme_sessions.id", ondelete="SET NULL"))
    timezone: Mapped[str] = mapped_column(String(40))
    duration_minutes: Mapped[int] = mapped_column()
    status: Mapped[PollStatus] = mapped_column(str_enum(PollStatus, "poll_status"),
                                               default=PollStatus.OPEN, index=True)
    # One of this poll's options; no foreign key, the options refer to the poll already.
    chosen_option_id: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    programme: Mapped["Programme"] = relationship("Programme")
    session: Mapped["ProgrammeSession | None"] = relationship("ProgrammeSession")
    options: Mapped[list["PollOption"]] = relationship(
        "PollOption", back_populates="poll", order_by="PollOption.starts_at",
        cascade="all, delete-orphan")
    answers: Mapped[list["PollAnswer"]] = relationship("PollAnswer", back_populates="poll",
                                                       cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status == PollStatus.OPEN


class PollOption(Model):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)

    poll: Mapped["Poll"] = relationship("Poll", back_populates="options")


class PollAnswer(Model):
    """One Pokja member's answer: the ids of the options they can attend (maybe none)."""

    __tablename__ = "poll_answers"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    available: Mapped[list] = mapped_column(JSON, default=list)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    poll: Mapped["Poll"] = relationship("Poll", back_populates="answers")
    user: Mapped["User"] = relationship("User")

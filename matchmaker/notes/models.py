"""What happened in a session: notes, attendance, lessons learned and follow-up actions.

Every row carries its author and times; notes, lessons and actions keep one revision row per
edit holding the values before the edit, who changed them and when.
"""

import enum
from collections import Counter
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from matchmaker.dbtypes import UTCDateTime, str_enum
from matchmaker.extensions import Model
from matchmaker.notes.text import index_terms
from matchmaker.timeutils import utcnow

if TYPE_CHECKING:
    from matchmaker.auth.models import User
    from matchmaker.cities.models import City
    from matchmaker.programmes.models import Programme, ProgrammeSession



class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"



class SessionNote(Model):
    """Markdown notes of one session; a session may collect several (one per logging)."""

    __tablename__ = "session_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"),
                                            index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    session: Mapped["ProgrammeSession"] = relationship("ProgrammeSession")
    author: Mapped["User | None"] = relationship("User")
    revisions: Mapped[list["NoteRevision"]] = relationship(
        "NoteRevision", back_populates="note", cascade="all, delete-orphan",
        order_by="NoteRevision.edited_at.desc(), NoteRevision.id.desc()")


class NoteRevision(Model):
    """The body of a note as it was before one edit."""

    __tablename__ = "note_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("session_notes.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    previous_body: Mapped[str] = mapped_column(Text, default="")

    note: Mapped["SessionNote"] = relationship("SessionNote", back_populates="revisions")
    editor: Mapped["User | None"] = relationship("User")


def attendance_key(name: str, city_id: int | None) -> str:
    """Who one attendance row is: the city (0 for guests) and the casefolded name."""
    return f"{city_id or 0}:{name.strip().casefold()}"


class Attendance(Model):
    """One person present at a session; city is empty for facilitators and other guests."""

    __tablename__ = "attendances"
    # One row per (session, person, city), even when two notes name the same person at once.
    __table_args__ = (UniqueConstraint("session_id", "person_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"),
                                            index=True)
    name: Mapped[str] = mapped_column(String(200))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"))
    agency: Mapped[str] = mapped_column(String(200), default="")
    person_key: Mapped[str] = mapped_column(String(700))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped["ProgrammeSession"] = relationship("ProgrammeSession")
    city: Mapped["City | None"] = relationship("City")
    author: Mapped["User | None"] = relationship("User")


class Lesson(Model):
    """A lesson learned, shared with every signed-in user through the knowledge base."""

    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"),
                                            index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    text: Mapped[str] = mapped_column(Text)
    topic: Mapped[str] = mapped_column(String(30), index=True)
    outcome_type: Mapped[str] = mapped_column(String(30), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    session: Mapped["ProgrammeSession"] = relationship("ProgrammeSession")
    programme: Mapped["Programme"] = relationship("Programme")
    author: Mapped["User | None"] = relationship("User")
    terms: Mapped[list["LessonTerm"]] = relationship(
        "LessonTerm", cascade="all, delete-orphan", passive_deletes=True)
    revisions: Mapped[list["LessonRevision"]] = relationship(
        "LessonRevision", back_populates="lesson", cascade="all, delete-orphan",
        order_by="LessonRevision.edited_at.desc(), LessonRevision.id.desc()")

    @validates("text")
    def _reindex(self, _key: str, value: str) -> str:
        """Keep the search index in step with the text, whoever sets it."""
        self.terms = [LessonTerm(term=term, count=count)
                      for term, count in Counter(index_terms(value or "")).items()]
        return value


class LessonTerm(Model):
    """The full-text index of lessons: one row per (lesson, word or stem), on any database."""

    __tablename__ = "lesson_terms"
    __table_args__ = (Index("ix_lesson_terms_term_lesson", "term", "lesson_id"),)

    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"),
                                           primary_key=True)
    term: Mapped[str] = mapped_column(String(60), primary_key=True)
    count: Mapped[int] = mapped_column(default=1)


class LessonRevision(Model):
    """A lesson's text, topic and outcome type as they were before one edit."""

    __tablename__ = "lesson_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("lessons.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    previous: Mapped[dict] = mapped_column(JSON)

    lesson: Mapped["Lesson"] = relationship("Lesson", back_populates="revisions")
    editor: Mapped["User | None"] = relationship("User")


class FollowUpAction(Model):
    """Who does what next, by when; the reminders package reminds owners before `due_on`."""

    __tablename__ = "follow_up_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"),
                                            index=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"),
                                              index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    owner_person: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[ActionStatus] = mapped_column(str_enum(ActionStatus, "action_status"),
                                                 default=ActionStatus.OPEN, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    session: Mapped["ProgrammeSession"] = relationship("ProgrammeSession")
    programme: Mapped["Programme"] = relationship("Programme")
    owner_city: Mapped["City"] = relationship("City")
    author: Mapped["User | None"] = relationship("User")
    revisions: Mapped[list["ActionRevision"]] = relationship(
        "ActionRevision", back_populates="action", cascade="all, delete-orphan",
        order_by="ActionRevision.edited_at.desc(), ActionRevision.id.desc()")

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN

    def is_overdue(self, now: datetime) -> bool:
        """Open and past its due date in the owner city's own calendar."""
        today = now.astimezone(ZoneInfo(self.owner_city.timezone)).date()
        return self.is_open and self.due_on < today


class ActionRevision(Model):
    """An action's fields (text, owner, due date, status) as they were before one edit."""

    __tablename__ = "action_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("follow_up_actions.id", ondelete="CASCADE"),
                                           index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    previous: Mapped[dict] = mapped_column(JSON)

    action: Mapped["FollowUpAction"] = relationship("FollowUpAction", back_populates="revisions")
    editor: Mapped["User | None"] = relationship("User")


class NoteAttachment(Model):
    """A file shared with a session's notes (slides, a draft regulation, photos).

    The bytes live under ATTACHMENT_DIR as `stored_name`; the row keeps what the reader sees.
    """

    __tablename__ = "note_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("programme_sessions.id", ondelete="CASCADE"),
                                            index=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column()
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped["ProgrammeSession"] = relationship("ProgrammeSession")
    author: Mapped["User | None"] = relationship("User")

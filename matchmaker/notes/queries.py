"""Reading notes: what was logged for a session or a programme, and the one rule for when a
session's notes are overdue."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload

from matchmaker.access import Actor
from matchmaker.extensions import db
from matchmaker.notes.models import (
    ActionStatus,
    Attendance,
    FollowUpAction,
    Lesson,
    NoteAttachment,
    SessionNote,
)
from matchmaker.programmes.access import ensure_participant
from matchmaker.programmes.models import Programme, ProgrammeSession, ProgrammeStatus, SessionStatus

# Notes and actions of these programmes are closed for writing and for reminders.
CLOSED_PROGRAMME = (ProgrammeStatus.CANCELLED, ProgrammeStatus.DECLINED)


# Reading ----------------------------------------------------------------------------------------

@dataclass
class SessionRecord:
    notes: list[SessionNote]
    attendance: list[Attendance]
    lessons: list[Lesson]
    actions: list[FollowUpAction]
    attachments: list[NoteAttachment] = field(default_factory=list)


def session_record(actor: Actor | None, session: ProgrammeSession) -> SessionRecord:
    """Everything logged for a session, for a participant of its programme."""
    ensure_participant(actor, session.programme)
    sid = session.id
    return SessionRecord(
        notes=list(db.session.scalars(select(SessionNote).where(SessionNote.session_id == sid)
                                      .order_by(SessionNote.created_at, SessionNote.id))),
        attendance=list(db.session.scalars(select(Attendance).where(Attendance.session_id == sid)
                                           .order_by(Attendance.city_id, Attendance.name))),
        lessons=list(db.session.scalars(select(Lesson).where(Lesson.session_id == sid)
                                        .order_by(Lesson.created_at, Lesson.id))),
        actions=list(db.session.scalars(select(FollowUpAction).where(FollowUpAction.session_id == sid)
                                        .order_by(FollowUpAction.due_on, FollowUpAction.id))),
        attachments=list(db.session.scalars(select(NoteAttachment).where(
            NoteAttachment.session_id == sid).order_by(NoteAttachment.created_at, NoteAttachment.id))),
    )


def summary_text(session: ProgrammeSession, record: SessionRecord) -> str:
    """Saved lessons and actions of a session as plain text, to paste into the city's chat group."""
    programme = session.programme
    lines = [f"{programme.display_title} · {_('Sesi %(n)s', n=session.number)}"]
    if record.lessons:
        lines += ["", _("Pelajaran:")] + [f"- {lesson.text}" for lesson in record.lessons]
    if record.actions:
        lines += ["", _("Tindak lanjut:")] + [
            f"- {action.text} ({action.owner_city.name}"
            + (f", {action.owner_person}" if action.owner_person else "")
            + f"; {_('tenggat')} {format_date(action.due_on, 'medium')})"
            for action in record.actions]
    return "\n".join(lines)


def programme_record(actor: Actor | None, programme: Programme) -> dict[int, SessionRecord]:
    """Everything logged for each session of a programme (session id -> record), for its report."""
    ensure_participant(actor, programme)
    records = {s.id: SessionRecord([], [], [], []) for s in programme.sessions}
    sources: tuple[tuple[str, Any, Any], ...] = (
        ("notes", SessionNote, SessionNote.created_at), ("attendance", Attendance, Attendance.name),
        ("lessons", Lesson, Lesson.created_at), ("actions", FollowUpAction, FollowUpAction.due_on),
        ("attachments", NoteAttachment, NoteAttachment.created_at))
    for kind, model, order in sources:
        rows = db.session.scalars(
            select(model).join(ProgrammeSession, ProgrammeSession.id == model.session_id)
            .where(ProgrammeSession.programme_id == programme.id).order_by(order, model.id))
        for row in rows:
            getattr(records[row.session_id], kind).append(row)
    return records


def has_notes_clause(session_id):
    """SQL condition: anything (notes, attendance, a lesson or an action) was logged for the session.

    `session_id` is a value or a column, so queries over many sessions use the same rule.
    """
    return or_(*(exists().where(model.session_id == session_id)
                 for model in (SessionNote, Attendance, Lesson, FollowUpAction)))


def session_has_notes(session_id: int) -> bool:
    """True once anything (notes, attendance, a lesson or an action) was logged for the session."""
    return bool(db.session.scalar(select(has_notes_clause(session_id))))


def notes_summary(programme_ids, now: datetime) -> dict[int, dict]:
    """Per programme: ids of sessions with anything logged, open and overdue action counts."""
    ids = list(programme_ids)
    result: dict[int, dict[str, Any]] = {
        pid: {"sessions_with_notes": set(), "open_actions": 0, "overdue_actions": 0} for pid in ids}
    if not ids:
        return result
    logged = or_(*(exists().where(model.session_id == ProgrammeSession.id)
                   for model in (SessionNote, Attendance, Lesson, FollowUpAction)))
    for programme_id, session_id in db.session.execute(
            select(ProgrammeSession.programme_id, ProgrammeSession.id)
            .where(ProgrammeSession.programme_id.in_(ids), logged)):
        result[programme_id]["sessions_with_notes"].add(session_id)
    open_actions = db.session.scalars(select(FollowUpAction).where(
        FollowUpAction.programme_id.in_(ids), FollowUpAction.status == ActionStatus.OPEN)
        .options(joinedload(FollowUpAction.owner_city)))
    for action in open_actions:
        result[action.programme_id]["open_actions"] += 1
        if action.is_overdue(now):
            result[action.programme_id]["overdue_actions"] += 1
    return result


def due_actions(on_date: date) -> list[FollowUpAction]:
    """Open actions due on that date, of programmes that were not cancelled or declined."""
    return list(db.session.scalars(
        select(FollowUpAction).join(Programme, Programme.id == FollowUpAction.programme_id)
        .where(FollowUpAction.due_on == on_date, FollowUpAction.status == ActionStatus.OPEN,
               Programme.status.not_in(CLOSED_PROGRAMME))
        .order_by(FollowUpAction.id)))


def programme_actions(actor: Actor | None, programme: Programme) -> list[FollowUpAction]:
    ensure_participant(actor, programme)
    return list(db.session.scalars(select(FollowUpAction).where(
        FollowUpAction.programme_id == programme.id).order_by(FollowUpAction.due_on, FollowUpAction.id)))


def notes_due_at(session: ProgrammeSession) -> datetime:
    """Notes are expected once NOTES_DUE_HOURS have passed since the session ended."""
    return session.ends_at + timedelta(hours=current_app.config["NOTES_DUE_HOURS"])


def sessions_missing_notes(now: datetime, *conditions, lookback: timedelta) -> list[ProgrammeSession]:
    """Sessions whose notes are overdue (nothing logged), started within `lookback`, soonest first.

    `conditions` narrow the programmes (e.g. a facilitator's own); SQL narrows by start, the
    exact rule (`notes_due_at`) is applied on the rows.
    """
    after = timedelta(hours=current_app.config["NOTES_DUE_HOURS"])
    rows = db.session.scalars(
        select(ProgrammeSession).join(Programme)
        .where(ProgrammeSession.status != SessionStatus.CANCELLED,
               Programme.status.not_in(CLOSED_PROGRAMME),
               ProgrammeSession.starts_at <= now - after,
               ProgrammeSession.starts_at >= now - lookback,
               ~has_notes_clause(ProgrammeSession.id), *conditions)
        .options(joinedload(ProgrammeSession.programme))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id))
    return [s for s in rows if notes_due_at(s) <= now]

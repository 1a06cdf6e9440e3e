"""Following progress across programmes: the counts of each programme and the facilitator dashboard.

Above both `programmes` and `notes`: it reads the notes logged for each programme's sessions.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from matchmaker.access import Actor, ensure_facilitator
from matchmaker.extensions import db
from matchmaker.notes.queries import notes_due_at, notes_summary
from matchmaker.programmes.access import ensure_participant
from matchmaker.programmes.models import (
    OPEN_STATUSES,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    SessionStatus,
)
from matchmaker.programmes.queries import upcoming_sessions, waiting_for

EMPTY_SUMMARY = {"sessions_with_notes": set(), "open_actions": 0, "overdue_actions": 0}


@dataclass
class ProgrammeProgress:
    programme: Programme
    sessions_with_notes: set[int] = field(default_factory=set)
    open_actions: int = 0
    overdue_actions: int = 0

    def has_notes(self, session: ProgrammeSession) -> bool:
        return session.id in self.sessions_with_notes

    def missing_notes(self, now: datetime) -> list[ProgrammeSession]:
        """Sessions whose notes are overdue (see `notes.queries.notes_due_at`)."""
        return [s for s in self.programme.sessions
                if s.status != SessionStatus.CANCELLED and notes_due_at(s) <= now
                and s.id not in self.sessions_with_notes]

    def counts(self) -> dict[str, int]:
        sessions = self.programme.sessions
        return {
            "planned": sum(s.status == SessionStatus.PLANNED for s in sessions),
            "held": sum(s.status == SessionStatus.HELD for s in sessions),
            "cancelled": sum(s.status == SessionStatus.CANCELLED for s in sessions),
            "with_notes": len(self.sessions_with_notes),
        }


def progress_for(programmes: list[Programme], now: datetime) -> dict[int, ProgrammeProgress]:
    summary = notes_summary([p.id for p in programmes], now) if programmes else {}
    result = {}
    for programme in programmes:
        row = summary.get(programme.id, EMPTY_SUMMARY)
        result[programme.id] = ProgrammeProgress(
            programme, set(row.get("sessions_with_notes", set())),
            int(row.get("open_actions", 0)), int(row.get("overdue_actions", 0)))
    return result


def programme_progress(actor: Actor | None, programme: Programme,
                       now: datetime) -> ProgrammeProgress:
    ensure_participant(actor, programme)
    return progress_for([programme], now)[programme.id]


@dataclass
class Dashboard:
    missing_notes: list[tuple[ProgrammeSession, int]]   # (session, hours since its start)
    overdue: list[ProgrammeProgress]
    waiting: list[tuple[Programme, list, int]]          # (programme, cities, days waiting)
    upcoming: list[ProgrammeSession]
    active: list[ProgrammeProgress]


def dashboard(actor: Actor | None, now: datetime) -> Dashboard:
    """What needs a facilitator's attention first, across every open programme."""
    ensure_facilitator(actor)
    programmes = list(db.session.scalars(
        select(Programme).where(Programme.status.in_(OPEN_STATUSES))
        .options(selectinload(Programme.sessions), joinedload(Programme.mentor),
                 joinedload(Programme.mentee))
        .order_by(Programme.created_at)))
    progress = progress_for(programmes, now)
    missing = [(session, int((now - session.starts_at).total_seconds() // 3600))
               for item in progress.values() for session in item.missing_notes(now)]
    missing.sort(key=lambda pair: (pair[0].starts_at, pair[0].id))
    overdue = sorted((p for p in progress.values() if p.overdue_actions),
                     key=lambda p: -p.overdue_actions)
    waiting = [(p, waiting_for(p), max(0, (now - p.created_at).days))
               for p in programmes if p.status == ProgrammeStatus.PROPOSED]
    waiting.sort(key=lambda row: -row[2])
    upcoming = [s for s in upcoming_sessions(actor, now, limit=50)
                if s.starts_at <= now + timedelta(days=7)]
    active = [progress[p.id] for p in programmes]
    return Dashboard(missing, overdue, waiting, upcoming, active)

"""Following progress across programmes: the timeline counts, the facilitator dashboard, exports.

Kept apart from services.py because it reads the notes tables (through the notes package's
`notes_summary`), and the notes services themselves build on programmes.services.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from matchmaker.auth.models import User
from matchmaker.extensions import db
from matchmaker.notes.services import notes_summary
from matchmaker.programmes.models import (
    OPEN_STATUSES,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    SessionStatus,
)
from matchmaker.programmes.services import (
    OUTCOME_LABELS,
    STATUS_LABELS,
    ensure_facilitator,
    ensure_participant,
    iso_utc,
    list_programmes,
    programme_period,
    session_local_times,
    upcoming_sessions,
    waiting_for,
)

NOTES_DUE_AFTER = timedelta(hours=48)
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
        """Sessions that started over 48 hours ago and still have no notes."""
        return [s for s in self.programme.sessions
                if s.status != SessionStatus.CANCELLED and s.starts_at <= now - NOTES_DUE_AFTER
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


def programme_progress(actor: User | None, programme: Programme,
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


def dashboard(actor: User | None, now: datetime) -> Dashboard:
    """What needs a facilitator's attention first, across every open programme."""
    ensure_facilitator(actor)
    programmes = list(db.session.scalars(
        select(Programme).where(Programme.status.in_(OPEN_STATUSES))
        .order_by(Programme.created_at)))
    progress = progress_for(programmes, now)
    missing = []
    for item in progress.values():
        for session in item.missing_notes(now):
            missing.append((session, int((now - session.starts_at).total_seconds() // 3600)))
    missing.sort(key=lambda pair: pair[0].starts_at)
    overdue = sorted((p for p in progress.values() if p.overdue_actions),
                     key=lambda p: -p.overdue_actions)
    waiting = [(p, waiting_for(p), max(0, (now - p.created_at).days))
               for p in programmes if p.status == ProgrammeStatus.PROPOSED]
    waiting.sort(key=lambda row: -row[2])
    upcoming = [s for s in upcoming_sessions(actor, now, limit=50)
                if s.starts_at <= now + timedelta(days=7)]
    active = [progress[p.id] for p in programmes]
    return Dashboard(missing, overdue, waiting, upcoming, active)


def _cell(value) -> str:
    """Neutralise spreadsheet formulas in user-written text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


PROGRAMMES_HEADER = ["id", "title", "topic", "mentor_code", "mentor", "mentee_code", "mentee",
                     "status", "status_reason", "created_at", "agreed_at", "first_session",
                     "last_session", "sessions_planned", "sessions_held", "sessions_cancelled",
                     "sessions_with_notes", "open_actions", "overdue_actions", "outcome",
                     "outcome_label", "outcome_on", "outcome_evidence"]


def programmes_csv(actor: User | None, now: datetime) -> str:
    """One row per programme the user may read."""
    programmes = list_programmes(actor)
    progress = progress_for(programmes, now)
    rows = []
    for programme in programmes:
        item = progress[programme.id]
        counts = item.counts()
        first, last = programme_period(programme)
        rows.append([
            programme.id, programme.display_title, programme.topic, programme.mentor.code,
            programme.mentor.name, programme.mentee.code, programme.mentee.name,
            programme.status.value, programme.status_reason, iso_utc(programme.created_at),
            iso_utc(programme.agreed_at), iso_utc(first), iso_utc(last), counts["planned"],
            counts["held"], counts["cancelled"], counts["with_notes"], item.open_actions,
            item.overdue_actions, programme.outcome or "",
            str(OUTCOME_LABELS.get(programme.outcome, "")) if programme.outcome else "",
            programme.outcome_on.date().isoformat() if programme.outcome_on else "",
            programme.outcome_evidence])
    return _csv(PROGRAMMES_HEADER, rows)


def programme_sessions_csv(actor: User | None, programme: Programme, now: datetime) -> str:
    """One row per session of a programme, with both cities' local times."""
    item = programme_progress(actor, programme, now)
    header = ["programme_id", "programme", "status_programme", "session", "starts_at_utc",
              f"local_{programme.mentee.code}", f"local_{programme.mentor.code}",
              "duration_minutes", "status", "agenda", "meeting_url", "has_notes"]
    rows = []
    for s in programme.sessions:
        local = session_local_times(s, "%Y-%m-%d %H:%M")
        rows.append([programme.id, programme.display_title, str(STATUS_LABELS[programme.status]),
                     s.number, iso_utc(s.starts_at), local[programme.mentee.code],
                     local[programme.mentor.code], s.duration_minutes, s.status.value, s.agenda,
                     s.meeting_url, "yes" if item.has_notes(s) else "no"])
    return _csv(header, rows)

"""Reading programmes and sessions: lists, the next and recent sessions, a city's programmes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from matchmaker.access import Actor
from matchmaker.cities.models import City
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.programmes.access import visible_clause
from matchmaker.programmes.models import (
    OPEN_STATUSES,
    PUBLIC_STATUSES,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    SessionStatus,
)
from matchmaker.timeutils import as_utc, labelled_times, local_time


def visible_programmes_query(user: Actor | None):
    """Programmes a user may open: all for facilitators, their city's for Pokja, none otherwise."""
    return (select(Programme).where(visible_clause(user))
            .order_by(Programme.created_at.desc(), Programme.id.desc()))


def list_programmes(user: Actor | None, status: str | None = None) -> list[Programme]:
    """The programmes the user may open, newest first, optionally in one status."""
    stmt = visible_programmes_query(user).options(
        selectinload(Programme.sessions), joinedload(Programme.mentor), joinedload(Programme.mentee))
    if status:
        if status not in set(ProgrammeStatus):
            raise ValidationError(_("Status tidak dikenal: %(status)s (pilih salah satu: %(all)s)",
                                    status=status, all=", ".join(ProgrammeStatus)), field="status")
        stmt = stmt.where(Programme.status == status)
    return list(db.session.scalars(stmt))


def upcoming_sessions(user: Actor | None, now: datetime, limit: int = 5) -> list[ProgrammeSession]:
    """The user's next planned sessions (their programmes only), soonest first."""
    visible = visible_programmes_query(user).with_only_columns(Programme.id).order_by(None)
    stmt = (select(ProgrammeSession).join(Programme)
            .where(ProgrammeSession.programme_id.in_(visible),
                   Programme.status.in_(OPEN_STATUSES),
                   ProgrammeSession.status == SessionStatus.PLANNED,
                   ProgrammeSession.starts_at >= now - timedelta(hours=2))
            .order_by(ProgrammeSession.starts_at).limit(limit))
    return [s for s in db.session.scalars(stmt) if s.ends_at >= now]


def recent_sessions(user: Actor | None, now: datetime, days: int = 21) -> list[ProgrammeSession]:
    """The user's sessions that started in the last `days` days, latest first: notes are due."""
    visible = visible_programmes_query(user).with_only_columns(Programme.id).order_by(None)
    return list(db.session.scalars(
        select(ProgrammeSession).where(ProgrammeSession.programme_id.in_(visible),
                                       ProgrammeSession.status != SessionStatus.CANCELLED,
                                       ProgrammeSession.starts_at <= now,
                                       ProgrammeSession.starts_at >= now - timedelta(days=days))
        .order_by(ProgrammeSession.starts_at.desc())))


def feed_sessions(user: Actor) -> list[ProgrammeSession]:
    """Every session of the user's programmes, cancelled ones included (so calendars drop them)."""
    visible = visible_programmes_query(user).with_only_columns(Programme.id).order_by(None)
    return list(db.session.scalars(select(ProgrammeSession).where(
        ProgrammeSession.programme_id.in_(visible)).order_by(ProgrammeSession.starts_at)))


def session_local_times(session: ProgrammeSession, fmt: str = "%H:%M") -> dict[str, str]:
    """One session's start in each city's zone, keyed by city code: {"74.71": "10:00 WITA"}."""
    programme = session.programme
    return {city.code: local_time(session.starts_at, city.timezone, fmt)
            for city in (programme.mentee, programme.mentor)}


def open_programme_cities(topic: str):
    """Ids of the cities on either side of an open programme on this topic (a statement)."""
    is_open = (Programme.topic == topic, Programme.status.in_(OPEN_STATUSES))
    return select(Programme.mentor_city_id).where(*is_open).union_all(
        select(Programme.mentee_city_id).where(*is_open))


def city_programmes(city: City) -> list[Programme]:
    """Agreed, active and completed programmes the city took part in, newest first."""
    return list(db.session.scalars(
        select(Programme).where(or_(Programme.mentor_city_id == city.id,
                                    Programme.mentee_city_id == city.id),
                                Programme.status.in_(PUBLIC_STATUSES))
        .order_by(Programme.created_at.desc())))


def programme_period(programme: Programme) -> tuple[datetime | None, datetime | None]:
    held = [s.starts_at for s in programme.sessions if s.status != SessionStatus.CANCELLED]
    return (min(held), max(held)) if held else (None, None)


def waiting_for(programme: Programme) -> list[City]:
    """The cities whose answer a proposed programme still waits for."""
    if programme.status != ProgrammeStatus.PROPOSED:
        return []
    waiting = []
    if not programme.mentor_accepted_at:
        waiting.append(programme.mentor)
    if not programme.mentee_accepted_at:
        waiting.append(programme.mentee)
    return waiting


def session_share_text(session: ProgrammeSession) -> str:
    """A session as a chat message: title, number and agenda, the day and both cities' times,
    the meeting link; a session of a programme not yet agreed says so."""
    programme = session.programme
    zone = programme.mentee.timezone
    day = format_date(as_utc(session.starts_at).astimezone(ZoneInfo(zone)).date(), "EEEE, d MMMM yyyy")
    lines = [programme.display_title,
             _("Sesi %(n)s", n=session.number) + (f": {session.agenda}" if session.agenda else ""),
             f"{day} · {labelled_times(session.starts_at, programme.zones)}"]
    if programme.status == ProgrammeStatus.PROPOSED:
        lines.append(_("(belum disepakati)"))
    if session.meeting_url:
        lines.append(session.meeting_url)
    return "\n".join(lines)

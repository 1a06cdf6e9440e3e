"""Planning a programme's sessions: a series, one more session, moves, edits and cancellations.

Times come in as local wall-clock times of a zone and are stored in UTC. Every change sends
`signals.session_changed` (reminders re-plan in the same transaction) and returns overlap
warnings and calendar checks (holidays, Friday prayers, office hours, overlaps), which never
refuse. Services flush; callers commit.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from matchmaker import signals
from matchmaker.access import Actor
from matchmaker.errors import Conflict, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes.access import ensure_can_plan
from matchmaker.programmes.checks import Check
from matchmaker.programmes.models import (
    DEFAULT_CURRICULUM,
    Programme,
    ProgrammeSession,
    SessionStatus,
)
from matchmaker.programmes.scheduling import meeting_link, session_checks
from matchmaker.programmes.schemas import AGENDA_MAX
from matchmaker.programmes.services import mark_session_held, stale, touch_programme, write_session
from matchmaker.timeutils import as_utc, labelled_times
from matchmaker.validation import List, LocalDateTime, Text, Url, Whole, Zone, load_value
from matchmaker.versioning import ensure_version


@dataclass
class Planned:
    """Sessions a planning service created or changed, with overlap warnings and calendar checks
    (not refusals)."""

    sessions: list[ProgrammeSession]
    warnings: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


def series_defaults() -> dict:
    """DOMAIN.md's default series, from config: 6 sessions, every 14 days, 90 minutes."""
    config = current_app.config
    return {"count": config["SERIES_SESSIONS"], "interval_days": config["SERIES_INTERVAL_DAYS"],
            "duration_minutes": config["SESSION_MINUTES"]}


def _zone(name: str | None, default: str) -> str:
    return load_value(Zone(), (name or "").strip() or default, "timezone")


def _int(value, name: str, low: int, high: int) -> int:
    return load_value(Whole(minimum=low, maximum=high, from_text=True), value, name)


def _url(value: str | None) -> str:
    # Only web links: a javascript: URL would run in the page and the calendar client.
    return load_value(Url(), value or "", "meeting_url")


def _local_naive(value, field_name: str) -> datetime:
    if isinstance(value, datetime):
        return value
    return load_value(LocalDateTime(), value, field_name)


def to_utc(local, zone: str, field_name: str = "first_start") -> datetime:
    """A wall-clock time in a zone (or an aware time) as an aware UTC datetime."""
    value = _local_naive(local, field_name)
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return as_utc(value)


def default_agenda(number: int) -> str:
    if 1 <= number <= len(DEFAULT_CURRICULUM):
        return str(DEFAULT_CURRICULUM[number - 1])
    return _("Sesi lanjutan %(n)d", n=number)


def _new_uid() -> str:
    return f"{uuid.uuid4()}@matchmaker"


def overlap_warnings(session: ProgrammeSession) -> list[str]:
    """Other sessions of either city that overlap this one (a warning, never a refusal)."""
    programme = session.programme
    cities = list(programme.city_ids)
    start, end = session.starts_at, session.ends_at
    candidates = db.session.scalars(
        select(ProgrammeSession).join(Programme).where(
            or_(Programme.mentor_city_id.in_(cities), Programme.mentee_city_id.in_(cities)),
            ProgrammeSession.status != SessionStatus.CANCELLED,
            ProgrammeSession.starts_at < end,
            ProgrammeSession.starts_at > start - timedelta(days=1)))
    warnings = []
    for other in candidates:
        if other is session or (session.id is not None and other.id == session.id):
            continue
        if other.starts_at < end and other.ends_at > start:
            warnings.append(_(
                "Sesi %(n)d (%(when)s) bertabrakan dengan sesi %(m)d program \"%(title)s\".",
                n=session.number, when=labelled_times(start, programme.zones, "%Y-%m-%d %H:%M"),
                m=other.number, title=other.programme.display_title))
    return warnings


def _refuse_past(starts_at: datetime, now: datetime, allow_past: bool, field_name: str) -> None:
    if starts_at < now and not allow_past:
        raise ValidationError(_("Waktu mulai sudah lewat; pilih waktu yang akan datang."),
                              field=field_name)


def _after_change(sessions: list[ProgrammeSession], now: datetime,
                  calendar_changed: bool = True) -> Planned:
    db.session.flush()
    warnings: list[str] = []
    for session in sessions:
        signals.session_changed.send(session, now=now, calendar_changed=calendar_changed)
        warnings.extend(overlap_warnings(session))
    return Planned(sessions, warnings, session_checks(sessions, now))


def _meeting_url(programme: Programme, typed: str | None, generate: bool) -> str:
    """A typed link is kept; an empty one is made from the template when the planner asks."""
    url = _url(typed)
    return url or (meeting_link(programme) if generate else "")


def plan_series(actor: Actor | None, programme: Programme, count, first_start, now: datetime, *,
                timezone: str | None = None, interval_days=None, duration_minutes=None,
                meeting_url: str = "", generate_meeting_url: bool = False,
                agendas: list[str] | None = None, allow_past: bool = False,
                adding: bool = False) -> Planned:
    """Plan `count` sessions from a local first start, every `interval_days`, stored in UTC.

    A programme has one series: planning another over sessions not cancelled is refused (a
    repeated form or request) unless `adding` says the sessions come after the existing ones.
    `allow_past` lets a facilitator record a programme that already happened; sessions already
    over are then stored as held. `generate_meeting_url` fills an empty link from the template.
    """
    ensure_can_plan(actor, programme)
    existing = [s for s in programme.sessions if s.status != SessionStatus.CANCELLED]
    if existing and not adding:
        raise Conflict(_("Program ini sudah punya rangkaian %(n)d sesi. Untuk menambah sesi "
                         "setelahnya, pilih \"tambahkan ke sesi yang ada\".", n=len(existing)),
                       field="count")
    defaults = series_defaults()
    count = _int(count, "count", 1, current_app.config["SERIES_MAX_SESSIONS"])
    zone = _zone(timezone, programme.mentee.timezone)
    interval = _int(defaults["interval_days"] if interval_days is None else interval_days,
                    "interval_days", 1 if count > 1 else 0, 90)
    duration = _int(defaults["duration_minutes"] if duration_minutes is None else duration_minutes,
                    "duration_minutes", 15, 600)
    url = _meeting_url(programme, meeting_url, generate_meeting_url)
    agendas = load_value(List(Text(max_length=AGENDA_MAX, multiline=True), allow_none=True),
                         agendas, "agendas") or []
    if len(agendas) > count:
        raise ValidationError(_("Agenda lebih banyak dari jumlah sesi."), field="agendas")
    first_local = _local_naive(first_start, "first_start")
    if first_local.tzinfo is not None:
        first_local = first_local.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    starts = [to_utc(first_local + timedelta(days=interval * i), zone) for i in range(count)]
    _refuse_past(starts[0], now, allow_past, "first_start")
    offset = max((s.number for s in programme.sessions), default=0)
    sessions = []
    for i, starts_at in enumerate(starts):
        number = offset + i + 1
        agenda = agendas[i] if i < len(agendas) and agendas[i] else default_agenda(number)
        session = ProgrammeSession(
            programme=programme, number=number, starts_at=starts_at, duration_minutes=duration,
            timezone=zone, meeting_url=url, agenda=agenda, uid=_new_uid(), sequence=0,
            status=(SessionStatus.HELD if starts_at + timedelta(minutes=duration) <= now
                    else SessionStatus.PLANNED),
            created_at=now, updated_at=now)
        db.session.add(session)
        sessions.append(session)
    touch_programme(programme, now)
    return _after_change(sessions, now)


def add_session(actor: Actor | None, programme: Programme, starts_local, now: datetime, *,
                timezone: str | None = None, duration_minutes=None,
                meeting_url: str = "", generate_meeting_url: bool = False, agenda: str = "",
                allow_past: bool = False) -> Planned:
    """Add one session after the existing ones."""
    return plan_series(actor, programme, 1, starts_local, now, timezone=timezone,
                       interval_days=0, duration_minutes=duration_minutes,
                       meeting_url=meeting_url, generate_meeting_url=generate_meeting_url,
                       agendas=[agenda] if agenda else None, allow_past=allow_past, adding=True)


def update_session(actor: Actor | None, session: ProgrammeSession, now: datetime, *,
                   starts_at=None, timezone: str | None = None, duration_minutes=None,
                   meeting_url: str | None = None, generate_meeting_url: bool = False,
                   agenda: str | None = None, allow_past: bool = False,
                   version: int | None = None) -> Planned:
    """Reschedule or edit one session; the UID stays, the SEQUENCE rises (in SQL, so racing
    moves each count). With `version`, a session changed since that version is refused (409)."""
    programme = session.programme
    ensure_can_plan(actor, programme)
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("Sesi yang dibatalkan tidak bisa diubah."))
    ensure_version(session, version)
    values: dict = {}
    zone = session.timezone
    if timezone is not None:
        zone = _zone(timezone, session.timezone)
        values["timezone"] = zone
    if starts_at is not None and starts_at != "":
        new_start = to_utc(starts_at, zone, "starts_at")
        if new_start != session.starts_at:
            _refuse_past(new_start, now, allow_past, "starts_at")
            values["starts_at"] = new_start
            if session.status == SessionStatus.HELD and new_start > now:
                values["status"] = SessionStatus.PLANNED
    if duration_minutes is not None and duration_minutes != "":
        values["duration_minutes"] = _int(duration_minutes, "duration_minutes", 15, 600)
    if meeting_url is not None or generate_meeting_url:
        typed = session.meeting_url if meeting_url is None else meeting_url
        values["meeting_url"] = _meeting_url(programme, typed, generate_meeting_url)
    if agenda is not None:
        values["agenda"] = agenda.strip() or default_agenda(session.number)
    values = {key: value for key, value in values.items() if value != getattr(session, key)}
    if values and not write_session(session, now, expected_version=version,
                                    only_if=(ProgrammeSession.status != SessionStatus.CANCELLED,),
                                    **values):
        raise Conflict(_("Sesi yang dibatalkan tidak bisa diubah.")) if session.is_cancelled else stale()
    return _after_change([session], now, calendar_changed=bool(values))


def cancel_session(actor: Actor | None, session: ProgrammeSession, now: datetime,
                   reason: str = "", version: int | None = None) -> ProgrammeSession:
    """Cancel one session: it stays in the calendar with STATUS:CANCELLED and a higher SEQUENCE."""
    ensure_can_plan(actor, session.programme)
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("Sesi ini sudah dibatalkan."))
    ensure_version(session, version)
    if not write_session(session, now, expected_version=version,
                         only_if=(ProgrammeSession.status != SessionStatus.CANCELLED,),
                         status=SessionStatus.CANCELLED, cancel_reason=(reason or "").strip()):
        raise Conflict(_("Sesi ini sudah dibatalkan.")) if session.is_cancelled else stale()
    _after_change([session], now)
    return session


def patch_session(actor: Actor | None, session: ProgrammeSession, data: dict,
                  now: datetime) -> Planned:
    """The API's PATCH: {"starts_at": …} and edits, or {"status": "cancelled"} or "held"."""
    status = data.get("status")
    version = data.get("version")
    if status is not None:
        if status == SessionStatus.CANCELLED.value:
            return Planned([cancel_session(actor, session, now, str(data.get("reason", "")),
                                           version=version)])
        if status == SessionStatus.HELD.value:
            return Planned([mark_session_held(actor, session, now, version)])
        raise ValidationError(_("status hanya boleh 'cancelled' atau 'held'."), field="status")
    editable = ("starts_at", "timezone", "duration_minutes", "meeting_url", "agenda",
                "generate_meeting_url")
    if not any(key in data for key in editable):
        raise ValidationError(_("Tidak ada yang diubah."), field="starts_at")
    if "agenda" in data:
        load_value(Text(max_length=AGENDA_MAX, multiline=True), data["agenda"], "agenda")
    return update_session(actor, session, now, starts_at=data.get("starts_at"),
                          timezone=data.get("timezone"),
                          duration_minutes=data.get("duration_minutes"),
                          meeting_url=data.get("meeting_url"),
                          generate_meeting_url=bool(data.get("generate_meeting_url")),
                          agenda=data.get("agenda"), version=version)

"""Use cases on learning programmes and their sessions. Services flush; callers commit.

Access, once for the pages, the API and the CLI:
- facilitators (and admins) create programmes, plan and change sessions, record agreements,
  cancel and complete programmes, and read everything;
- a Pokja member reads the programmes of their own city and accepts or declines for that city;
  anything of another city's programme is 403;
- viewers read no programme; city profiles show every signed-in user the summary of the
  agreed, active and completed programmes a city took part in (see `city_programmes`).
"""

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from matchmaker.auth.models import User
from matchmaker.auth.services import ensure_facilitator, is_facilitator
from matchmaker.cities.models import City, Need, Practice
from matchmaker.errors import Conflict, Forbidden, NotFound, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes.models import (
    OPEN_STATUSES,
    PLANNABLE_STATUSES,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    ReplicationOutcome,
    SessionStatus,
)
from matchmaker.reminders.services import sync_session_reminders
from matchmaker.timeutils import as_utc, labelled_times, local_time
from matchmaker.vocab import TOPICS

# DOMAIN.md: the default series and curriculum (editable per programme).
DEFAULT_SESSION_COUNT = 6
DEFAULT_INTERVAL_DAYS = 14
DEFAULT_DURATION_MINUTES = 90
MAX_SESSIONS = 24
DEFAULT_CURRICULUM = [
    _l("Baseline dan diagnosis"),
    _l("Praktik secara mendalam"),
    _l("Regulasi dan kelembagaan"),
    _l("Pembiayaan dan tarif"),
    _l("Operasi dan penjangkauan"),
    _l("Rencana aksi replikasi"),
]
OUTCOME_LABELS = {
    ReplicationOutcome.NONE: _l("Belum diadopsi"),
    ReplicationOutcome.PLAN: _l("Masuk rencana"),
    ReplicationOutcome.BUDGET: _l("Dianggarkan"),
    ReplicationOutcome.REGULATION: _l("Diatur dalam regulasi"),
    ReplicationOutcome.OPERATION: _l("Sudah beroperasi"),
}
STATUS_LABELS = {
    ProgrammeStatus.PROPOSED: _l("Diusulkan"),
    ProgrammeStatus.AGREED: _l("Disepakati"),
    ProgrammeStatus.ACTIVE: _l("Berjalan"),
    ProgrammeStatus.COMPLETED: _l("Selesai"),
    ProgrammeStatus.DECLINED: _l("Ditolak"),
    ProgrammeStatus.CANCELLED: _l("Dibatalkan"),
}
SESSION_STATUS_LABELS = {
    SessionStatus.PLANNED: _l("Direncanakan"),
    SessionStatus.HELD: _l("Terlaksana"),
    SessionStatus.CANCELLED: _l("Dibatalkan"),
}
# Programmes a city profile shows to every signed-in user.
PUBLIC_STATUSES = (ProgrammeStatus.AGREED, ProgrammeStatus.ACTIVE, ProgrammeStatus.COMPLETED)


@dataclass
class Planned:
    """Sessions a planning service created or changed, with overlap warnings (not refusals)."""

    sessions: list[ProgrammeSession]
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- lookups and access

def get_programme(programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(_("Program tidak ditemukan."))
    return programme


def get_session(session_id: int) -> ProgrammeSession:
    session = db.session.get(ProgrammeSession, session_id)
    if session is None:
        raise NotFound(_("Sesi tidak ditemukan."))
    return session


def is_participant(user: User | None, programme: Programme) -> bool:
    """Facilitators, and Pokja members of either city, take part in a programme."""
    if user is None or not user.is_authenticated or not user.is_enabled:
        return False
    if user.is_facilitator:
        return True
    return user.role == "pokja" and user.city_id in (programme.mentor_city_id,
                                                     programme.mentee_city_id)


def ensure_participant(user: User | None, programme: Programme) -> None:
    """Raise unless the user may read the programme's notes and log their own."""
    if not is_participant(user, programme):
        raise Forbidden(_("Anda bukan peserta program ini."))


# ---------------------------------------------------------------- programmes

def resolve_city(value: City | str | None, field_name: str) -> City:
    if isinstance(value, City):
        return value
    if not value or not isinstance(value, str):
        raise ValidationError(_("Kode kota wajib diisi."), field=field_name)
    city = db.session.scalar(select(City).where(City.code == value.strip()))
    if city is None:
        raise ValidationError(_("Kota/kabupaten dengan kode %(code)s tidak ada.", code=value),
                              field=field_name)
    return city


def open_programme_for(mentor: City, mentee: City, topic: str) -> Programme | None:
    return db.session.scalar(select(Programme).where(
        Programme.mentor_city_id == mentor.id, Programme.mentee_city_id == mentee.id,
        Programme.topic == topic, Programme.status.in_(OPEN_STATUSES)))


def create_programme(actor: User | None, mentor: City | str, mentee: City | str, topic: str,
                     now: datetime, *, title: str = "", need_id: int | None = None,
                     practice_id: int | None = None) -> Programme:
    """Propose a programme; at most one open programme per (mentor, mentee, topic)."""
    ensure_facilitator(actor)
    mentor_city = resolve_city(mentor, "mentor")
    mentee_city = resolve_city(mentee, "mentee")
    if mentor_city.id == mentee_city.id:
        raise ValidationError(_("Kota mentor dan kota mentee tidak boleh sama."), field="mentee")
    if topic not in TOPICS:
        raise ValidationError(_("Topik tidak dikenal: %(topic)s", topic=topic), field="topic")
    title = (title or "").strip()
    if len(title) > 200:
        raise ValidationError(_("Judul paling panjang 200 karakter."), field="title")
    need = practice = None
    if need_id:
        need = db.session.get(Need, need_id)
        if need is None or need.city_id != mentee_city.id or need.topic != topic:
            raise ValidationError(_("Kebutuhan itu bukan milik kota mentee pada topik ini."),
                                  field="need_id")
    if practice_id:
        practice = db.session.get(Practice, practice_id)
        if practice is None or practice.city_id != mentor_city.id or practice.topic != topic:
            raise ValidationError(_("Praktik itu bukan milik kota mentor pada topik ini."),
                                  field="practice_id")
    existing = open_programme_for(mentor_city, mentee_city, topic)
    if existing is not None:
        error = Conflict(_("Sudah ada program terbuka untuk pasangan dan topik ini (#%(id)d).",
                           id=existing.id), field="mentee")
        error.programme_id = existing.id
        raise error
    programme = Programme(mentor=mentor_city, mentee=mentee_city, topic=topic, need=need,
                          practice=practice, facilitator=actor, title=title,
                          status=ProgrammeStatus.PROPOSED, created_at=now, updated_at=now)
    db.session.add(programme)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another request opened the same pair in between; the partial unique index said no.
        raise Conflict(_("Sudah ada program terbuka untuk pasangan dan topik ini.")) from None
    return programme


def _ensure_status(programme: Programme, allowed, message: str) -> None:
    if programme.status not in allowed:
        raise Conflict(message)


def city_side(user: User | None, programme: Programme) -> str | None:
    """'mentor' or 'mentee' when the user is a Pokja member of that city of the programme."""
    if user is None or not user.is_authenticated or user.role != "pokja":
        return None
    if user.city_id == programme.mentor_city_id:
        return "mentor"
    if user.city_id == programme.mentee_city_id:
        return "mentee"
    return None


def respond_to_proposal(actor: User | None, programme: Programme, accept: bool, now: datetime,
                        reason: str = "") -> Programme:
    """A city's Pokja accepts or declines for its own city; both accepted makes it agreed."""
    ensure_participant(actor, programme)
    side = city_side(actor, programme)
    if side is None:
        raise Forbidden(_("Hanya Pokja kota mentor atau mentee yang menjawab usulan ini."))
    _ensure_status(programme, (ProgrammeStatus.PROPOSED,),
                   _("Program ini tidak sedang menunggu jawaban kota."))
    if not accept:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(_("Sebutkan alasan penolakan."), field="reason")
        programme.status = ProgrammeStatus.DECLINED
        city = programme.mentor if side == "mentor" else programme.mentee
        programme.status_reason = f"{city.name}: {reason}"
        programme.closed_at = now
        programme.updated_at = now
        # Sessions planned ahead of the answer leave the calendars too.
        _cancel_planned_sessions(programme, now, programme.status_reason)
        return programme
    else:
        setattr(programme, f"{side}_accepted_at", now)
        if programme.mentor_accepted_at and programme.mentee_accepted_at:
            programme.status = ProgrammeStatus.AGREED
            programme.agreed_at = now
    programme.updated_at = now
    db.session.flush()
    return programme


def record_agreement(actor: User | None, programme: Programme, now: datetime,
                     note: str = "") -> Programme:
    """The facilitator records that both cities agreed elsewhere (a meeting, a letter)."""
    ensure_facilitator(actor)
    _ensure_status(programme, (ProgrammeStatus.PROPOSED,),
                   _("Hanya program yang diusulkan yang bisa disepakati."))
    programme.mentor_accepted_at = programme.mentor_accepted_at or now
    programme.mentee_accepted_at = programme.mentee_accepted_at or now
    programme.agreement_note = (note or "").strip() or _("Dicatat oleh fasilitator.")
    programme.status = ProgrammeStatus.AGREED
    programme.agreed_at = now
    programme.updated_at = now
    db.session.flush()
    return programme


def activate_programme(actor: User | None, programme: Programme, now: datetime) -> Programme:
    ensure_facilitator(actor)
    _ensure_status(programme, (ProgrammeStatus.AGREED,),
                   _("Hanya program yang sudah disepakati yang bisa dimulai."))
    programme.status = ProgrammeStatus.ACTIVE
    programme.updated_at = now
    db.session.flush()
    return programme


def _cancel_planned_sessions(programme: Programme, now: datetime, reason: str,
                             only_future: bool = False) -> None:
    for session in programme.sessions:
        if session.status != SessionStatus.PLANNED:
            continue
        if only_future and session.starts_at <= now:
            continue
        session.status = SessionStatus.CANCELLED
        session.cancel_reason = reason
        session.sequence += 1
        session.updated_at = now
    db.session.flush()
    for session in programme.sessions:
        sync_session_reminders(session, now)


def cancel_programme(actor: User | None, programme: Programme, reason: str,
                     now: datetime) -> Programme:
    """Cancel an open programme with a reason; its planned sessions are cancelled too."""
    ensure_facilitator(actor)
    _ensure_status(programme, OPEN_STATUSES, _("Program ini sudah ditutup."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Sebutkan alasan pembatalan."), field="reason")
    programme.status = ProgrammeStatus.CANCELLED
    programme.status_reason = reason
    programme.closed_at = now
    programme.updated_at = now
    _cancel_planned_sessions(programme, now, reason)
    return programme


def _as_date(value, field_name: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(_("Tanggal harus berformat YYYY-MM-DD."), field=field_name) from None


def complete_programme(actor: User | None, programme: Programme, outcome: str, now: datetime, *,
                       outcome_on=None, evidence: str = "") -> Programme:
    """Close the programme with the replication outcome: did the mentee adopt the practice."""
    ensure_facilitator(actor)
    _ensure_status(programme, (ProgrammeStatus.AGREED, ProgrammeStatus.ACTIVE),
                   _("Hanya program yang disepakati atau berjalan yang bisa diselesaikan."))
    try:
        outcome_value = ReplicationOutcome(outcome)
    except ValueError:
        raise ValidationError(_("Hasil replikasi tidak dikenal: %(v)s", v=outcome),
                              field="outcome") from None
    day = _as_date(outcome_on, "outcome_on")
    if outcome_value != ReplicationOutcome.NONE and day is None:
        raise ValidationError(_("Kapan praktik diadopsi?"), field="outcome_on")
    programme.outcome = outcome_value.value
    programme.outcome_on = datetime.combine(day, time(), tzinfo=ZoneInfo("UTC")) if day else None
    programme.outcome_evidence = (evidence or "").strip()
    programme.status = ProgrammeStatus.COMPLETED
    programme.closed_at = now
    programme.updated_at = now
    for session in programme.sessions:
        if session.status == SessionStatus.PLANNED and session.starts_at <= now:
            session.status = SessionStatus.HELD
    _cancel_planned_sessions(programme, now, _("Program selesai."), only_future=True)
    return programme


def mark_session_held(actor: User | None, session: ProgrammeSession,
                      now: datetime) -> ProgrammeSession:
    """Record that a session took place; the programme's first held session makes it active."""
    programme = session.programme
    ensure_participant(actor, programme)
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("Sesi ini dibatalkan."))
    if session.starts_at > now:
        raise ValidationError(_("Sesi ini belum dimulai."), field="status")
    session.status = SessionStatus.HELD
    if programme.status in (ProgrammeStatus.PROPOSED, ProgrammeStatus.AGREED):
        programme.status = ProgrammeStatus.ACTIVE
        programme.agreed_at = programme.agreed_at or now
        programme.updated_at = now
    db.session.flush()
    sync_session_reminders(session, now)
    return session


# ---------------------------------------------------------------- sessions

def _zone(name: str | None, default: str) -> str:
    name = (name or "").strip() or default
    if name not in available_timezones():
        raise ValidationError(_("Zona waktu tidak dikenal: %(tz)s", tz=name), field="timezone")
    return name


def _int(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValidationError(_("%(name)s harus bilangan bulat.", name=name), field=name)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("%(name)s harus bilangan bulat.", name=name), field=name) from None
    if isinstance(value, float) and value != number:
        raise ValidationError(_("%(name)s harus bilangan bulat.", name=name), field=name)
    if not low <= number <= high:
        raise ValidationError(_("%(name)s harus antara %(low)d dan %(high)d.", name=name,
                                low=low, high=high), field=name)
    return number


def _url(value: str | None) -> str:
    value = (value or "").strip()
    if value and not value.lower().startswith(("https://", "http://")):
        # Only web links: a javascript: URL would run in the page and the calendar client.
        raise ValidationError(_("Tautan rapat harus diawali https:// atau http://."),
                              field="meeting_url")
    if len(value) > 500:
        raise ValidationError(_("Tautan rapat terlalu panjang."), field="meeting_url")
    return value


def _local_naive(value, field_name: str) -> datetime:
    if isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(_("Waktu harus berformat YYYY-MM-DDTHH:MM."), field=field_name) from None
    return parsed


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


def _ensure_can_plan(actor: User | None, programme: Programme) -> None:
    ensure_facilitator(actor)
    _ensure_status(programme, PLANNABLE_STATUSES,
                   _("Program ini sudah ditutup; sesinya tidak bisa diubah."))


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


def _after_change(sessions: list[ProgrammeSession], now: datetime) -> list[str]:
    db.session.flush()
    warnings: list[str] = []
    for session in sessions:
        sync_session_reminders(session, now)
        warnings.extend(overlap_warnings(session))
    return warnings


def plan_series(actor: User | None, programme: Programme, count, first_start, now: datetime, *,
                timezone: str | None = None, interval_days=DEFAULT_INTERVAL_DAYS,
                duration_minutes=DEFAULT_DURATION_MINUTES, meeting_url: str = "",
                agendas: list[str] | None = None, allow_past: bool = False) -> Planned:
    """Plan `count` sessions from a local first start, every `interval_days`, stored in UTC.

    `allow_past` lets a facilitator record a programme that already happened; sessions already
    over are then stored as held.
    """
    _ensure_can_plan(actor, programme)
    count = _int(count, "count", 1, MAX_SESSIONS)
    zone = _zone(timezone, programme.mentee.timezone)
    interval = _int(interval_days, "interval_days", 1 if count > 1 else 0, 90)
    duration = _int(duration_minutes, "duration_minutes", 15, 600)
    url = _url(meeting_url)
    if agendas is not None and not isinstance(agendas, list):
        raise ValidationError(_("Agenda harus berupa daftar."), field="agendas")
    agendas = [str(a).strip() for a in (agendas or [])]
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
    programme.updated_at = now
    return Planned(sessions, _after_change(sessions, now))


def add_session(actor: User | None, programme: Programme, starts_local, now: datetime, *,
                timezone: str | None = None, duration_minutes=DEFAULT_DURATION_MINUTES,
                meeting_url: str = "", agenda: str = "", allow_past: bool = False) -> Planned:
    """Add one session after the existing ones."""
    planned = plan_series(actor, programme, 1, starts_local, now, timezone=timezone,
                          interval_days=0, duration_minutes=duration_minutes,
                          meeting_url=meeting_url, agendas=[agenda] if agenda else None,
                          allow_past=allow_past)
    return planned


def update_session(actor: User | None, session: ProgrammeSession, now: datetime, *,
                   starts_at=None, timezone: str | None = None, duration_minutes=None,
                   meeting_url: str | None = None, agenda: str | None = None,
                   allow_past: bool = False) -> Planned:
    """Reschedule or edit one session; the UID stays, the SEQUENCE rises."""
    programme = session.programme
    _ensure_can_plan(actor, programme)
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("Sesi yang dibatalkan tidak bisa diubah."))
    changed = False
    if timezone is not None:
        zone = _zone(timezone, session.timezone)
        changed |= zone != session.timezone
        session.timezone = zone
    if starts_at is not None and starts_at != "":
        new_start = to_utc(starts_at, session.timezone, "starts_at")
        if new_start != session.starts_at:
            _refuse_past(new_start, now, allow_past, "starts_at")
            session.starts_at = new_start
            if session.status == SessionStatus.HELD and new_start > now:
                session.status = SessionStatus.PLANNED
            changed = True
    if duration_minutes is not None and duration_minutes != "":
        duration = _int(duration_minutes, "duration_minutes", 15, 600)
        changed |= duration != session.duration_minutes
        session.duration_minutes = duration
    if meeting_url is not None:
        url = _url(meeting_url)
        changed |= url != session.meeting_url
        session.meeting_url = url
    if agenda is not None:
        text = agenda.strip() or default_agenda(session.number)
        changed |= text != session.agenda
        session.agenda = text
    if changed:
        session.sequence += 1
        session.updated_at = now
        programme.updated_at = now
    return Planned([session], _after_change([session], now))


def cancel_session(actor: User | None, session: ProgrammeSession, now: datetime,
                   reason: str = "") -> ProgrammeSession:
    """Cancel one session: it stays in the calendar with STATUS:CANCELLED and a higher SEQUENCE."""
    _ensure_can_plan(actor, session.programme)
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("Sesi ini sudah dibatalkan."))
    session.status = SessionStatus.CANCELLED
    session.cancel_reason = (reason or "").strip()
    session.sequence += 1
    session.updated_at = now
    session.programme.updated_at = now
    _after_change([session], now)
    return session


def patch_session(actor: User | None, session: ProgrammeSession, data: dict,
                  now: datetime) -> Planned:
    """The API's PATCH: {"starts_at": …} and edits, or {"status": "cancelled"} or "held"."""
    status = data.get("status")
    if status is not None:
        if status == SessionStatus.CANCELLED.value:
            return Planned([cancel_session(actor, session, now, str(data.get("reason", "")))])
        if status == SessionStatus.HELD.value:
            return Planned([mark_session_held(actor, session, now)])
        raise ValidationError(_("status hanya boleh 'cancelled' atau 'held'."), field="status")
    editable = ("starts_at", "timezone", "duration_minutes", "meeting_url", "agenda")
    if not any(key in data for key in editable):
        raise ValidationError(_("Tidak ada yang diubah."), field="starts_at")
    for key in ("timezone", "meeting_url", "agenda"):
        if key in data and not isinstance(data[key], str):
            raise ValidationError(_("%(name)s harus teks.", name=key), field=key)
    return update_session(actor, session, now, starts_at=data.get("starts_at"),
                          timezone=data.get("timezone"),
                          duration_minutes=data.get("duration_minutes"),
                          meeting_url=data.get("meeting_url"), agenda=data.get("agenda"))


# ---------------------------------------------------------------- reading

def visible_programmes_query(user: User | None):
    """Programmes a user may open: all for facilitators, their city's for Pokja, none otherwise."""
    stmt = select(Programme).order_by(Programme.created_at.desc(), Programme.id.desc())
    if is_facilitator(user):
        return stmt
    if user is not None and user.is_authenticated and user.role == "pokja" and user.city_id:
        return stmt.where(or_(Programme.mentor_city_id == user.city_id,
                              Programme.mentee_city_id == user.city_id))
    return stmt.where(False)


def list_programmes(user: User | None, status: str = "") -> list[Programme]:
    stmt = visible_programmes_query(user)
    if status:
        stmt = stmt.where(Programme.status == status)
    return list(db.session.scalars(stmt))


def upcoming_sessions(user: User | None, now: datetime, limit: int = 5) -> list[ProgrammeSession]:
    """The user's next planned sessions (their programmes only), soonest first."""
    visible = visible_programmes_query(user).with_only_columns(Programme.id).order_by(None)
    stmt = (select(ProgrammeSession).join(Programme)
            .where(ProgrammeSession.programme_id.in_(visible),
                   Programme.status.in_(OPEN_STATUSES),
                   ProgrammeSession.status == SessionStatus.PLANNED,
                   ProgrammeSession.starts_at >= now - timedelta(hours=2))
            .order_by(ProgrammeSession.starts_at).limit(limit))
    return [s for s in db.session.scalars(stmt) if s.ends_at >= now]


def recent_sessions(user: User | None, now: datetime, days: int = 21) -> list[ProgrammeSession]:
    """The user's sessions that started in the last `days` days, latest first: notes are due."""
    visible = visible_programmes_query(user).with_only_columns(Programme.id).order_by(None)
    return list(db.session.scalars(
        select(ProgrammeSession).where(ProgrammeSession.programme_id.in_(visible),
                                       ProgrammeSession.status != SessionStatus.CANCELLED,
                                       ProgrammeSession.starts_at <= now,
                                       ProgrammeSession.starts_at >= now - timedelta(days=days))
        .order_by(ProgrammeSession.starts_at.desc())))


def feed_sessions(user: User) -> list[ProgrammeSession]:
    """Every session of the user's programmes, cancelled ones included (so calendars drop them)."""
    visible = visible_programmes_query(user).with_only_columns(Programme.id).order_by(None)
    return list(db.session.scalars(select(ProgrammeSession).where(
        ProgrammeSession.programme_id.in_(visible)).order_by(ProgrammeSession.starts_at)))


def session_local_times(session: ProgrammeSession, fmt: str = "%H:%M") -> dict[str, str]:
    """One session's start in each city's zone, keyed by city code: {"74.71": "10:00 WITA"}."""
    programme = session.programme
    return {city.code: local_time(session.starts_at, city.timezone, fmt)
            for city in (programme.mentee, programme.mentor)}


def iso_utc(value: datetime | None) -> str | None:
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def session_dict(session: ProgrammeSession) -> dict:
    programme = session.programme
    return {
        "id": session.id, "programme_id": programme.id, "number": session.number,
        "starts_at": iso_utc(session.starts_at), "ends_at": iso_utc(session.ends_at),
        "duration_minutes": session.duration_minutes, "timezone": session.timezone,
        "local_times": session_local_times(session),
        "local_date_times": session_local_times(session, "%Y-%m-%d %H:%M"),
        "label": labelled_times(session.starts_at, programme.zones),
        "status": session.status.value, "agenda": session.agenda,
        "meeting_url": session.meeting_url, "uid": session.uid, "sequence": session.sequence,
        "cancel_reason": session.cancel_reason,
    }


def programme_dict(programme: Programme) -> dict:
    def city(c: City) -> dict:
        return {"code": c.code, "name": c.name, "timezone": c.timezone}

    return {
        "id": programme.id, "title": programme.display_title, "topic": programme.topic,
        "mentor": city(programme.mentor), "mentee": city(programme.mentee),
        "status": programme.status.value, "status_reason": programme.status_reason,
        "need_id": programme.need_id, "practice_id": programme.practice_id,
        "facilitator": programme.facilitator.email if programme.facilitator else None,
        "mentor_accepted_at": iso_utc(programme.mentor_accepted_at),
        "mentee_accepted_at": iso_utc(programme.mentee_accepted_at),
        "agreed_at": iso_utc(programme.agreed_at),
        "outcome": programme.outcome,
        "outcome_on": programme.outcome_on.date().isoformat() if programme.outcome_on else None,
        "outcome_evidence": programme.outcome_evidence,
        "created_at": iso_utc(programme.created_at),
        "sessions": [session_dict(s) for s in programme.sessions],
    }


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


def pokja_members(programme: Programme) -> list[User]:
    """Enabled Pokja accounts of both cities: the calendar attendees."""
    return list(db.session.scalars(select(User).where(
        User.role == "pokja", User.is_enabled.is_(True),
        User.city_id.in_(list(programme.city_ids))).order_by(User.email)))


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


# ---------------------------------------------------------------- calendar subscription

def create_calendar_token(user: User) -> str:
    """Give the user a new private feed address; any previous one stops working."""
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.flush()
    return user.calendar_token


def revoke_calendar_token(user: User) -> None:
    user.calendar_token = None
    db.session.flush()


def user_for_calendar_token(token: str) -> User:
    user = None
    if token and len(token) >= 20:
        user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None or not user.is_enabled:
        raise NotFound(_("Kalender tidak ditemukan."))
    return user


def calendar_feed_url(user: User) -> str | None:
    if not user.calendar_token:
        return None
    return f"{current_app.config['BASE_URL'].rstrip('/')}/calendar/{user.calendar_token}.ics"


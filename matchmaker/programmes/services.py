"""Lifecycle of a learning programme: proposed -> agreed -> active -> completed (or declined /
cancelled). Services flush; callers commit. Who may do what is in `programmes/access.py`;
session planning is in `programmes/sessions.py`.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from matchmaker import signals
from matchmaker.access import Actor, ensure_facilitator
from matchmaker.cities.models import City, Need, Practice
from matchmaker.dbtypes import changed_rows
from matchmaker.errors import Conflict, Forbidden, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes.access import city_side, ensure_participant
from matchmaker.programmes.models import (
    OPEN_STATUSES,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    ReplicationOutcome,
    SessionStatus,
)
from matchmaker.vocab import TOPICS


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


def create_programme(actor: Actor | None, mentor: City | str, mentee: City | str, topic: str,
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


def _transition(programme: Programme, allowed, status: ProgrammeStatus, now: datetime,
                message: str) -> None:
    """Move to `status` only if the row is still in an allowed state: of two racing transitions
    exactly one wins (a conditional UPDATE takes the row lock), the other gets 409."""
    _ensure_status(programme, allowed, message)
    previous = programme.status
    db.session.flush()
    moved = changed_rows(
        update(Programme).where(Programme.id == programme.id, Programme.status.in_(allowed))
        .values(status=status, updated_at=now).execution_options(synchronize_session=False))
    if moved != 1:
        raise Conflict(message)
    programme.status = status
    programme.updated_at = now
    db.session.flush()
    signals.programme_changed.send(programme, now=now, previous=previous)


def respond_to_proposal(actor: Actor | None, programme: Programme, accept: bool, now: datetime,
                        reason: str = "") -> Programme:
    """A city's Pokja accepts or declines for its own city; both accepted makes it agreed."""
    ensure_participant(actor, programme)
    side = city_side(actor, programme)
    if side is None:
        raise Forbidden(_("Hanya Pokja kota mentor atau mentee yang menjawab usulan ini."))
    waiting = _("Program ini tidak sedang menunggu jawaban kota.")
    _ensure_status(programme, (ProgrammeStatus.PROPOSED,), waiting)
    if not accept:
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(_("Sebutkan alasan penolakan."), field="reason")
        _transition(programme, (ProgrammeStatus.PROPOSED,), ProgrammeStatus.DECLINED, now, waiting)
        city = programme.mentor if side == "mentor" else programme.mentee
        programme.status_reason = f"{city.name}: {reason}"
        programme.closed_at = now
        # Sessions planned ahead of the answer leave the calendars too.
        _cancel_planned_sessions(programme, now, programme.status_reason)
        return programme
    setattr(programme, f"{side}_accepted_at", now)
    db.session.flush()
    # The other city may have answered at the same moment: read both answers as committed.
    db.session.refresh(programme, ["mentor_accepted_at", "mentee_accepted_at"])
    if programme.mentor_accepted_at and programme.mentee_accepted_at:
        _transition(programme, (ProgrammeStatus.PROPOSED,), ProgrammeStatus.AGREED, now, waiting)
        programme.agreed_at = now
    programme.updated_at = now
    db.session.flush()
    return programme


def record_agreement(actor: Actor | None, programme: Programme, now: datetime,
                     note: str = "") -> Programme:
    """The facilitator records that both cities agreed elsewhere (a meeting, a letter)."""
    ensure_facilitator(actor)
    _transition(programme, (ProgrammeStatus.PROPOSED,), ProgrammeStatus.AGREED, now,
                _("Hanya program yang diusulkan yang bisa disepakati."))
    programme.mentor_accepted_at = programme.mentor_accepted_at or now
    programme.mentee_accepted_at = programme.mentee_accepted_at or now
    programme.agreement_note = (note or "").strip() or _("Dicatat oleh fasilitator.")
    programme.agreed_at = now
    db.session.flush()
    return programme


def activate_programme(actor: Actor | None, programme: Programme, now: datetime) -> Programme:
    ensure_facilitator(actor)
    _transition(programme, (ProgrammeStatus.AGREED,), ProgrammeStatus.ACTIVE, now,
                _("Hanya program yang sudah disepakati yang bisa dimulai."))
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
        signals.session_changed.send(session, now=now)


def cancel_programme(actor: Actor | None, programme: Programme, reason: str,
                     now: datetime) -> Programme:
    """Cancel an open programme with a reason; its planned sessions are cancelled too."""
    ensure_facilitator(actor)
    closed = _("Program ini sudah ditutup.")
    _ensure_status(programme, OPEN_STATUSES, closed)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Sebutkan alasan pembatalan."), field="reason")
    _transition(programme, OPEN_STATUSES, ProgrammeStatus.CANCELLED, now, closed)
    programme.status_reason = reason
    programme.closed_at = now
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


def complete_programme(actor: Actor | None, programme: Programme, outcome: str, now: datetime, *,
                       outcome_on=None, evidence: str = "") -> Programme:
    """Close the programme with the replication outcome: did the mentee adopt the practice."""
    ensure_facilitator(actor)
    running = (ProgrammeStatus.AGREED, ProgrammeStatus.ACTIVE)
    not_running = _("Hanya program yang disepakati atau berjalan yang bisa diselesaikan.")
    _ensure_status(programme, running, not_running)
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
    _transition(programme, running, ProgrammeStatus.COMPLETED, now, not_running)
    programme.closed_at = now
    for session in programme.sessions:
        if session.status == SessionStatus.PLANNED and session.starts_at <= now:
            session.status = SessionStatus.HELD
    _cancel_planned_sessions(programme, now, _("Program selesai."), only_future=True)
    return programme


def mark_session_held(actor: Actor | None, session: ProgrammeSession,
                      now: datetime) -> ProgrammeSession:
    """Record that a session took place; the first held session of an agreed programme makes it
    active. Only once both cities agreed: a Pokja cannot turn a proposal into a running programme."""
    programme = session.programme
    ensure_participant(actor, programme)
    running = (ProgrammeStatus.AGREED, ProgrammeStatus.ACTIVE)
    not_running = _("Sesi hanya bisa dicatat terlaksana pada program yang disepakati atau berjalan.")
    _ensure_status(programme, running, not_running)
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("Sesi ini dibatalkan."))
    if session.starts_at > now:
        raise ValidationError(_("Sesi ini belum dimulai."), field="status")
    session.status = SessionStatus.HELD
    if programme.status == ProgrammeStatus.AGREED:
        _transition(programme, running, ProgrammeStatus.ACTIVE, now, not_running)
    db.session.flush()
    signals.session_changed.send(session, now=now)
    return session

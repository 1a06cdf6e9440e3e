"""Time polls: a facilitator proposes candidate slots, the two cities' Pokja mark the ones they can
attend, and the chosen slot plans the series (or moves the poll's session).

Opening a poll sends `signals.poll_opened`; the reminders package e-mails the Pokja and nudges
those who have not answered after POLL_NUDGE_DAYS. Services flush; callers commit.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from matchmaker import signals
from matchmaker.access import Actor
from matchmaker.errors import Conflict, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes.access import ensure_can_answer_poll, ensure_can_plan, pokja_members
from matchmaker.programmes.checks import Check
from matchmaker.programmes.models import (
    Poll,
    PollAnswer,
    PollOption,
    PollStatus,
    Programme,
    ProgrammeSession,
    SessionStatus,
)
from matchmaker.programmes.scheduling import rules, slot_checks_for
from matchmaker.programmes.sessions import Planned, plan_series, to_utc, update_session
from matchmaker.timeutils import labelled_times, local_time


def _live_sessions(programme: Programme) -> list[ProgrammeSession]:
    return [s for s in programme.sessions if s.status != SessionStatus.CANCELLED]


def open_poll(actor: Actor | None, programme: Programme, options: list, now: datetime, *,
              timezone: str | None = None, duration_minutes=None,
              session: ProgrammeSession | None = None) -> Poll:
    """Propose 2–8 candidate starts (local times in `timezone`) for the first session, or for
    moving `session`; one open poll per programme."""
    ensure_can_plan(actor, programme)
    config = current_app.config
    if session is not None and (session.programme_id != programme.id
                                or session.status != SessionStatus.PLANNED):
        raise Conflict(_("Hanya sesi yang masih direncanakan dari program ini yang bisa dijajaki."))
    if session is None and _live_sessions(programme):
        raise Conflict(_("Program ini sudah punya sesi; buat jajak untuk memindah satu sesinya."))
    if db.session.scalar(select(Poll.id).where(Poll.programme_id == programme.id,
                                               Poll.status == PollStatus.OPEN)) is not None:
        raise Conflict(_("Program ini masih punya jajak waktu yang terbuka."))
    zone = (timezone or "").strip() or (session.timezone if session else programme.mentee.timezone)
    if zone not in available_timezones():
        raise ValidationError(_("Zona waktu tidak dikenal: %(tz)s", tz=zone), field="timezone")
    duration = duration_minutes or (session.duration_minutes if session else config["SESSION_MINUTES"])
    if isinstance(duration, bool) or not isinstance(duration, int) or not 15 <= duration <= 600:
        raise ValidationError(_("Durasi harus antara 15 dan 600 menit."), field="duration_minutes")
    low, high = config["POLL_MIN_OPTIONS"], config["POLL_MAX_OPTIONS"]
    if not isinstance(options, list) or not low <= len(options) <= high:
        raise ValidationError(_("Ajukan %(low)d sampai %(high)d pilihan waktu.", low=low, high=high),
                              field="options")
    starts = [to_utc(value, zone, "options") for value in options]
    if len(set(starts)) != len(starts):
        raise ValidationError(_("Ada pilihan waktu yang sama."), field="options")
    if min(starts) <= now:
        raise ValidationError(_("Semua pilihan waktu harus di masa depan."), field="options")
    poll = Poll(programme=programme, session=session, timezone=zone, duration_minutes=duration,
                status=PollStatus.OPEN, created_by_id=getattr(actor, "id", None), created_at=now,
                options=[PollOption(starts_at=start) for start in sorted(starts)])
    db.session.add(poll)
    db.session.flush()
    signals.poll_opened.send(poll, now=now)
    return poll


def _ensure_open(poll: Poll) -> None:
    if not poll.is_open:
        raise Conflict(_("Jajak waktu ini sudah ditutup."))


def answer_poll(actor: Actor | None, poll: Poll, option_ids, now: datetime) -> PollAnswer:
    """Replace this Pokja member's answer: the options they can attend (maybe none)."""
    user = ensure_can_answer_poll(actor, poll)
    _ensure_open(poll)
    known = {option.id for option in poll.options}
    if not isinstance(option_ids, list | tuple | set) or not all(
            isinstance(i, int) and not isinstance(i, bool) for i in option_ids):
        raise ValidationError(_("Pilihan harus daftar nomor pilihan jajak ini."), field="available")
    if not set(option_ids) <= known:
        raise ValidationError(_("Pilihan itu bukan bagian dari jajak ini."), field="available")
    answer = db.session.scalar(select(PollAnswer).where(PollAnswer.poll_id == poll.id,
                                                        PollAnswer.user_id == user.id))
    if answer is None:
        answer = PollAnswer(poll=poll, user_id=user.id)
        db.session.add(answer)
    answer.available = sorted(set(option_ids))
    answer.answered_at = now
    db.session.flush()
    return answer


def close_poll(actor: Actor | None, poll: Poll, now: datetime) -> Poll:
    """Close a poll without choosing a slot."""
    ensure_can_plan(actor, poll.programme)
    _ensure_open(poll)
    poll.status = PollStatus.CLOSED
    poll.closed_at = now
    db.session.flush()
    return poll


def choose_option(actor: Actor | None, poll: Poll, option_id, now: datetime, *, count=None,
                  interval_days=None, duration_minutes=None, meeting_url: str = "",
                  generate_meeting_url: bool = False) -> Planned:
    """Plan the series from the chosen slot (or move the poll's session to it); the poll closes,
    so a poll plans at most one series."""
    db.session.refresh(poll, with_for_update=True)  # two clicks at once: one plans, one is refused
    ensure_can_plan(actor, poll.programme)
    _ensure_open(poll)
    option = next((o for o in poll.options if o.id == option_id), None)
    if option is None:
        raise ValidationError(_("Pilihan itu bukan bagian dari jajak ini."), field="option")
    duration = duration_minutes or poll.duration_minutes
    if poll.session is not None:
        if poll.session.status == SessionStatus.CANCELLED:
            raise Conflict(_("Sesi jajak ini sudah dibatalkan."))
        planned = update_session(actor, poll.session, now, starts_at=option.starts_at,
                                 duration_minutes=duration, meeting_url=meeting_url or None,
                                 generate_meeting_url=generate_meeting_url)
    else:
        if _live_sessions(poll.programme):
            raise Conflict(_("Program ini sudah punya sesi; jajak ini tidak bisa merencanakan lagi."))
        planned = plan_series(actor, poll.programme,
                              current_app.config["SERIES_SESSIONS"] if count is None else count,
                              option.starts_at, now, timezone=poll.timezone,
                              interval_days=interval_days, duration_minutes=duration,
                              meeting_url=meeting_url, generate_meeting_url=generate_meeting_url)
    poll.status = PollStatus.CHOSEN
    poll.chosen_option_id = option.id
    poll.closed_at = now
    db.session.flush()
    return planned


# ---------------------------------------------------------------- reading

@dataclass
class OptionSummary:
    id: int
    starts_at: datetime
    label: str
    local_times: dict[str, str]
    checks: list[Check]
    available: dict[str, list[str]]
    fits_both: bool
    is_chosen: bool


@dataclass
class PollSummary:
    poll: Poll
    options: list[OptionSummary]
    waiting: dict[str, list[str]] = field(default_factory=dict)
    mine: set[int] = field(default_factory=set)
    has_answered: bool = False

    @property
    def fitting(self) -> list[OptionSummary]:
        return [o for o in self.options if o.fits_both]


def summarise(poll: Poll, now: datetime, viewer: Actor | None = None) -> PollSummary:
    """Each option in both zones with its checks, who of each city can come, and who has not
    answered yet; `mine` is the viewer's own answer."""
    programme = poll.programme
    cities = [programme.mentee, programme.mentor]
    answers = {a.user_id: a for a in poll.answers}
    members = pokja_members(programme)
    code_of = {c.id: c.code for c in cities}
    rules_ = rules()
    number = poll.session.number if poll.session else 1
    options = []
    for option in poll.options:
        available: dict[str, list[str]] = {c.code: [] for c in cities}
        for answer in answers.values():
            if option.id in answer.available and answer.user.city_id is not None \
                    and answer.user.city_id in code_of:
                available[code_of[answer.user.city_id]].append(answer.user.name)
        checks = (slot_checks_for(programme, number, option.starts_at, poll.duration_minutes,
                                  poll.timezone, now, rules_, skip=poll.session)
                  if poll.is_open else [])
        options.append(OptionSummary(
            option.id, option.starts_at, labelled_times(option.starts_at, programme.zones,
                                                        "%Y-%m-%d %H:%M"),
            {c.code: local_time(option.starts_at, c.timezone, "%Y-%m-%d %H:%M") for c in cities},
            checks, {code: sorted(names) for code, names in available.items()},
            all(available.values()), option.id == poll.chosen_option_id))
    waiting: dict[str, list[str]] = {c.code: [] for c in cities}
    for user in members:
        if user.id not in answers and user.city_id is not None:
            waiting[code_of[user.city_id]].append(user.name)
    mine = next((a for a in answers.values() if viewer is not None and a.user_id == viewer.id), None)
    return PollSummary(poll, options, waiting, set(mine.available) if mine else set(),
                       mine is not None)


def programme_polls(programme: Programme) -> list[Poll]:
    """The programme's polls, newest first."""
    return list(db.session.scalars(select(Poll).where(Poll.programme_id == programme.id)
                                   .order_by(Poll.created_at.desc(), Poll.id.desc())))

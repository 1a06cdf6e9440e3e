"""The calendar checks applied to stored sessions and candidate slots, the cuti bersama days that
facilitators keep, and meeting links made from MEETING_LINK_TEMPLATE.

`checks.py` holds the pure rules; this module gives them the settings, the days from the
database and the cities' other sessions. Services flush; callers commit.
"""

import secrets
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from matchmaker.access import Actor, ensure_facilitator
from matchmaker.errors import Conflict, NotFound
from matchmaker.extensions import db
from matchmaker.programmes.checks import (
    Busy,
    Check,
    Place,
    Rules,
    parse_office_hours,
    parse_window,
    slot_checks,
)
from matchmaker.programmes.models import (
    CutiBersama,
    Programme,
    ProgrammeSession,
    SessionStatus,
)
from matchmaker.validation import Day, Text, load_value

CUTI_NAME_MAX = 200


def rules() -> Rules:
    """The settings and this database's cuti bersama days, as the checks need them."""
    config = current_app.config
    days = {row.day: row.name for row in db.session.scalars(select(CutiBersama))}
    return Rules(friday_prayer=parse_window(config["FRIDAY_PRAYER_WINDOW"]),
                 office_hours=parse_office_hours(config["OFFICE_HOURS"]),
                 cuti_bersama=days, search_days=config["SUGGESTION_SEARCH_DAYS"])


def places(programme: Programme) -> list[Place]:
    """Both cities, mentee first (the order times are shown in)."""
    return [Place(c.code, c.name, c.timezone) for c in (programme.mentee, programme.mentor)]


def _busy(programme: Programme, start: datetime, until: datetime,
          skip: ProgrammeSession | None) -> list[Busy]:
    """The cities' other live sessions from a day before `start` to `until`."""
    cities = list(programme.city_ids)
    rows = db.session.scalars(select(ProgrammeSession).join(Programme).where(
        or_(Programme.mentor_city_id.in_(cities), Programme.mentee_city_id.in_(cities)),
        ProgrammeSession.status != SessionStatus.CANCELLED,
        ProgrammeSession.starts_at < until,
        ProgrammeSession.starts_at > start - timedelta(days=1)))
    return [Busy(s.starts_at, s.ends_at, _("sesi %(m)d program \"%(title)s\"", m=s.number,
                                            title=s.programme.display_title))
            for s in rows if s is not skip]


def slot_checks_for(programme: Programme, number: int, start: datetime, minutes: int, zone: str,
                    now: datetime, rules_: Rules, skip: ProgrammeSession | None = None,
                    session_id: int | None = None) -> list[Check]:
    """The checks of one start of a programme (stored or a candidate), with suggestions."""
    end = start + timedelta(minutes=minutes)
    horizon = end + timedelta(days=rules_.search_days + 8)
    return slot_checks(number, start, end, places(programme), rules_,
                       _busy(programme, start, horizon, skip), now, zone, session_id)


def session_checks(sessions: list[ProgrammeSession], now: datetime) -> list[Check]:
    """The checks of stored sessions that are still planned and ahead."""
    rules_ = rules()
    found: list[Check] = []
    for session in sessions:
        if session.status != SessionStatus.PLANNED or session.ends_at <= now:
            continue
        found += slot_checks_for(session.programme, session.number, session.starts_at,
                                 session.duration_minutes, session.timezone, now, rules_,
                                 skip=session, session_id=session.id)
    return found


def checks_by_session(programme: Programme, now: datetime) -> dict[int, list[Check]]:
    """For the programme page: each upcoming session's checks, by session id."""
    by_id: dict[int, list[Check]] = {}
    for check in session_checks(list(programme.sessions), now):
        if check.session_id is not None:
            by_id.setdefault(check.session_id, []).append(check)
    return by_id


# ---------------------------------------------------------------- cuti bersama

def list_cuti_bersama(year: int | None = None) -> list[CutiBersama]:
    query = select(CutiBersama).order_by(CutiBersama.day)
    if year is not None:
        query = query.where(CutiBersama.day >= date(year, 1, 1), CutiBersama.day <= date(year, 12, 31))
    return list(db.session.scalars(query))


def add_cuti_bersama(actor: Actor | None, day: date, name: str, now: datetime) -> CutiBersama:
    """Record a collective leave day (facilitators and admins)."""
    ensure_facilitator(actor)
    day = load_value(Day(), day, "day")
    name = load_value(Text(max_length=CUTI_NAME_MAX, allow_blank=False), name, "name")
    if db.session.scalar(select(CutiBersama.id).where(CutiBersama.day == day)) is not None:
        raise Conflict(_("Tanggal %(day)s sudah tercatat sebagai cuti bersama.", day=day.isoformat()))
    row = CutiBersama(day=day, name=name, created_at=now)
    db.session.add(row)
    db.session.flush()
    return row


def delete_cuti_bersama(actor: Actor | None, row_id: int) -> None:
    ensure_facilitator(actor)
    row = db.session.get(CutiBersama, row_id)
    if row is None:
        raise NotFound(_("Cuti bersama tidak ditemukan."))
    db.session.delete(row)
    db.session.flush()


# ---------------------------------------------------------------- meeting links

def meeting_link(programme: Programme) -> str:
    """The programme's link from MEETING_LINK_TEMPLATE, its random room made on first use."""
    if not programme.meeting_room:
        programme.meeting_room = secrets.token_hex(8)
    return current_app.config["MEETING_LINK_TEMPLATE"].format(room=programme.meeting_room)

"""Calendar checks on a session time, in both cities' local time: pure functions, no database.

A check warns, it never refuses: national holidays (the `holidays` package, Indonesian names),
the year's cuti bersama days, Friday prayers, office hours, and overlaps with the cities' other
sessions. Each check carries the nearest free slot: the same time on the next working day or on
the same weekday next week, else the nearest time on a nearby day that raises no check.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from flask_babel import gettext as _

from matchmaker.timeutils import labelled_times, local_time

HOLIDAY = "holiday"
FRIDAY_PRAYER = "friday_prayer"
OUTSIDE_OFFICE_HOURS = "outside_office_hours"
OVERLAP = "overlap"
CODES = (HOLIDAY, FRIDAY_PRAYER, OUTSIDE_OFFICE_HOURS, OVERLAP)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
FRIDAY = 4
# Suggested starts are tried on this grid (minutes past the hour) in the planning zone.
SLOT_STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class Place:
    """A city of the programme: its code, name and zone."""

    code: str
    name: str
    zone: str


@dataclass(frozen=True)
class Rules:
    """What the checks compare against: settings and the cuti bersama days."""

    friday_prayer: tuple[time, time]
    office_hours: dict[int, tuple[time, time]]
    cuti_bersama: dict[date, str] = field(default_factory=dict)
    search_days: int = 14


@dataclass(frozen=True)
class Busy:
    """Another session of either city: its time and how to name it."""

    starts_at: datetime
    ends_at: datetime
    label: str


@dataclass(frozen=True)
class Check:
    session: int
    code: str
    city: str | None
    date: date
    name: str | None
    message: str
    suggestion: datetime | None
    session_id: int | None = None


def parse_window(spec: str) -> tuple[time, time]:
    """'11:30-13:00' -> (11:30, 13:00)."""
    match = _WINDOW.match(spec or "")
    if not match:
        raise ValueError(f"cannot read the time window {spec!r} (use e.g. 11:30-13:00)")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise ValueError(f"the time window {spec!r} ends before it starts")
    return start, end


def parse_office_hours(spec: str) -> dict[int, tuple[time, time]]:
    """'mon-thu 07:30-16:00, fri 07:30-16:30' -> {0: (07:30, 16:00), …, 4: (07:30, 16:30)}."""
    hours: dict[int, tuple[time, time]] = {}
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        days, _sep, window = part.strip().partition(" ")
        first, _dash, last = days.lower().partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise ValueError(f"OFFICE_HOURS: cannot read the days {days!r} (use e.g. mon-thu)")
        for day in range(_DAYS.index(first), _DAYS.index(last or first) + 1):
            hours[day] = parse_window(window)
    return hours


@lru_cache(maxsize=64)
def _national(year: int) -> holidays.HolidayBase:
    return holidays.Indonesia(years=year, language="id")


def holiday_name(day: date, rules: Rules) -> str | None:
    """The national holiday (estimated ones say so) or cuti bersama on that day, if any."""
    name = _national(day.year).get(day)
    if name:
        return name
    if day in rules.cuti_bersama:
        return _("Cuti bersama: %(name)s", name=rules.cuti_bersama[day])
    return None


def _local(value: datetime, zone: str) -> datetime:
    return value.astimezone(ZoneInfo(zone))


def _within(start: datetime, end: datetime, window: tuple[time, time]) -> bool:
    return window[0] <= start.time() and end.date() == start.date() and end.time() <= window[1]


def _overlaps_window(start: datetime, end: datetime, window: tuple[time, time]) -> bool:
    open_at = datetime.combine(start.date(), window[0], start.tzinfo)
    close_at = datetime.combine(start.date(), window[1], start.tzinfo)
    return start < close_at and end > open_at


def _problems(number: int, start: datetime, end: datetime, places: list[Place], rules: Rules,
              busy: list[Busy]) -> list[Check]:
    """Every check of one slot, without suggestions."""
    found: list[Check] = []
    zones = [p.zone for p in places]
    when = labelled_times(start, zones, "%Y-%m-%d %H:%M")
    days = {p.code: _local(start, p.zone).date() for p in places}
    for day in sorted(set(days.values())):
        name = holiday_name(day, rules)
        if name:
            # A national day holds in every city; name a city only when the zones disagree on it.
            city = None if len(set(days.values())) == 1 else next(c for c, d in days.items() if d == day)
            found.append(Check(number, HOLIDAY, city, day, name, _(
                "Sesi %(n)d (%(when)s) jatuh pada hari libur: %(name)s.", n=number, when=when,
                name=name), None))
    for place in places:
        local_start, local_end = _local(start, place.zone), _local(end, place.zone)
        if local_start.weekday() == FRIDAY and _overlaps_window(local_start, local_end,
                                                                rules.friday_prayer):
            found.append(Check(number, FRIDAY_PRAYER, place.code, local_start.date(), None, _(
                "Sesi %(n)d (%(when)s) bertabrakan dengan salat Jumat di %(city)s "
                "(%(from)s–%(to)s waktu setempat).", n=number, when=local_time(start, place.zone),
                city=place.name, **{"from": rules.friday_prayer[0].strftime("%H:%M"),
                                    "to": rules.friday_prayer[1].strftime("%H:%M")}), None))
    for place in places:
        local_start, local_end = _local(start, place.zone), _local(end, place.zone)
        window = rules.office_hours.get(local_start.weekday())
        if window is None or not _within(local_start, local_end, window):
            found.append(Check(number, OUTSIDE_OFFICE_HOURS, place.code, local_start.date(), None, _(
                "Sesi %(n)d berlangsung %(from)s–%(to)s di %(city)s, di luar jam kantor.",
                n=number, city=place.name, **{"from": local_time(start, place.zone),
                                              "to": local_time(end, place.zone)}), None))
    for other in busy:
        if other.starts_at < end and other.ends_at > start:
            found.append(Check(number, OVERLAP, None, _local(start, zones[0]).date(), other.label, _(
                "Sesi %(n)d (%(when)s) bertabrakan dengan %(other)s.", n=number, when=when,
                other=other.label), None))
    return found


def _is_free(start: datetime, length: timedelta, places, rules, busy, now: datetime) -> bool:
    return start > now and not _problems(0, start, start + length, places, rules, busy)


def suggest_slot(start: datetime, end: datetime, places: list[Place], rules: Rules,
                 busy: list[Busy], now: datetime, zone: str) -> datetime | None:
    """The nearest free start: the same local time on the next working day or the same weekday
    next week; when that time never fits (office hours of a far zone), the nearest grid time on
    that day or the following ones."""
    length = end - start
    local = _local(start, zone)
    for days in range(1, 8):
        candidate = (local + timedelta(days=days)).astimezone(UTC)
        if _is_free(candidate, length, places, rules, busy, now):
            return candidate
    for days in range(rules.search_days + 1):
        day = local.date() + timedelta(days=days)
        grid = [datetime.combine(day, time(0), ZoneInfo(zone)) + SLOT_STEP * i
                for i in range(int(timedelta(days=1) / SLOT_STEP))]
        for candidate in sorted(grid, key=lambda c: abs(c - local)):
            if _is_free(candidate.astimezone(UTC), length, places, rules, busy, now):
                return candidate.astimezone(UTC)
    return None


def slot_checks(number: int, start: datetime, end: datetime, places: list[Place], rules: Rules,
                busy: list[Busy], now: datetime, zone: str, session_id: int | None = None) -> list[Check]:
    """The checks of one session time, each with the nearest free slot (None if none is near)."""
    found = _problems(number, start, end, places, rules, busy)
    if not found:
        return []
    suggestion = suggest_slot(start, end, places, rules, busy, now, zone)
    return [Check(c.session, c.code, c.city, c.date, c.name, c.message, suggestion, session_id)
            for c in found]

"""The one clock, the one table of Indonesian zones, and conversions between UTC and them."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

# The three Indonesian zones (IANA name -> label), west to east; no daylight saving.
ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
UTC_OFFSETS = {"Asia/Jakarta": 7, "Asia/Makassar": 8, "Asia/Jayapura": 9}
# Other IANA names the registry uses for the same zones (West Kalimantan: Asia/Pontianak).
_ALIASES = {"Asia/Pontianak": "WIB"}
KNOWN_ZONES = (*ZONES, *_ALIASES)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes (as SQLite returns them) as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def zone_label(tz: str) -> str:
    """Return WIB/WITA/WIT for an Indonesian zone, else the zone's abbreviation."""
    label = ZONES.get(tz) or _ALIASES.get(tz)
    if label:
        return label
    return datetime.now(ZoneInfo(tz)).tzname() or tz


def local_midnight(day: date, tz: str) -> datetime:
    """The UTC instant a calendar day begins in a zone."""
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


def zone_choices() -> dict[str, str]:
    """For select fields: 'WIB (Asia/Jakarta, UTC+7)'."""
    return {tz: f"{label} ({tz}, UTC+{UTC_OFFSETS[tz]})" for tz, label in ZONES.items()}


def local_time(value: datetime, tz: str, fmt: str = "%H:%M") -> str:
    """Format a UTC datetime in a zone, labelled: '09:00 WIB'."""
    return f"{as_utc(value).astimezone(ZoneInfo(tz)).strftime(fmt)} {zone_label(tz)}"


def labelled_times(value: datetime, zones: list[str], fmt: str = "%H:%M") -> str:
    """Show one instant in several zones, each once: '09:00 WIB / 10:00 WITA'."""
    seen: list[str] = []
    for tz in zones:
        text = local_time(value, tz, fmt)
        if text not in seen:
            seen.append(text)
    return " / ".join(seen)


def iso_utc(value: datetime | None) -> str | None:
    """'2020-01-27T02:00:00Z', the API's form of an instant."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None

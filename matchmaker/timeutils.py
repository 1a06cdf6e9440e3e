"""The one clock, and conversions between UTC and Indonesian zones."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
               "Asia/Jayapura": "WIT"}


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Treat naive datetimes (as SQLite returns them) as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def zone_label(tz: str) -> str:
    """Return WIB/WITA/WIT for an Indonesian zone, else the zone's abbreviation."""
    if tz in ZONE_LABELS:
        return ZONE_LABELS[tz]
    return datetime.now(ZoneInfo(tz)).tzname() or tz


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

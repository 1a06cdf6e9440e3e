"""Template filters and globals shared by every page."""

from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import format_date, format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from matchmaker import vocab
from matchmaker.timeutils import as_utc, labelled_times, local_time, zone_label


def _label(table: dict):
    return lambda key: table.get(key, key) if key else ""


def format_times(value, *zones, fmt="%H:%M") -> str:
    """'09:00 WIB / 10:00 WITA': the viewer's zone first, then each given zone once.

    A `fmt` with a date gets the locale's one date style ('4 Jan 2027 09:00 WIB / 10:00 WITA');
    a date-only `fmt` gives the day in the viewer's zone alone.
    """
    viewer = [current_user.display_zone] if current_user and current_user.is_authenticated else []
    shown = viewer + [z for z in zones if z] or ["Asia/Jakarta"]
    if not any(code in fmt for code in ("%d", "%Y", "%m")):
        return labelled_times(value, shown, fmt)
    day = format_date(as_utc(value).astimezone(ZoneInfo(shown[0])).date(), "medium")
    return f"{day} {labelled_times(value, shown)}" if "%H" in fmt else day


# (endpoint, label, who sees it); a link shows once its blueprint provides the endpoint.
NAV_LINKS = [
    ("matching.recommend_page", _l("Cari mentor"), "facilitator"),
    ("matching.cohort_page", _l("Kohort"), "facilitator"),
    ("programmes.index", _l("Program"), "user"),
    ("maps.map_page", _l("Peta"), "user"),
    ("reports.dashboard", _l("Dasbor"), "facilitator"),
    ("notes.knowledge", _l("Pengetahuan"), "user"),
    ("reminders.outbox", _l("Kotak keluar"), "admin"),
    ("auth.users", _l("Pengguna"), "admin"),
    ("matching.glossary_page", _l("Glosarium"), "admin"),
]


def nav_links() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    allowed = {"user", "facilitator" if current_user.is_facilitator else "",
               "admin" if current_user.is_admin else ""}
    return [(endpoint, label) for endpoint, label, who in NAV_LINKS
            if who in allowed and endpoint in current_app.view_functions]


def file_size(size: int) -> str:
    """'2,5 MB' / '2.5 MB', '340 KB': a file's size in the reader's number style."""
    if size >= 1024 * 1024:
        return f"{format_decimal(size / 1024 / 1024, '#,##0.#')} MB"
    return f"{format_decimal(max(1, round(size / 1024)), '#,##0')} KB"


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters.update(
        topic=_label(vocab.TOPICS),
        maturity=_label(vocab.MATURITY),
        priority=_label(vocab.PRIORITY),
        fiscal=_label(vocab.FISCAL_CAPACITY),
        outcome=_label(vocab.OUTCOME_TYPES),
        role=_label(vocab.ROLES),
        kind=_label(vocab.KINDS),
        local_time=local_time,
        local_time_label=zone_label,
        times=format_times,
        day=lambda value: format_date(value, "medium") if value else "",
        filesize=file_size,
        number=lambda v, d=0: "" if v is None else format_decimal(v, "#,##0" + ("." + "0" * d if d else "")),
        score=lambda v: "" if v is None else format_decimal(v, "0.00"),
    )
    app.jinja_env.globals.update(vocab=vocab, nav_links=nav_links,
                                 has_endpoint=lambda name: name in app.view_functions,
                                 current_locale=lambda: str(get_locale()))

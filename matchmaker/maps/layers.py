"""What the map draws besides the boundaries: shading by indicator, practice points, programme lines.

Each layer is plain JSON for `static/js/map.js`, with its legend and its labels already in the
viewer's language, so the script holds no words of its own.
"""

from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from matchmaker.access import Actor
from matchmaker.cities.figures import NUMERIC_INDICATORS, Figure, figure_values, latest_year
from matchmaker.cities.models import City, Practice
from matchmaker.cities.schemas import MAX_YEAR, MIN_YEAR
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.programmes.access import visible_clause
from matchmaker.programmes.models import OPEN_STATUSES, STATUS_LABELS, Programme, ProgrammeStatus
from matchmaker.vocab import MATURITY, TOPICS

DEFAULT_INDICATOR = "sanitation_access_pct"
DEFAULT_TOPIC = "wastewater"
# Worst to best: the cities that need help stand out in red whichever way the indicator runs.
SHADES = ("#b2182b", "#ef8a62", "#fddbc7", "#92c5de", "#2166ac")
NO_FIGURE = "#d9d9d9"
MATURITY_COLOURS = {"idea": "#bdbdbd", "pilot": "#fdae61", "operational": "#1a9641",
                    "institutionalised": "#5e3c99"}
STATUS_COLOURS = {ProgrammeStatus.PROPOSED: "#f4a261", ProgrammeStatus.AGREED: "#2a9d8f",
                  ProgrammeStatus.ACTIVE: "#1d3557", ProgrammeStatus.COMPLETED: "#6a994e",
                  ProgrammeStatus.DECLINED: "#9e9e9e", ProgrammeStatus.CANCELLED: "#9e9e9e"}
STATUS_CHOICES = ("open", *ProgrammeStatus, "all")  # "open": proposed, agreed and active


@dataclass(frozen=True)
class MapQuery:
    indicator: str = DEFAULT_INDICATOR
    year: int | None = None  # None only when no city has a figure for the indicator
    topic: str = DEFAULT_TOPIC
    status: str = "open"


def map_query(args) -> MapQuery:
    """The map's choices from a query string; an unknown value is a 400 naming the parameter."""
    indicator = args.get("indicator") or DEFAULT_INDICATOR
    if indicator not in NUMERIC_INDICATORS:
        raise ValidationError(_("Indikator harus salah satu dari: %(keys)s.",
                                keys=", ".join(NUMERIC_INDICATORS)), field="indicator")
    year_text = args.get("year") or ""
    if year_text and not (year_text.isdigit() and MIN_YEAR <= int(year_text) <= MAX_YEAR):
        raise ValidationError(_("Tahun harus antara %(low)s dan %(high)s.", low=MIN_YEAR,
                                high=MAX_YEAR), field="year")
    topic = args.get("topic", DEFAULT_TOPIC)
    if topic and topic not in TOPICS:
        raise ValidationError(_("Topik '%(topic)s' tidak dikenal.", topic=topic[:40]), field="topic")
    status = args.get("status") or "open"
    if status not in STATUS_CHOICES:
        raise ValidationError(_("Status harus salah satu dari: %(keys)s.",
                                keys=", ".join(STATUS_CHOICES)), field="status")
    year = int(year_text) if year_text else latest_year(indicator)
    return MapQuery(indicator, year, topic, status)


def _number(value: float, unit: str) -> str:
    return f"{format_decimal(value, '#,##0.##')} {unit}".strip()


def _breaks(values: list[float], classes: int) -> list[float]:
    """Upper bounds of equal-count classes (the last is the maximum); ties never split."""
    ordered = sorted(values)
    bounds = [ordered[min(len(ordered) - 1, (len(ordered) * k) // classes)]
              for k in range(1, classes)] + [ordered[-1]]
    return sorted(set(bounds))


def shading(query: MapQuery) -> dict:
    """Each city's figure for the indicator and year, its colour, and the legend."""
    spec = NUMERIC_INDICATORS[query.indicator]
    found: dict[str, Figure] = figure_values(query.indicator, query.year)
    values = [f.value for f in found.values() if not f.is_missing]
    bounds = _breaks(values, len(SHADES)) if values else []
    # Worst class first: the lowest values when higher is better, the highest otherwise.
    shades = SHADES[:len(bounds)] if spec.higher_is_better else SHADES[:len(bounds)][::-1]
    legend, low = [], min(values) if values else 0
    for bound, shade in zip(bounds, shades, strict=True):
        legend.append({"colour": shade, "label": f"{_number(low, '')}–{_number(bound, spec.unit)}"})
        low = bound

    def colour(value: float) -> str:
        return next(c for b, c in zip(bounds, shades, strict=True) if value <= b)

    figures = {}
    for code, figure in found.items():
        missing = figure.is_missing
        figures[code] = {"value": figure.value, "year": figure.year, "source": figure.source,
                         "text": _("tidak tersedia") if missing else _number(figure.value, spec.unit),
                         "colour": NO_FIGURE if missing else colour(figure.value)}
    sources = sorted({f.source for f in found.values() if f.source})
    return {"key": query.indicator, "label": str(spec.label), "year": query.year,
            "higher_is_better": spec.higher_is_better, "legend": legend,
            "missing": {"colour": NO_FIGURE, "label": _("tidak ada angka")},
            "sources": sources, "bps": any(s.startswith("BPS") for s in sources),
            "figures": figures}


def practice_points(topic: str) -> dict:
    """Cities that run a practice on the topic, at their centroid, coloured by best maturity."""
    legend = [{"colour": MATURITY_COLOURS[key], "label": str(label)} for key, label in MATURITY.items()]
    if not topic:
        return {"topic": "", "label": "", "legend": legend, "points": []}
    rank = {key: i for i, key in enumerate(MATURITY)}
    points: dict[str, dict] = {}
    rows = db.session.execute(
        select(City.code, City.name, City.latitude, City.longitude, Practice.title, Practice.maturity)
        .join(Practice, Practice.city_id == City.id)
        .where(Practice.topic == topic, City.latitude.is_not(None))
        .order_by(City.code, Practice.title))
    for code, name, lat, lon, title, maturity in rows:
        point = points.setdefault(code, {"code": code, "name": name, "lat": lat, "lon": lon,
                                         "maturity": maturity, "practices": []})
        if rank[maturity] > rank[point["maturity"]]:
            point["maturity"] = maturity
        point["practices"].append({"title": title, "maturity": str(MATURITY[maturity])})
    for point in points.values():
        point["colour"] = MATURITY_COLOURS[point["maturity"]]
        point["maturity_label"] = str(MATURITY[point["maturity"]])
    return {"topic": topic, "label": str(TOPICS[topic]), "legend": legend,
            "points": list(points.values())}


def _statuses(choice: str) -> tuple:
    if choice == "open":
        return OPEN_STATUSES
    if choice == "all":
        return tuple(ProgrammeStatus)
    return (ProgrammeStatus(choice),)


def programme_lines(actor: Actor | None, topic: str, status: str) -> dict:
    """Mentor → mentee lines of the programmes the actor may open, on the topic (all if none)."""
    statuses = _statuses(status)
    mentor, mentee = aliased(City), aliased(City)
    stmt = (select(Programme.id, Programme.status, Programme.topic, mentor.code, mentor.name,
                   mentor.latitude, mentor.longitude, mentee.code, mentee.name, mentee.latitude,
                   mentee.longitude)
            .join(mentor, mentor.id == Programme.mentor_city_id)
            .join(mentee, mentee.id == Programme.mentee_city_id)
            .where(visible_clause(actor), Programme.status.in_(statuses),
                   mentor.latitude.is_not(None), mentee.latitude.is_not(None))
            .order_by(Programme.id))
    if topic:
        stmt = stmt.where(Programme.topic == topic)
    lines = [{"id": pid, "status": str(state), "status_label": str(STATUS_LABELS[state]),
              "colour": STATUS_COLOURS[state], "topic": str(TOPICS.get(t, t)),
              "mentor": {"code": a_code, "name": a_name, "lat": a_lat, "lon": a_lon},
              "mentee": {"code": b_code, "name": b_name, "lat": b_lat, "lon": b_lon}}
             for pid, state, t, a_code, a_name, a_lat, a_lon, b_code, b_name, b_lat, b_lon
             in db.session.execute(stmt)]
    legend = [{"colour": STATUS_COLOURS[s], "label": str(STATUS_LABELS[s])} for s in statuses]
    return {"legend": legend, "lines": lines}

"""Use cases on the city registry and profiles. Services flush; callers commit."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.orm import selectinload

from matchmaker import signals
from matchmaker.access import Actor
from matchmaker.cities.access import ensure_can_edit_city
from matchmaker.cities.figures import (
    FISCAL_RANK,
    NUMERIC_INDICATORS,
    SORTABLE_INDICATORS,
    Origin,
    city_figure,
)
from matchmaker.cities.models import City, Indicator, Need, Practice, ProfileChange
from matchmaker.cities.schemas import (
    INDICATOR_KEYS,
    MAX_YEAR,
    MIN_YEAR,
    clean_indicators,
    clean_need,
    clean_practice,
)
from matchmaker.errors import Conflict, ValidationError
from matchmaker.extensions import db
from matchmaker.validation import invalid
from matchmaker.vocab import KINDS, TOPICS

PRACTICE_FIELDS = ("topic", "title", "description", "maturity", "started_year", "outcomes")
NEED_FIELDS = ("topic", "title", "description", "priority")
INDICATOR_FIELDS = INDICATOR_KEYS
SORT_FIELDS = ("name", "code", "population", *SORTABLE_INDICATORS)
ORDERS = ("asc", "desc")


@dataclass
class CityFilters:
    q: str = ""
    province: str = ""
    kind: str = ""
    practice_topic: str = ""
    need_topic: str = ""
    sort: str = ""  # "name", "code", "population" or an indicator key; default: code
    order: str = "asc"
    year: int | None = None  # the indicator year sorted, shown and filtered; None: each city's latest
    # Indicator key -> (lowest, highest) accepted, either end open (None).
    ranges: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    no_programme_topic: str = ""  # only cities in no open programme on this topic


def check_filters(filters: CityFilters) -> None:
    """Refuse filters the list cannot apply, naming the parameter."""
    def bad(field_name: str, message: str):
        raise ValidationError(message, field=field_name)

    if filters.kind and filters.kind not in KINDS:
        bad("kind", _("Jenis harus 'kota' atau 'kabupaten'."))
    for name in ("practice_topic", "need_topic", "no_programme_topic"):
        if getattr(filters, name) and getattr(filters, name) not in TOPICS:
            bad(name, _("Topik '%(topic)s' tidak dikenal.", topic=getattr(filters, name)))
    if filters.sort and filters.sort not in SORT_FIELDS:
        bad("sort", _("Urutan harus salah satu dari: %(keys)s.", keys=", ".join(SORT_FIELDS)))
    if filters.order not in ORDERS:
        bad("order", _("Arah urutan harus 'asc' atau 'desc'."))
    if filters.year is not None and not MIN_YEAR <= filters.year <= MAX_YEAR:
        bad("year", _("Tahun harus antara %(low)s dan %(high)s.", low=MIN_YEAR, high=MAX_YEAR))
    for key, (low, high) in filters.ranges.items():
        if key not in NUMERIC_INDICATORS:
            bad(key, _("Rentang hanya untuk indikator angka: %(keys)s.",
                       keys=", ".join(NUMERIC_INDICATORS)))
        if low is not None and high is not None and low > high:
            bad(f"{key}_min", _("Batas bawah lebih besar dari batas atas."))


def like_pattern(text: str) -> str:
    """A LIKE pattern matching text anywhere, with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def figure_column(key: str, year: int | None):
    """The city's value of an indicator: that year's, or its newest non-empty one (correlated)."""
    column = getattr(Indicator, key)
    stmt = select(column).where(Indicator.city_id == City.id, column.is_not(None))
    if year is not None:
        stmt = stmt.where(Indicator.year == year)
    return stmt.order_by(Indicator.year.desc()).limit(1).correlate(City).scalar_subquery()


def _sort_column(filters: CityFilters):
    if filters.sort in ("", "code"):
        return City.code
    if filters.sort in ("name", "population"):
        return getattr(City, filters.sort)
    value = figure_column(filters.sort, filters.year)
    if filters.sort == "fiscal_capacity":
        return case(FISCAL_RANK, value=value)
    return value


def city_query(filters: CityFilters):
    """The statement for the city list: search, filters, ranges and order (missing figures last)."""
    check_filters(filters)
    stmt = select(City)
    if filters.q:
        like = like_pattern(filters.q.strip().lower())
        stmt = stmt.where(or_(func.lower(City.name).like(like, escape="\\"),
                              City.code.like(like, escape="\\")))
    if filters.province:
        stmt = stmt.where(City.province_code == filters.province)
    if filters.kind:
        stmt = stmt.where(City.kind == filters.kind)
    if filters.practice_topic:
        stmt = stmt.where(exists().where(Practice.city_id == City.id,
                                         Practice.topic == filters.practice_topic))
    if filters.need_topic:
        stmt = stmt.where(exists().where(Need.city_id == City.id, Need.topic == filters.need_topic))
    for key, (low, high) in filters.ranges.items():
        value = figure_column(key, filters.year)
        if low is not None:
            stmt = stmt.where(value >= low)
        if high is not None:
            stmt = stmt.where(value <= high)
    if filters.no_programme_topic:
        # Programmes sit above cities: they answer the question through a signal.
        for _receiver, ids in signals.open_programme_cities.send(filters.no_programme_topic):
            stmt = stmt.where(City.id.not_in(ids))
    sort = _sort_column(filters)
    ordered = sort.desc() if filters.order == "desc" else sort.asc()
    return stmt.order_by(ordered.nulls_last(), City.code)


def _list_loads() -> tuple:
    """What a row of the list shows, loaded in one query each instead of one per row."""
    return (selectinload(City.practices), selectinload(City.needs), selectinload(City.indicators))


def search_cities(filters: CityFilters) -> list[City]:
    return list(db.session.scalars(city_query(filters).options(*_list_loads())))


def list_page(filters: CityFilters, page: int, per_page: int):
    """One page of the city list, with what its rows show loaded up front."""
    return db.paginate(city_query(filters).options(*_list_loads()), page=page, per_page=per_page,
                       error_out=False)


def provinces() -> list[tuple[str, str]]:
    return list(db.session.execute(
        select(City.province_code, City.province_name).distinct().order_by(City.province_code)))


def city_names() -> dict[str, str]:
    """Every city by name, for pickers: {code: 'Kota Palu (Sulawesi Tengah)'}."""
    return {code: f"{name} ({province})" for code, name, province in db.session.execute(
        select(City.code, City.name, City.province_name).order_by(City.name_short, City.name))}


def history(city: City, limit: int = 50) -> list[ProfileChange]:
    return list(db.session.scalars(select(ProfileChange).where(ProfileChange.city_id == city.id)
                                   .order_by(ProfileChange.at.desc(), ProfileChange.id.desc())
                                   .limit(limit)))


def record_change(city: City, actor: Actor | None, now: datetime, action: str, entity: str,
                  entity_id: int | None, summary: str, changes: dict | None = None,
                  source: str = "web") -> None:
    db.session.add(ProfileChange(city_id=city.id, user_id=actor.id if actor else None,
                                 source=source, at=now, action=action, entity=entity,
                                 entity_id=entity_id, summary=summary[:300], changes=changes))


def _raise_problems(problems) -> None:
    if problems:
        raise invalid(problems)


def _diff(obj, data: dict, fields) -> dict:
    return {f: [getattr(obj, f), data[f]] for f in fields if f in data and getattr(obj, f) != data[f]}


def _ensure_unique(model, city: City, topic: str, title: str, current_id: int | None) -> None:
    clash = db.session.scalar(select(model.id).where(
        model.city_id == city.id, model.topic == topic, model.title == title))
    if clash is not None and clash != current_id:
        raise Conflict(_("%(city)s sudah punya entri '%(title)s' untuk topik ini.",
                         city=city.name, title=title), field="title")


# A city's practices and needs are kept the same way: model -> (cleaner, fields, history name).
_ENTRIES = {Practice: (clean_practice, PRACTICE_FIELDS, "practice"),
            Need: (clean_need, NEED_FIELDS, "need")}


def _add_entry(model, actor: Actor | None, city: City, record: dict, now: datetime):
    clean, _fields, entity = _ENTRIES[model]
    ensure_can_edit_city(actor, city)
    data, problems = clean(record)
    _raise_problems(problems)
    _ensure_unique(model, city, data["topic"], data["title"], None)
    entry = model(city=city, updated_at=now, **data)
    db.session.add(entry)
    db.session.flush()
    record_change(city, actor, now, "create", entity, entry.id, f"+ {entry.title}",
                  {k: [None, v] for k, v in data.items()})
    return entry


def _update_entry(actor: Actor | None, entry, record: dict, now: datetime):
    clean, fields, entity = _ENTRIES[type(entry)]
    ensure_can_edit_city(actor, entry.city)
    data, problems = clean(record)
    _raise_problems(problems)
    _ensure_unique(type(entry), entry.city, data["topic"], data["title"], entry.id)
    changes = _diff(entry, data, fields)
    if changes:
        for key, (_old, new) in changes.items():
            setattr(entry, key, new)
        entry.updated_at = now
        record_change(entry.city, actor, now, "update", entity, entry.id, f"~ {entry.title}", changes)
    db.session.flush()
    return entry


def _delete_entry(actor: Actor | None, entry, now: datetime) -> None:
    ensure_can_edit_city(actor, entry.city)
    record_change(entry.city, actor, now, "delete", _ENTRIES[type(entry)][2], entry.id, f"- {entry.title}")
    db.session.delete(entry)
    db.session.flush()


def add_practice(actor: Actor | None, city: City, record: dict, now: datetime) -> Practice:
    return _add_entry(Practice, actor, city, record, now)


def update_practice(actor: Actor | None, practice: Practice, record: dict, now: datetime) -> Practice:
    return _update_entry(actor, practice, record, now)


def delete_practice(actor: Actor | None, practice: Practice, now: datetime) -> None:
    _delete_entry(actor, practice, now)


def add_need(actor: Actor | None, city: City, record: dict, now: datetime) -> Need:
    return _add_entry(Need, actor, city, record, now)


def update_need(actor: Actor | None, need: Need, record: dict, now: datetime) -> Need:
    return _update_entry(actor, need, record, now)


def delete_need(actor: Actor | None, need: Need, now: datetime) -> None:
    _delete_entry(actor, need, now)


def apply_figures(indicator: Indicator, data: dict, origin: Origin, change_source: str = "") -> dict:
    """Set data's values and sources on the row; return what changed as {field: [old, new]}.

    A value that changes takes its source from data["sources"] (else change_source, else none)
    and the given origin; an unchanged value keeps both. A source given for an unchanged value
    replaces the old source and takes the origin too.
    """
    sources = dict(indicator.sources or {})
    origins = dict(indicator.origins or {})
    given = data.get("sources", {})
    changes: dict[str, list] = {}
    for key in INDICATOR_FIELDS:
        if key not in data or getattr(indicator, key) == data[key]:
            continue
        changes[key] = [getattr(indicator, key), data[key]]
        setattr(indicator, key, data[key])
        source = given.get(key, change_source)
        if source:
            sources[key] = source
        else:
            sources.pop(key, None)
        origins[key] = str(origin)
    for key, source in given.items():
        if key in changes or sources.get(key, "") == source:
            continue
        changes[f"sources.{key}"] = [sources.get(key), source or None]
        if source:
            sources[key] = source
        else:
            sources.pop(key, None)
        origins[key] = str(origin)
    if changes:
        indicator.sources = sources or None
        indicator.origins = origins or None
    return changes


def set_indicators(actor: Actor | None, city: City, record: dict, now: datetime,
                   change_source: str = "") -> Indicator:
    """Create or update the city's indicators for one year, as a user; the figures set are theirs."""
    ensure_can_edit_city(actor, city)
    data, problems = clean_indicators(record)
    _raise_problems(problems)
    indicator = db.session.scalar(select(Indicator).where(
        Indicator.city_id == city.id, Indicator.year == data["year"]))
    if indicator is None:
        indicator = Indicator(city=city, year=data["year"], updated_at=now)
        db.session.add(indicator)
        db.session.flush()
    changes = apply_figures(indicator, data, Origin.USER, change_source.strip())
    if changes:
        indicator.updated_at = now
        record_change(city, actor, now, "update", "indicator", indicator.id,
                      _("Indikator %(year)s", year=indicator.year), changes)
    db.session.flush()
    return indicator


def practice_dict(p: Practice) -> dict:
    return {"id": p.id, "topic": p.topic, "title": p.title, "description": p.description,
            "maturity": p.maturity, "started_year": p.started_year, "outcomes": p.outcomes}


def need_dict(n: Need) -> dict:
    return {"id": n.id, "topic": n.topic, "title": n.title, "description": n.description,
            "priority": n.priority}


def indicator_dict(i: Indicator) -> dict:
    """One indicator year in the import format: its values and, where known, their sources."""
    data: dict = {"year": i.year}
    for key in INDICATOR_FIELDS:
        value = getattr(i, key)
        if value is not None:
            data[key] = value
    if i.sources:
        data["sources"] = dict(sorted(i.sources.items()))
    return data


def figure_dict(city: City, key: str, year: int | None = None) -> dict | None:
    """The figure a list row or a map shows for a city: value, year, source, origin."""
    found = city_figure(city, key, year)
    if found is None:
        return None
    return {"value": found.value, "year": found.year, "source": found.source,
            "origin": found.origin}


def city_summary(c: City) -> dict:
    return {"code": c.code, "name": c.name, "kind": c.kind, "province": c.province_name,
            "province_code": c.province_code, "timezone": c.timezone}


def city_profile(c: City) -> dict:
    return {**city_summary(c), "latitude": c.latitude, "longitude": c.longitude,
            "area_km2": c.area_km2, "population": c.population,
            "indicators": [{**indicator_dict(i), "origins": dict(sorted((i.origins or {}).items()))}
                           for i in c.indicators],
            "practices": [practice_dict(p) for p in c.practices],
            "needs": [need_dict(n) for n in c.needs]}

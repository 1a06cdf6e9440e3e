"""Use cases on the city registry and profiles. Services flush; callers commit."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select

from matchmaker.access import Actor
from matchmaker.cities.access import ensure_can_edit_city
from matchmaker.cities.models import City, Indicator, Need, Practice, ProfileChange, ProvinceFigure
from matchmaker.cities.schema import clean_indicators, clean_need, clean_practice
from matchmaker.errors import Conflict, ValidationError
from matchmaker.extensions import db

PRACTICE_FIELDS = ("topic", "title", "description", "maturity", "started_year", "outcomes")
NEED_FIELDS = ("topic", "title", "description", "priority")
INDICATOR_FIELDS = ("sanitation_access_pct", "drinking_water_access_pct", "slum_area_ha",
                    "fiscal_capacity", "kotaku_scores")


@dataclass
class CityFilters:
    q: str = ""
    province: str = ""
    kind: str = ""
    practice_topic: str = ""
    need_topic: str = ""


def city_query(filters: CityFilters):
    """Build the statement for the city list: name search and the four filters."""
    stmt = select(City).order_by(City.code)
    if filters.q:
        like = f"%{filters.q.strip().lower()}%"
        stmt = stmt.where(or_(func.lower(City.name).like(like), City.code.like(like)))
    if filters.province:
        stmt = stmt.where(City.province_code == filters.province)
    if filters.kind:
        stmt = stmt.where(City.kind == filters.kind)
    if filters.practice_topic:
        stmt = stmt.where(exists().where(Practice.city_id == City.id,
                                         Practice.topic == filters.practice_topic))
    if filters.need_topic:
        stmt = stmt.where(exists().where(Need.city_id == City.id, Need.topic == filters.need_topic))
    return stmt


def search_cities(filters: CityFilters) -> list[City]:
    return list(db.session.scalars(city_query(filters)))


def provinces() -> list[tuple[str, str]]:
    return list(db.session.execute(
        select(City.province_code, City.province_name).distinct().order_by(City.province_code)))


def province_figures(city: City) -> dict[str, dict[str, float]]:
    """Latest BPS access figures for the city's province and the nation, keyed by indicator."""
    rows = db.session.scalars(select(ProvinceFigure).where(
        ProvinceFigure.province_code.in_([city.province_code, "00"])).order_by(ProvinceFigure.year))
    result: dict[str, dict[str, float]] = {}
    for row in rows:
        key = "province" if row.province_code == city.province_code else "national"
        result.setdefault(row.indicator, {})[key] = row.value_pct
        result[row.indicator][f"{key}_year"] = row.year
    return result


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
        field, message = problems[0]
        raise ValidationError(f"{field} {message}", field=field,
                              errors=[{"field": f, "message": m} for f, m in problems])


def _diff(obj, data: dict, fields) -> dict:
    return {f: [getattr(obj, f), data[f]] for f in fields if f in data and getattr(obj, f) != data[f]}


def _ensure_unique(model, city: City, topic: str, title: str, current_id: int | None) -> None:
    clash = db.session.scalar(select(model.id).where(
        model.city_id == city.id, model.topic == topic, model.title == title))
    if clash is not None and clash != current_id:
        raise Conflict(_("%(city)s sudah punya entri '%(title)s' untuk topik ini.",
                         city=city.name, title=title), field="title")


def add_practice(actor: Actor | None, city: City, record: dict, now: datetime) -> Practice:
    ensure_can_edit_city(actor, city)
    data, problems = clean_practice(record)
    _raise_problems(problems)
    _ensure_unique(Practice, city, data["topic"], data["title"], None)
    practice = Practice(city=city, updated_at=now, **data)
    db.session.add(practice)
    db.session.flush()
    record_change(city, actor, now, "create", "practice", practice.id,
                  f"+ {practice.title}", {k: [None, v] for k, v in data.items()})
    return practice


def update_practice(actor: Actor | None, practice: Practice, record: dict, now: datetime) -> Practice:
    ensure_can_edit_city(actor, practice.city)
    data, problems = clean_practice(record)
    _raise_problems(problems)
    _ensure_unique(Practice, practice.city, data["topic"], data["title"], practice.id)
    changes = _diff(practice, data, PRACTICE_FIELDS)
    if changes:
        for key, (_old, new) in changes.items():
            setattr(practice, key, new)
        practice.updated_at = now
        record_change(practice.city, actor, now, "update", "practice", practice.id,
                      f"~ {practice.title}", changes)
    db.session.flush()
    return practice


def delete_practice(actor: Actor | None, practice: Practice, now: datetime) -> None:
    ensure_can_edit_city(actor, practice.city)
    record_change(practice.city, actor, now, "delete", "practice", practice.id,
                  f"- {practice.title}")
    db.session.delete(practice)
    db.session.flush()


def add_need(actor: Actor | None, city: City, record: dict, now: datetime) -> Need:
    ensure_can_edit_city(actor, city)
    data, problems = clean_need(record)
    _raise_problems(problems)
    _ensure_unique(Need, city, data["topic"], data["title"], None)
    need = Need(city=city, updated_at=now, **data)
    db.session.add(need)
    db.session.flush()
    record_change(city, actor, now, "create", "need", need.id, f"+ {need.title}",
                  {k: [None, v] for k, v in data.items()})
    return need


def update_need(actor: Actor | None, need: Need, record: dict, now: datetime) -> Need:
    ensure_can_edit_city(actor, need.city)
    data, problems = clean_need(record)
    _raise_problems(problems)
    _ensure_unique(Need, need.city, data["topic"], data["title"], need.id)
    changes = _diff(need, data, NEED_FIELDS)
    if changes:
        for key, (_old, new) in changes.items():
            setattr(need, key, new)
        need.updated_at = now
        record_change(need.city, actor, now, "update", "need", need.id, f"~ {need.title}", changes)
    db.session.flush()
    return need


def delete_need(actor: Actor | None, need: Need, now: datetime) -> None:
    ensure_can_edit_city(actor, need.city)
    record_change(need.city, actor, now, "delete", "need", need.id, f"- {need.title}")
    db.session.delete(need)
    db.session.flush()


def set_indicators(actor: Actor | None, city: City, record: dict, now: datetime) -> Indicator:
    """Create or update the city's indicators for one year."""
    ensure_can_edit_city(actor, city)
    data, problems = clean_indicators(record)
    _raise_problems(problems)
    indicator = db.session.scalar(select(Indicator).where(
        Indicator.city_id == city.id, Indicator.year == data["year"]))
    if indicator is None:
        indicator = Indicator(city=city, year=data["year"], updated_at=now)
        db.session.add(indicator)
        db.session.flush()
    changes = _diff(indicator, data, INDICATOR_FIELDS)
    if changes:
        for key, (_old, new) in changes.items():
            setattr(indicator, key, new)
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
    data = {"year": i.year}
    for key in INDICATOR_FIELDS:
        value = getattr(i, key)
        if value is not None:
            data[key] = value
    return data


def city_summary(c: City) -> dict:
    return {"code": c.code, "name": c.name, "kind": c.kind, "province": c.province_name,
            "province_code": c.province_code, "timezone": c.timezone}


def city_profile(c: City) -> dict:
    return {**city_summary(c), "latitude": c.latitude, "longitude": c.longitude,
            "area_km2": c.area_km2, "population": c.population,
            "indicators": [indicator_dict(i) for i in c.indicators],
            "practices": [practice_dict(p) for p in c.practices],
            "needs": [need_dict(n) for n in c.needs]}

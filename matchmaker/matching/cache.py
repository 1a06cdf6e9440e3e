"""The fitted MatchModel, built once per version of the data and shared by every request.

A cheap signature query (counts, newest ids and update times of cities, indicators,
practices, needs, profile changes, glossary groups added in the app) tells whether the data
moved since the model was built. Each process keeps its own model and checks the signature on
every use, so a change made by any process is seen by all; within a process a lock makes sure
one thread rebuilds while the others wait and then reuse its result.
"""

import logging
import threading
import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import func, select

from matchmaker.cities.models import City, Indicator, Need, Practice, ProfileChange
from matchmaker.extensions import db
from matchmaker.matching.engine import CityProfile, MatchModel, PracticeDoc
from matchmaker.matching.glossary_groups import current_glossary
from matchmaker.matching.models import GlossaryEntry

log = logging.getLogger(__name__)

EXTENSION_KEY = "matching_model_cache"


@dataclass(frozen=True)
class CityInfo:
    """What explanations need about a city, so a request does not reload it."""

    id: int
    code: str
    name: str
    name_short: str
    kind: str
    province_name: str
    timezone: str


@dataclass
class Snapshot:
    signature: tuple
    model: MatchModel
    profiles: dict[str, CityProfile]
    cities: dict[str, CityInfo]
    practices: dict[int, PracticeDoc]
    topic_cities: dict[str, set[str]]  # topic -> codes of cities with a practice on it
    build_seconds: float
    # Results derived from this version of the data (e.g. "cities this city could mentor"),
    # dropped with the snapshot when the data changes.
    memo: dict = field(default_factory=dict)


@dataclass
class ModelCache:
    lock: threading.Lock = field(default_factory=threading.Lock)
    snapshot: Snapshot | None = None
    builds: int = 0


def data_signature() -> tuple:
    """One round trip that changes whenever anything the model depends on changes."""
    columns = [select(func.count(City.id)).scalar_subquery(),
               select(func.max(City.id)).scalar_subquery(),
               select(func.max(ProfileChange.id)).scalar_subquery(),
               select(func.count(GlossaryEntry.id)).scalar_subquery(),
               select(func.max(GlossaryEntry.id)).scalar_subquery()]
    for model in (Indicator, Practice, Need):
        columns += [select(func.count(model.id)).scalar_subquery(),
                    select(func.max(model.id)).scalar_subquery(),
                    select(func.max(model.updated_at)).scalar_subquery()]
    return tuple(str(value) for value in db.session.execute(select(*columns)).one())


def _load(signature: tuple) -> Snapshot:
    started = time.perf_counter()
    latest: dict[int, tuple] = {}
    for row in db.session.execute(
            select(Indicator.city_id, Indicator.fiscal_capacity, Indicator.sanitation_access_pct,
                   Indicator.drinking_water_access_pct, Indicator.slum_area_ha)
            .order_by(Indicator.city_id, Indicator.year)):
        latest[row[0]] = tuple(row[1:])  # the newest year wins
    profiles, cities = {}, {}
    for c in db.session.execute(
            select(City.id, City.code, City.name, City.name_short, City.kind, City.province_code,
                   City.province_name, City.timezone, City.utc_offset, City.latitude,
                   City.longitude, City.population, City.area_km2).order_by(City.code)):
        fiscal, sanitation, water, slum = latest.get(c.id, (None, None, None, None))
        profiles[c.code] = CityProfile(
            code=c.code, name=c.name, kind=c.kind, province_code=c.province_code,
            utc_offset=c.utc_offset, latitude=c.latitude, longitude=c.longitude,
            population=c.population, area_km2=c.area_km2, fiscal_capacity=fiscal,
            sanitation_access_pct=sanitation, drinking_water_access_pct=water, slum_area_ha=slum)
        cities[c.code] = CityInfo(c.id, c.code, c.name, c.name_short, c.kind, c.province_name,
                                  c.timezone)
    practices = {}
    topic_cities: dict[str, set[str]] = {}
    for p in db.session.execute(
            select(Practice.id, City.code, Practice.topic, Practice.title, Practice.description,
                   Practice.maturity, Practice.started_year)
            .join(City, City.id == Practice.city_id).order_by(Practice.id)):
        practices[p.id] = PracticeDoc(id=p.id, city_code=p.code, topic=p.topic, title=p.title,
                                      description=p.description or "", maturity=p.maturity,
                                      started_year=p.started_year)
        topic_cities.setdefault(p.topic, set()).add(p.code)
    model = MatchModel.build(list(profiles.values()), list(practices.values()),
                             glossary=current_glossary())
    seconds = time.perf_counter() - started
    log.info("Built the matching model: %d cities, %d practices in %.3f s",
             len(profiles), len(practices), seconds)
    return Snapshot(signature, model, profiles, cities, practices, topic_cities, seconds)


def model_cache(app=None) -> ModelCache:
    app = app or current_app
    return app.extensions.setdefault(EXTENSION_KEY, ModelCache())


def current_snapshot() -> Snapshot:
    """Return the model for the data as it is now, building it only if the data changed."""
    cache = model_cache()
    # Read the signature before the data: if data changes in between, the stored
    # signature is the older one and the next call rebuilds again, never the reverse.
    signature = data_signature()
    snapshot = cache.snapshot
    if snapshot is not None and snapshot.signature == signature:
        return snapshot
    with cache.lock:
        snapshot = cache.snapshot
        if snapshot is None or snapshot.signature != signature:
            snapshot = _load(signature)
            cache.snapshot = snapshot
            cache.builds += 1
        return snapshot

"""City endpoints of the JSON API, and the JSON shapes of cities, indicators, practices and needs."""

from dataclasses import fields as dataclass_fields

from flask_login import current_user
from marshmallow import Schema, fields, post_dump

from matchmaker.api.base import IdSchema, bp, documented_errors
from matchmaker.cities import services as cities
from matchmaker.cities.access import get_city as load_city
from matchmaker.cities.figures import NUMERIC_INDICATORS, SORTABLE_INDICATORS, city_figure
from matchmaker.cities.schemas import CityQuery, IndicatorsRecord, NeedRecord, PracticeRecord
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow

_FILTER_NAMES = {f.name for f in dataclass_fields(cities.CityFilters)}


class CitySummary(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    province = fields.String(attribute="province_name")
    province_code = fields.String()
    timezone = fields.String()


class FigureOut(Schema):
    """One figure: its value (null: the source published none for that year), year and source."""

    value = fields.Raw(allow_none=True)
    year = fields.Integer()
    source = fields.String()


class CityListItem(CitySummary):
    figures = fields.Dict(keys=fields.String(), values=fields.Nested(FigureOut), metadata={
        "description": "the figure sorted or filtered by, per indicator key (that year's, or the "
                       "city's newest); a key is absent when the city has no figure"})


class CityList(Schema):
    count = fields.Integer()
    cities = fields.List(fields.Nested(CityListItem))


class IndicatorOut(Schema):
    """One year's figures; a figure nobody recorded is left out, not null."""

    year = fields.Integer()
    sanitation_access_pct = fields.Float()
    drinking_water_access_pct = fields.Float()
    slum_area_ha = fields.Float()
    fiscal_capacity = fields.String()
    poverty_pct = fields.Float()
    hdi = fields.Float()
    kotaku_scores = fields.Dict(keys=fields.String(), values=fields.Float())
    sources = fields.Dict(keys=fields.String(), values=fields.String())

    @post_dump
    def _drop_unrecorded(self, data: dict, **kwargs) -> dict:
        return {key: value for key, value in data.items() if value is not None}


class PracticeOut(Schema):
    id = fields.Integer()
    topic = fields.String()
    title = fields.String()
    description = fields.String()
    maturity = fields.String()
    started_year = fields.Integer(allow_none=True)
    outcomes = fields.String()


class NeedOut(Schema):
    id = fields.Integer()
    topic = fields.String()
    title = fields.String()
    description = fields.String()
    priority = fields.String()
    proposed_by_facilitator = fields.Function(
        lambda need: need.proposed_by_id is not None, metadata={
            "type": "boolean", "description": "recorded by a facilitator on the city's behalf"})


class CityProfile(CitySummary):
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    area_km2 = fields.Float(allow_none=True)
    population = fields.Integer(allow_none=True)
    indicators = fields.List(fields.Nested(IndicatorOut))
    practices = fields.List(fields.Nested(PracticeOut))
    needs = fields.List(fields.Nested(NeedOut))


@bp.route("/cities", tags=["cities"])
@bp.arguments(CityQuery, location="query")
@bp.response(200, CityList)
@documented_errors()
def list_cities(query: dict):
    """List or search the 514 kabupaten/kota; sort and filter by an indicator in a year."""
    ranges = {key: (query.get(f"{key}_min"), query.get(f"{key}_max")) for key in NUMERIC_INDICATORS
              if f"{key}_min" in query or f"{key}_max" in query}
    filters = cities.CityFilters(**{k: v for k, v in query.items() if k in _FILTER_NAMES},
                                 ranges=ranges)
    found = cities.search_cities(filters)
    keys = [key for key in SORTABLE_INDICATORS if key == filters.sort or key in ranges]
    return {"count": len(found), "cities": [_list_item(city, keys, filters.year) for city in found]}


def _list_item(city, keys: list[str], year: int | None) -> dict:
    figures = {key: city_figure(city, key, year) for key in keys}
    return {"code": city.code, "name": city.name, "kind": city.kind,
            "province_name": city.province_name, "province_code": city.province_code,
            "timezone": city.timezone,
            "figures": {key: f for key, f in figures.items() if f is not None}}


@bp.route("/cities/<code:code>", tags=["cities"])
@bp.response(200, CityProfile)
@documented_errors(404)
def get_city(code: str):
    """A city's profile: indicators per year, practices and needs."""
    return load_city(code)


@bp.route("/cities/<code:code>/practices", methods=["POST"], tags=["cities"])
@bp.arguments(PracticeRecord)
@bp.response(201, IdSchema)
@documented_errors(403, 404, 409)
def add_practice(record: dict, code: str):
    """Add a practice (facilitators, or the city's own Pokja)."""
    city = load_city(code)
    practice = cities.add_practice(current_user, city, record, utcnow())
    db.session.commit()
    return practice


@bp.route("/cities/<code:code>/needs", methods=["POST"], tags=["cities"])
@bp.arguments(NeedRecord)
@bp.response(201, IdSchema)
@documented_errors(403, 404, 409)
def add_need(record: dict, code: str):
    """Add a need (facilitators, or the city's own Pokja)."""
    city = load_city(code)
    need = cities.add_need(current_user, city, record, utcnow())
    db.session.commit()
    return need


@bp.route("/cities/<code:code>/indicators", methods=["PUT"], tags=["cities"])
@bp.arguments(IndicatorsRecord)
@bp.response(200, IndicatorOut)
@documented_errors(403, 404)
def set_indicators(record: dict, code: str):
    """Create or update one year's indicators (facilitators, or the city's own Pokja)."""
    city = load_city(code)
    indicator = cities.set_indicators(current_user, city, record, utcnow())
    db.session.commit()
    return indicator

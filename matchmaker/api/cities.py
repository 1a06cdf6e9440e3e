"""City endpoints of the JSON API."""

from flask import jsonify, request
from flask_login import current_user

from matchmaker.api.base import bp, json_body
from matchmaker.cities import services as cities
from matchmaker.cities.access import get_city as load_city
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow


@bp.get("/cities")
def list_cities():
    filters = cities.CityFilters(q=request.args.get("q", ""),
                                 province=request.args.get("province", ""),
                                 kind=request.args.get("kind", ""),
                                 practice_topic=request.args.get("practice_topic", ""),
                                 need_topic=request.args.get("need_topic", ""))
    if filters.kind and filters.kind not in ("kota", "kabupaten"):
        raise ValidationError("kind must be 'kota' or 'kabupaten'", field="kind")
    found = cities.search_cities(filters)
    return jsonify({"count": len(found), "cities": [cities.city_summary(c) for c in found]})


@bp.get("/cities/<code>")
def get_city(code: str):
    return jsonify(cities.city_profile(load_city(code)))


@bp.post("/cities/<code>/practices")
def add_practice(code: str):
    city = load_city(code)
    practice = cities.add_practice(current_user, city, json_body(), utcnow())
    db.session.commit()
    return jsonify({"id": practice.id}), 201


@bp.post("/cities/<code>/needs")
def add_need(code: str):
    city = load_city(code)
    need = cities.add_need(current_user, city, json_body(), utcnow())
    db.session.commit()
    return jsonify({"id": need.id}), 201


@bp.put("/cities/<code>/indicators")
def set_indicators(code: str):
    city = load_city(code)
    indicator = cities.set_indicators(current_user, city, json_body(), utcnow())
    db.session.commit()
    return jsonify(cities.indicator_dict(indicator))



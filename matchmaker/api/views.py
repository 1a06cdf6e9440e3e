"""JSON API under /api/v1: the same services as the pages, with JSON errors."""

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from matchmaker.cities import services as cities
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
@login_required
def require_login():
    """Every endpoint needs a user: bearer token or browser session."""


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationError("The body must be valid JSON with Content-Type: application/json")
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object")
    return data


def int_arg(name: str, default: int, low: int = 1, high: int = 1000) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a whole number", field=name) from None
    if not low <= value <= high:
        raise ValidationError(f"{name} must be between {low} and {high}", field=name)
    return value


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
    return jsonify(cities.city_profile(cities.get_city(code)))


@bp.post("/cities/<code>/practices")
def add_practice(code: str):
    city = cities.get_city(code)
    practice = cities.add_practice(current_user, city, json_body(), utcnow())
    db.session.commit()
    return jsonify({"id": practice.id}), 201


@bp.post("/cities/<code>/needs")
def add_need(code: str):
    city = cities.get_city(code)
    need = cities.add_need(current_user, city, json_body(), utcnow())
    db.session.commit()
    return jsonify({"id": need.id}), 201


@bp.put("/cities/<code>/indicators")
def set_indicators(code: str):
    city = cities.get_city(code)
    indicator = cities.set_indicators(current_user, city, json_body(), utcnow())
    db.session.commit()
    return jsonify(cities.indicator_dict(indicator))



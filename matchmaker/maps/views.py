"""The map page, its JSON layers, and the boundaries (gzip, ETag, Cache-Control)."""

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.cities.figures import NUMERIC_INDICATORS, indicator_years
from matchmaker.errors import ValidationError
from matchmaker.maps.boundaries import boundaries, city_feature
from matchmaker.maps.layers import (
    STATUS_CHOICES,
    MapQuery,
    map_query,
    practice_points,
    programme_lines,
    shading,
)
from matchmaker.programmes.models import STATUS_LABELS
from matchmaker.vocab import TOPICS

bp = Blueprint("maps", __name__)
GEOJSON = "application/geo+json"


def _status_labels() -> dict:
    return {"open": _("Program terbuka"), **{str(k): v for k, v in STATUS_LABELS.items()},
            "all": _("Semua status")}


@bp.route("/map")
@login_required
def map_page():
    try:
        query, error = map_query(request.args), None
    except ValidationError as problem:
        query, error = MapQuery(), problem
    layers_url = url_for("maps.layers", indicator=query.indicator, year=query.year,
                         topic=query.topic, status=query.status)
    return render_template(
        "maps/map.html", query=query, error=error, layers_url=layers_url,
        indicators=NUMERIC_INDICATORS, years=indicator_years(), topics=TOPICS,
        statuses={key: _status_labels()[str(key)] for key in STATUS_CHOICES},
        focus=request.args.get("city", "")), 400 if error else 200


@bp.route("/map/layers.json")
@login_required
def layers():
    query = map_query(request.args)
    return jsonify({
        "shading": shading(query),
        "practices": practice_points(query.topic),
        "programmes": programme_lines(current_user, query.topic, query.status),
        "labels": {"profile": _("Buka profil"), "no_figure": _("tidak ada angka"),
                   "mentor": _("mentor"), "mentee": _("mentee"),
                   "source": _("Sumber"), "bps": _("Sumber: BPS")},
    })


def _cached(body: bytes, etag: str, mimetype: str, gzipped: bool) -> Response:
    """A response the browser keeps and revalidates by ETag (304 when unchanged)."""
    response = Response(body, mimetype=mimetype)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["MAP_CACHE_SECONDS"]
    response.set_etag(f"{etag}-gz" if gzipped else etag)
    response.make_conditional(request)  # a 304 without body when the browser's copy is current
    return response


@bp.route("/map/<any(kabkota, provinces):layer>.geojson")
def boundary_layer(layer: str):
    """The boundaries are public reference data; they are sent as stored, gzip-compressed."""
    found = boundaries(layer)
    if request.accept_encodings["gzip"]:
        return _cached(found.gzipped, found.etag, GEOJSON, gzipped=True)
    return _cached(found.plain, found.etag, GEOJSON, gzipped=False)


@bp.route("/map/cities/<code>.geojson")
def city_boundary(code: str):
    feature = city_feature(code)
    if feature is None:
        abort(404)
    return _cached(feature.encode("utf-8"), f"{boundaries('kabkota').etag}-{code}", GEOJSON,
                   gzipped=False)


"""The map page, its layers as JSON, and the boundaries served compressed and cached."""

import gzip
import json

import pytest

from matchmaker.cities.importer import load_city_figures
from matchmaker.extensions import db

L2T2 = {"topic": "wastewater", "title": "L2T2 bagi ASN", "maturity": "institutionalised"}


@pytest.fixture
def figures_loaded(app, now):
    load_city_figures(now)
    db.session.commit()


def test_map_page_loads_its_script_from_the_app_and_no_inline_script(client, make_user, login):
    login(make_user("viewer"))
    response = client.get("/map")
    assert response.status_code == 200
    page = response.text
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/js/map.js" in page
    assert 'data-layers-url="/map/layers.json?' in page
    assert "<script>" not in page and 'src="http' not in page and 'href="http' not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_map_needs_a_signed_in_user(client):
    assert client.get("/map").status_code == 302
    assert client.get("/map/layers.json").status_code == 302


def test_an_unknown_indicator_is_a_400_naming_it(client, make_user, login):
    login(make_user("viewer"))
    response = client.get("/map?indicator=nope")
    assert response.status_code == 400 and 'id="map-error"' in response.text
    assert client.get("/map/layers.json?topic=nope").status_code == 400


def test_boundaries_are_sent_gzipped_with_etag_and_cache_headers(client):
    response = client.get("/map/kabkota.geojson", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Content-Type"].startswith("application/geo+json")
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert "public" in response.headers["Cache-Control"]
    etag = response.headers["ETag"]
    collection = json.loads(gzip.decompress(response.data))
    assert len(collection["features"]) == 514
    assert len(response.data) < 500_000  # 1.7 MB as plain JSON
    again = client.get("/map/kabkota.geojson", headers={"Accept-Encoding": "gzip",
                                                        "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""


def test_a_client_without_gzip_gets_plain_geojson(client):
    response = client.get("/map/provinces.geojson", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in response.headers
    assert len(json.loads(response.data)["features"]) == 38


def test_one_city_boundary_for_the_profile_locator(client):
    response = client.get("/map/cities/74.71.geojson")
    feature = json.loads(response.data)
    assert feature["properties"] == {"code": "74.71", "name": "Kota Kendari"}
    assert response.headers["ETag"]
    assert client.get("/map/cities/99.99.geojson").status_code == 404


def test_layers_shade_by_indicator_and_year_and_cite_bps(client, make_user, login, figures_loaded):
    login(make_user("viewer"))
    data = client.get("/map/layers.json?indicator=sanitation_access_pct&year=2024").json
    shading = data["shading"]
    assert shading["year"] == 2024 and shading["bps"] is True
    assert shading["figures"]["74.71"]["text"] == "98,32 %"
    assert shading["figures"]["74.71"]["source"] == "BPS, Susenas 2024"
    assert shading["figures"]["94.05"]["text"] == "tidak tersedia"  # not published, not 0
    assert shading["figures"]["94.05"]["colour"] == shading["missing"]["colour"]
    assert len(shading["legend"]) == 5
    assert data["labels"]["bps"] == "Sumber: BPS"


def test_worst_class_is_red_whichever_way_the_indicator_runs(client, make_user, login,
                                                            figures_loaded):
    login(make_user("viewer"))
    sanitation = client.get("/map/layers.json?indicator=sanitation_access_pct&year=2024").json
    poverty = client.get("/map/layers.json?indicator=poverty_pct&year=2024").json
    red = "#b2182b"
    assert sanitation["shading"]["legend"][0]["colour"] == red  # lowest access
    assert poverty["shading"]["legend"][-1]["colour"] == red  # highest poverty
    assert poverty["shading"]["figures"]["74.71"]["colour"] != red  # Kendari: 4.23 %


def test_practices_are_points_coloured_by_their_best_maturity(client, make_user, login, make_city):
    make_city("74.71", practices=[L2T2, {**L2T2, "title": "Rencana IPLT", "maturity": "idea"}])
    make_city("35.72", practices=[{**L2T2, "title": "Uji coba", "maturity": "pilot"}])
    login(make_user("viewer"))
    points = {p["code"]: p for p in client.get("/map/layers.json?topic=wastewater").json[
        "practices"]["points"]}
    assert set(points) == {"74.71", "35.72"}
    assert points["74.71"]["maturity"] == "institutionalised"
    assert len(points["74.71"]["practices"]) == 2
    assert points["74.71"]["lat"] == pytest.approx(-3.998, abs=0.01)
    assert client.get("/map/layers.json?topic=road").json["practices"]["points"] == []


def test_programme_lines_respect_who_may_see_the_programme(client, make_user, login, make_programme,
                                                           pokja_blitar, pokja_jayapura):
    make_programme()  # Kendari → Blitar, proposed
    make_programme(mentor="74.71", mentee="91.71", topic="wastewater", status="cancelled")
    login(pokja_blitar)
    lines = client.get("/map/layers.json?topic=wastewater").json["programmes"]["lines"]
    assert [(line["mentor"]["code"], line["mentee"]["code"], line["status"]) for line in lines] == [
        ("74.71", "35.72", "proposed")]
    every = client.get("/map/layers.json?topic=wastewater&status=all").json["programmes"]["lines"]
    assert len(every) == 1  # the cancelled one is Jayapura's, not Blitar's
    client.post("/logout")
    login(pokja_jayapura)
    lines = client.get("/map/layers.json?topic=wastewater&status=cancelled").json["programmes"]
    assert [line["mentee"]["code"] for line in lines["lines"]] == ["91.71"]
    client.post("/logout")
    login(make_user("viewer"))
    assert client.get("/map/layers.json?status=all").json["programmes"]["lines"] == []


def test_profile_has_a_locator_map_and_a_link_to_the_map(client, make_user, login):
    login(make_user("viewer"))
    page = client.get("/cities/74.71").text
    assert 'data-city-url="/map/cities/74.71.geojson"' in page
    assert 'href="/map?city=74.71"' in page


def test_without_a_year_the_map_shows_the_newest_year_with_figures(client, make_user, login,
                                                                  figures_loaded):
    login(make_user("viewer"))
    assert client.get("/map/layers.json?indicator=hdi").json["shading"]["year"] == 2024
    page = client.get("/map?indicator=hdi").text
    assert '<option value="2024" selected>' in page and "year=2024" in page
    assert client.get("/map/layers.json?year=20x4").status_code == 400

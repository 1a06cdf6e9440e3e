"""Static files at fingerprinted addresses with long cache lifetimes; large responses compressed."""

import gzip
import re

from matchmaker import assets


def test_static_urls_carry_the_files_hash_and_are_cached_for_a_year(client, make_user, login, app):
    login(make_user("viewer"))
    page = client.get("/cities").text
    css = re.search(r'href="(/static/app\.css\?v=([0-9a-f]{12}))"', page)
    assert css and '/bootstrap/static/css/bootstrap.min.css?v=' in page
    response = client.get(css.group(1))
    assert response.status_code == 200
    assert response.cache_control.max_age == app.config["STATIC_MAX_AGE"] == 365 * 24 * 3600
    assert response.cache_control.public and response.cache_control.immutable
    assert css.group(2) == assets._digest(app.static_folder + "/app.css", 0)[:12]
    response.close()
    plain = client.get("/static/app.css")
    assert plain.cache_control.max_age is None  # without the fingerprint: revalidated as before
    plain.close()


def test_a_changed_file_gets_a_new_address(app, tmp_path):
    app.static_folder = str(tmp_path)
    (tmp_path / "x.css").write_text("a {}")
    with app.test_request_context():
        first = app.url_for("static", filename="x.css")
        (tmp_path / "x.css").write_text("a { color: red }")
        assert app.url_for("static", filename="x.css") != first
        assert app.url_for("static", filename="missing.css") == "/static/missing.css"


def test_large_pages_and_api_lists_are_gzipped_small_ones_not(client, make_user, login):
    login(make_user("facilitator"))
    page = client.get("/cities", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(page.data)
    listing = client.get("/api/v1/cities", headers={"Accept-Encoding": "gzip"})
    assert listing.headers["Content-Encoding"] == "gzip" and b"74.71" in gzip.decompress(listing.data)
    small = client.get("/api/v1/no-such", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers
    assert "Content-Encoding" not in client.get("/cities").headers  # not asked for

import re

import pytest

from config import ProductionConfig, TestingConfig
from matchmaker import create_app


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "dev-only-not-secret")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


def test_production_cookies_are_secure_httponly_and_lax():
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.SESSION_COOKIE_HTTPONLY is True
    assert ProductionConfig.SESSION_COOKIE_SAMESITE == "Lax"


def test_state_changing_forms_need_a_csrf_token(app_config, _schema):
    class WithCsrf(app_config):
        WTF_CSRF_ENABLED = True

    app = create_app(WithCsrf)
    client = app.test_client()
    response = client.post("/login", data={"email": "a@b.id", "password": "x"})
    assert response.status_code == 400
    assert "Formulir ini sudah kedaluwarsa" in response.text and "CSRF" not in response.text
    page = client.get("/login").text
    assert 'name="csrf_token"' in page


def test_html_errors_are_pages_and_api_errors_are_json(client):
    assert "<html" in client.get("/no-such-page").text
    assert client.get("/api/v1/no-such").json["error"]


def test_error_pages_speak_the_interface_language(client, login, make_user):
    page = client.get("/no-such-page").text
    assert "404 · Tidak ditemukan" in page and "Halaman ini tidak ada" in page
    assert "Not Found" not in page and "requested URL" not in page
    login(make_user("viewer"))
    page = client.post("/actions/1/status").text  # no such action: a 404 in the domain's words
    assert "Tindak lanjut tidak ditemukan." in page
    page = client.get("/dashboard").text
    assert "403 · Tidak diizinkan" in page and "Forbidden" not in page


def test_static_assets_are_served_locally(client):
    page = client.get("/login").text
    assert "cdn." not in page and "https://" not in page
    css = client.get("/bootstrap/static/css/bootstrap.min.css")
    assert css.status_code == 200
    css.close()


def test_the_favicon_is_a_local_file_every_page_links(client):
    assert re.search(r"<link rel=\"icon\" href=\"/static/favicon.svg(\?v=\w+)?\"", client.get("/login").text)
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    icon.close()


def test_testing_config_never_starts_the_scheduler():
    assert TestingConfig.SCHEDULER_ENABLED is False


@pytest.mark.parametrize("name, value", [("OFFICE_HOURS", "weekdays 8-4"),
                                         ("FRIDAY_PRAYER_WINDOW", "13:00-11:30"),
                                         ("REMINDER_OFFSETS", "soon")])
def test_an_unreadable_setting_stops_the_start_naming_it(app_config, name, value):
    class Broken(app_config):
        pass

    setattr(Broken, name, value)
    with pytest.raises(RuntimeError, match=name):
        create_app(Broken)

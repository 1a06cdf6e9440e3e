"""Edges of every request: secret key, proxies, body size, API write rules, security headers."""

import io
import logging
import os
import re
import stat
from pathlib import Path

import pytest

from config import TEMPLATES_DIR, ProductionConfig, secret_key_problem
from matchmaker import create_app
from matchmaker.auth.models import UserSession
from matchmaker.extensions import db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def other_app():
    """Build an app with another config; its connections are closed after the test."""
    apps = []

    def build(config):
        apps.append(create_app(config))
        return apps[-1]

    yield build
    for app in apps:
        with app.app_context():
            db.engine.dispose()


# ---------------------------------------------------------------- the secret key

def test_without_a_secret_key_one_is_generated_once_kept_private_and_logged(app_config, tmp_path, caplog,
                                                                          other_app):
    class NoKey(app_config):
        SECRET_KEY = None
        INSTANCE_DIR = tmp_path

    with caplog.at_level(logging.WARNING):
        first = other_app(NoKey)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    assert secret_key_problem(first.config["SECRET_KEY"]) is None
    assert "generated a random one" in caplog.text
    caplog.clear()
    assert other_app(NoKey).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert "generated" not in caplog.text


def test_the_published_key_is_gone_from_the_defaults():
    from config import Config

    assert Config.SECRET_KEY in (None, os.environ.get("SECRET_KEY"))
    assert secret_key_problem("dev-only-not-secret") is not None


@pytest.mark.parametrize("key", [
    "dev-only-not-secret",
    "0123456789abcdef0123456789abcdef",  # 16 bytes of hex
    "x" * 64,
    "correct horse battery staple " * 3,
    "a-secret-key-that-is-not-long",
])
def test_production_refuses_weak_keys(monkeypatch, key):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig.validate()


def test_production_accepts_a_32_byte_random_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "9f" * 2 + os.urandom(30).hex())
    ProductionConfig.validate()


# ---------------------------------------------------------------- headers

def _assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in csp
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_kind_of_response_carries_the_security_headers(client, make_user, login, api):
    responses = [client.get("/login"), client.get("/static/js/app.js"), client.get("/no-such-page"),
                 client.get("/api/v1/cities"), client.post("/login", data={"email": "x"})]
    login(make_user("viewer"))
    responses += [client.get("/cities"), client.get("/account"), client.get("/api/v1/cities/74.71"),
                  client.get("/api/v1/no-such")]
    for response in responses:
        _assert_security_headers(response)
        response.close()
    assert "Strict-Transport-Security" not in responses[0].headers


def test_production_sends_hsts(app):
    app.config["HSTS_SECONDS"] = ProductionConfig.HSTS_SECONDS
    response = app.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_template_has_inline_script_or_event_handlers():
    """The CSP allows scripts from files only, so inline code would silently stop working."""
    offenders = []
    for path in Path(TEMPLATES_DIR).rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            if "src=" not in tag:
                offenders.append(f"{path}: {tag}")
        offenders += [f"{path}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text, flags=re.I)]
        offenders += [f"{path}: javascript: URL" for _ in re.findall(r"javascript:", text, flags=re.I)]
    assert offenders == []


def test_pages_load_their_script_from_a_file(client, make_user, login):
    login(make_user("viewer"))
    page = client.get("/cities").text
    assert re.search(r'<script src="/static/js/app\.js\?v=[0-9a-f]{12}" defer></script>', page)


# ---------------------------------------------------------------- body size

def test_a_body_over_the_limit_gets_413_as_json_under_the_api(client, make_user, login, app):
    login(make_user("facilitator"))
    big = b"{" + b" " * (app.config["MAX_CONTENT_LENGTH"] + 1) + b"}"
    response = client.post("/api/v1/programmes", data=big, content_type="application/json")
    assert response.status_code == 413
    assert response.json["error"] == "too_large" and response.json["limit"] == 2 * 1024 * 1024


def test_a_form_over_the_limit_gets_413_as_a_page(client, app):
    response = client.post("/login", data={"email": "a@b.id", "password": "x" * 3_000_000})
    assert response.status_code == 413 and "<html" in response.text and "2 MB" in response.text


def test_the_limit_is_configurable(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    assert client.post("/login", data={"email": "a@b.id", "password": "x" * 2000}).status_code == 413


# ---------------------------------------------------------------- API calls from a browser session

def test_anonymous_callers_get_401_on_every_api_path(client):
    for path in ("/api/v1/cities", "/api/v1/no-such-thing", "/api/v1/programmes/1", "/api/v1"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.post("/api/v1/programmes", data={"a": "1"}).status_code == 401


def test_session_writes_must_be_json(client, make_user, login):
    login(make_user("facilitator"))
    for body in ({"data": {}}, {"data": {"mentor": "74.71"}}, {"data": "", "content_type": "text/plain"}):
        response = client.post("/api/v1/programmes", **body)
        assert response.status_code == 415, body
        assert response.json["error"] == "unsupported_media_type"
    response = client.post("/api/v1/programmes", json={"mentor": "74.71", "mentee": "35.72",
                                                        "topic": "wastewater"})
    assert response.status_code == 201


def test_session_writes_from_another_origin_are_refused(client, make_user, login):
    login(make_user("facilitator"))
    body = {"mentor": "74.71", "mentee": "35.72", "topic": "wastewater"}
    for origin in ("https://evil.example", "null", "http://localhost:8080"):
        response = client.post("/api/v1/programmes", json=body, headers={"Origin": origin})
        assert response.status_code == 403, origin
    assert client.post("/api/v1/programmes", json=body, headers={"Origin": "http://localhost"}
                       ).status_code == 201


def test_bearer_calls_are_not_held_to_the_browser_rules(client, make_user, api):
    headers = api(make_user("facilitator")).headers
    response = client.post("/api/v1/programmes", data="mentor=74.71", headers=headers,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400  # the API's own answer to a non-JSON body, not 415
    assert client.post("/api/v1/programmes", json={"mentor": "74.71", "mentee": "35.72",
                                                   "topic": "wastewater"},
                       headers={**headers, "Origin": "https://elsewhere.example"}).status_code == 201


def test_a_bearer_header_takes_precedence_over_the_session_cookie(client, make_user, login):
    login(make_user("facilitator"))
    response = client.get("/api/v1/cities", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


# ---------------------------------------------------------------- proxies

def _sign_in_address(client, user, **headers) -> str:
    client.post("/login", data={"email": user.email, "password": PASSWORD}, headers=headers,
                environ_base={"REMOTE_ADDR": "127.0.0.1"})
    return db.session.scalars(db.select(UserSession.address).order_by(UserSession.id.desc())).first()


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(app, make_user):
    user = make_user("viewer")
    assert app.config["TRUSTED_PROXIES"] == 0
    assert _sign_in_address(app.test_client(), user, **{"X-Forwarded-For": "203.0.113.9"}) == "127.0.0.1"


def test_one_trusted_proxy_gives_its_last_forwarded_address(app_config, make_user, other_app):
    class BehindProxy(app_config):
        TRUSTED_PROXIES = 1

    proxied = other_app(BehindProxy)
    user = make_user("viewer")
    client = proxied.test_client()
    assert _sign_in_address(client, user, **{"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}) == "203.0.113.9"


# ---------------------------------------------------------------- CSRF on logout

def test_logout_needs_the_csrf_token(app_config, make_user, other_app):
    class WithCsrf(app_config):
        WTF_CSRF_ENABLED = True

    app = other_app(WithCsrf)
    user = make_user("viewer")
    client = app.test_client()
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
    page = client.get("/logout").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302


def test_an_upload_endpoint_takes_bodies_up_to_its_own_limit(client, make_user, login, app):
    login(make_user("facilitator"))
    app.config.update(MAX_CONTENT_LENGTH=1000, IMPORT_MAX_BYTES=10_000)
    body = {"files": (io.BytesIO(b'{"practices": []}' + b" " * 5000), "p.json")}
    assert client.post("/cities/import", data=body, content_type="multipart/form-data").status_code != 413
    body = {"files": (io.BytesIO(b" " * 20_000), "p.json")}
    assert client.post("/cities/import", data=body, content_type="multipart/form-data").status_code == 413
    assert client.post("/login", data={"email": "a@b.id", "password": "x" * 2000}).status_code == 413

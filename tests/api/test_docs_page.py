"""The browsable API page: Swagger UI from local files, working under a CSP without inline script."""

import pytest

from tests.browser.conftest import live_server, page  # noqa: F401  (fixtures)

STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; frame-ancestors 'none'")


def test_the_document_and_the_page_are_public_and_local(client):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200 and document.json["info"]["title"] == "Matchmaker API"
    html = client.get("/api/v1/docs")
    assert html.status_code == 200
    assert "<script>" not in html.text and "http://" not in html.text and "https://" not in html.text
    for asset in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/swagger-ui/swagger-ui.css",
                  "api/docs.js"):
        assert f"/static/{asset}" in html.text
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200
        response.close()


@pytest.fixture
def strict_csp(app):
    @app.after_request
    def add_csp(response):
        response.headers["Content-Security-Policy"] = STRICT_CSP
        return response


@pytest.mark.browser
def test_the_page_renders_every_operation_under_a_strict_csp_at_phone_width(app, strict_csp, page):  # noqa: F811
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/api/v1/docs")
    page.wait_for_selector(".opblock", state="attached")
    paths = app.extensions["openapi_spec"].to_dict()["paths"]
    operations = sum(1 for item in paths.values() for method in item if method != "parameters")
    assert operations == 37 and page.locator(".opblock").count() == operations  # main 36 + GET /notes/ID
    assert page.locator("button.authorize").count() == 1
    assert violations == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

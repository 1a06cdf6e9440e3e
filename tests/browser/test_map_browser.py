import time
from urllib.parse import urlsplit

import pytest

from matchmaker.demo import load_demo
from matchmaker.extensions import db
from tests.browser.test_profiles_browser import sign_in

pytestmark = pytest.mark.browser


def watch_requests(page, live_server) -> list[str]:
    """Let only requests to the app through; return the list of any others (aborted)."""
    host = urlsplit(live_server).netloc
    foreign = []

    def handle(route):
        if urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    page.context.route("**/*", handle)
    return foreign


def test_map_draws_514_cities_offline_and_a_click_opens_the_city_profile(app, page, live_server):
    load_demo()
    db.session.commit()
    foreign = watch_requests(page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "fasilitator@demo.id")
    started = time.perf_counter()
    page.goto("/map?indicator=sanitation_access_pct&topic=wastewater")
    page.wait_for_selector("#map[data-ready='1']")
    drawn = time.perf_counter() - started
    assert drawn < 2.0, f"map drawn in {drawn:.2f} s"
    assert "Sumber: BPS" in page.inner_text("#map-legend")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto("/map?city=35.72")  # centred on Kota Blitar
    page.wait_for_selector("#map[data-ready='1']")
    page.click("#map")
    card = page.locator(".map-card")
    assert card.inner_text().startswith("Kota Blitar")
    card.locator(".map-card-profile").click()
    page.wait_for_url("**/cities/35.72")
    page.wait_for_selector("[data-locator][data-ready='1']")
    assert foreign == []

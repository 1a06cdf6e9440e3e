import pytest

from matchmaker.demo import DEMO_PASSWORD, load_demo
from matchmaker.extensions import db

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url("**/cities**")


def test_sign_in_search_kendari_and_see_its_l2t2_practice(app, page):
    load_demo()
    db.session.commit()
    sign_in(page, "pokja.blitar@demo.id")
    page.fill("input[name=q]", "Kendari")
    page.click("#city-filters button[type=submit]")
    page.click("text=Kota Kendari")
    page.wait_for_url("**/cities/74.71")
    assert page.inner_text("#city-name").startswith("Kota Kendari")
    titles = page.locator(".practice-title").all_inner_texts()
    assert "Layanan Lumpur Tinja Terjadwal (L2T2) bagi ASN" in titles

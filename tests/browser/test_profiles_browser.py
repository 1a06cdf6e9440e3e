import pytest

from matchmaker.demo import DEMO_PASSWORD, load_demo
from matchmaker.extensions import db

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_sign_in_search_kendari_and_see_its_l2t2_practice(app, page):
    load_demo()
    db.session.commit()
    sign_in(page, "pokja.blitar@demo.id")
    page.goto("/cities")
    page.fill("input[name=q]", "Kendari")
    page.click("#city-filters button[type=submit]")
    page.click("text=Kota Kendari")
    page.wait_for_url("**/cities/74.71")
    assert page.inner_text("#city-name").startswith("Kota Kendari")
    titles = page.locator(".practice-title").all_inner_texts()
    assert "Layanan Lumpur Tinja Terjadwal (L2T2) bagi ASN" in titles


def test_on_a_phone_the_list_by_the_numbers_fits_and_the_profile_cites_bps(app, page):
    load_demo()
    db.session.commit()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "fasilitator@demo.id")
    page.goto("/cities")
    page.click("#by-numbers summary")
    page.select_option("select[name=province]", "53")
    page.select_option("select[name=kind]", "kabupaten")
    page.select_option("#sort", "sanitation_access_pct")
    page.select_option("#no_programme_topic", "wastewater")
    page.click("#by-numbers button[type=submit]")
    page.wait_for_url("**sort=sanitation_access_pct**")
    first = page.locator("#city-list tbody tr").first
    assert "Kabupaten Sumba Tengah" in first.inner_text()
    assert "52,51 %" in first.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto("/cities/74.71")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    sanitation = page.inner_text("#figure-sanitation_access_pct")
    assert "98,32 %" in sanitation and "BPS, Susenas 2024" in sanitation


def test_import_page_names_the_bad_cell_of_an_uploaded_workbook(app, page, tmp_path):
    from matchmaker.cities import tabular
    from matchmaker.cities.importer import region_codes

    load_demo()
    db.session.commit()
    records = [{"city": "35.72", "topic": "wastewater", "title": f"Uji {i}", "maturity": "pilot"}
               for i in range(50)]
    records[20]["city"] = "99.99"
    path = tmp_path / "profil.xlsx"
    path.write_bytes(tabular.write_xlsx({"practices": records}, region_codes()))
    sign_in(page, "fasilitator@demo.id")
    page.goto("/cities/import")
    page.set_input_files("input[name=files]", str(path))
    page.click("#import-form [type=submit]")
    problems = page.inner_text("#import-problems")
    assert "practices" in problems and "22" in problems and "(A22)" in problems and "99.99" in problems

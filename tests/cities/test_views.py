"""The city list by the numbers, figures with their sources, and spreadsheets both ways."""

import io
import json

import pytest
from flask_babel import refresh
from openpyxl import load_workbook
from sqlalchemy import func, select

from matchmaker.cities import services, tabular
from matchmaker.cities.access import get_city
from matchmaker.cities.importer import load_city_figures, region_codes
from matchmaker.cities.models import Practice
from matchmaker.extensions import db


@pytest.fixture
def figures_loaded(app, now):
    load_city_figures(now)
    db.session.commit()


def test_profile_shows_each_figure_with_its_year_and_source(client, make_user, login, figures_loaded):
    login(make_user("viewer"))
    page = client.get("/cities/74.71").text
    for value in ("98,32 %", "99,70 %", "4,23 %", "85,97"):
        assert value in page
    assert page.count("BPS, Susenas 2024") >= 3 and "BPS, IPM 2024" in page
    assert 'id="bps-attribution"' in page and "Sumber: BPS" in page
    assert '<th class="text-end">2021</th><th class="text-end">2024</th>' in page
    client.post("/lang/en", data={"next": "/cities/74.71"})
    refresh()  # the test keeps one app context, where Flask-Babel caches the locale
    english = client.get("/cities/74.71").text
    assert "98.32 %" in english and "Source: BPS" in english


def test_a_city_without_a_published_figure_says_so_instead_of_zero(client, make_user, login,
                                                                   figures_loaded):
    login(make_user("viewer"))
    page = client.get("/cities/94.05").text  # Puncak: BPS shows '-' for 2024 sanitation
    row = page[page.index('id="figure-sanitation_access_pct"'):]
    row = row[:row.index("</tr>")]
    assert "tidak tersedia" in row and "0,00" not in row and "BPS, Susenas 2024" in row


def test_access_comparisons_use_the_same_year_as_the_city(client, make_user, login, figures_loaded):
    login(make_user("viewer"))
    page = client.get("/cities/72.71").text  # Palu: no 2024 sanitation figure for its province
    chart = page[page.index('id="access-chart"'):]
    assert "Sulawesi Tengah 2024: angka provinsi tidak tersedia" in chart
    assert "Sulawesi Tengah 2021" not in chart and "Sulawesi Tengah 2022" not in chart
    assert "Indonesia 2024" in chart


def test_a_figure_entered_by_a_user_says_so_on_the_profile(client, make_user, login, figures_loaded):
    facilitator = make_user("facilitator")
    login(facilitator)
    response = client.post("/cities/35.72/indicators", data={
        "year": "2024", "sanitation_access_pct": "90.5", "drinking_water_access_pct": "99.60",
        "poverty_pct": "6.75", "hdi": "81.44", "fiscal_capacity": "", "source": "Dinas PUPR Kota Blitar"})
    assert response.status_code == 302, response.text
    page = client.get("/cities/35.72").text
    row = page[page.index('id="figure-sanitation_access_pct"'):]
    row = row[:row.index("</tr>")]
    assert "90,50 %" in row and "Dinas PUPR Kota Blitar · diisi pengguna" in row
    water = page[page.index('id="figure-drinking_water_access_pct"'):]
    assert "BPS, Susenas 2024" in water[:water.index("</tr>")]  # unchanged, still BPS's


def test_city_list_sorts_filters_and_shows_the_chosen_columns(client, make_user, login, figures_loaded):
    login(make_user("viewer"))
    page = client.get("/cities?province=53&kind=kabupaten&sort=sanitation_access_pct&order=asc"
                      "&no_programme_topic=wastewater&cols=code&cols=hdi").text
    assert page.index("Kabupaten Sumba Tengah") < page.index("Kabupaten Flores Timur")
    headers = page[page.index("<thead>"):page.index("</thead>")]
    assert 'data-column="hdi"' in headers and 'data-column="sanitation_access_pct"' in headers
    assert 'data-column="population"' not in headers
    assert 'id="list-source"' in page


def test_city_list_refuses_a_bad_filter_with_a_message(client, make_user, login):
    login(make_user("viewer"))
    response = client.get("/cities?sort=colour")
    assert response.status_code == 400
    assert 'id="list-error"' in response.text and 'name="q"' in response.text
    assert client.get("/cities?hdi_min=tinggi").status_code == 400


def test_city_list_exports_csv_and_xlsx_with_year_and_source(client, make_user, login, figures_loaded):
    login(make_user("viewer"))
    query = "province=74&sort=hdi&order=desc&year=2024&cols=hdi&cols=practices"
    text = client.get(f"/cities/list.csv?{query}").data.decode("utf-8-sig").splitlines()
    assert text[0] == "code,name,hdi,hdi_year,hdi_source,practices"
    assert text[1] == "74.71,Kota Kendari,85.97,2024,\"BPS, IPM 2024\","
    assert len(text) == 18  # header and the 17 kab/kota of Sulawesi Tenggara, not just a page
    workbook = load_workbook(io.BytesIO(client.get(f"/cities/list.xlsx?{query}").data))
    rows = list(workbook["cities"].iter_rows(values_only=True))
    assert rows[1][:5] == ("74.71", "Kota Kendari", 85.97, 2024, "BPS, IPM 2024")
    assert "BPS" in workbook["sources"]["A1"].value


def test_city_list_csv_neutralises_formulas(client, make_user, login, now):
    facilitator = make_user("facilitator")
    services.set_indicators(facilitator, get_city("74.71"),
                            {"year": 2024, "hdi": 80.0}, now, change_source="=cmd|' /C calc'!A0")
    db.session.commit()
    login(facilitator)
    text = client.get("/cities/list.csv?q=kendari&cols=hdi").data.decode("utf-8-sig")
    assert "'=cmd" in text and ",=cmd" not in text


def bad_workbook(bad: bool) -> bytes:
    records = [{"city": ["74.71", "35.72", "33.72", "73.71"][i % 4], "topic": "wastewater",
                "title": f"Praktik {i}", "maturity": "pilot"} for i in range(2000)]
    if bad:
        records[1500]["topic"] = "space_travel"
    return tabular.write_xlsx({"practices": records}, region_codes())


def upload(client, *files):
    return client.post("/cities/import", data={"files": [(io.BytesIO(data), name) for name, data in files]},
                       content_type="multipart/form-data")


def test_import_page_refuses_a_workbook_with_one_bad_cell_and_names_it(client, make_user, login):
    login(make_user("facilitator"))
    refused = upload(client, ("profil.xlsx", bad_workbook(True)))
    assert refused.status_code == 400
    problems = refused.text[refused.text.index('id="import-problems"'):]
    assert "<td>practices</td>" in problems and "<td>1502</td>" in problems and "(B1502)" in problems
    assert "space_travel" in problems
    assert db.session.scalar(select(func.count(Practice.id))) == 0
    accepted = upload(client, ("profil.xlsx", bad_workbook(False)))
    assert accepted.status_code == 302
    assert db.session.scalar(select(func.count(Practice.id))) == 2000
    assert "2000 baru" in client.get(accepted.headers["Location"]).text


def test_export_downloads_import_back_without_change(client, make_user, login, now):
    login(make_user("admin"))
    payload = {"practices": [{"city": "74.71", "topic": "wastewater", "title": "L2T2",
                              "maturity": "institutionalised", "description": "=1+1"}],
               "needs": [{"city": "35.72", "topic": "wastewater", "title": "Memulai L2T2"}]}
    assert upload(client, ("p.json", json.dumps(payload).encode())).status_code == 302
    for ext in ("xlsx", "zip", "json"):
        download = client.get(f"/cities/profiles.{ext}")
        assert download.status_code == 200
        again = upload(client, (f"profiles.{ext}", download.data))
        assert again.status_code == 302
        assert "0 baru, 0 diperbarui, 2 tetap" in client.get("/cities/import").text


def test_import_page_takes_a_csv_set_as_several_files(client, make_user, login):
    login(make_user("facilitator"))
    rows = tabular.payload_rows({"needs": [{"city": "35.72", "topic": "wastewater", "title": "X"}],
                                 "practices": [{"city": "74.71", "topic": "road", "title": "Y",
                                                "maturity": "pilot"}]})
    files = [(f"{sheet}.csv", tabular.write_csv(tabular.SHEETS[sheet], rows[sheet]))
             for sheet in ("practices", "needs")]
    assert upload(client, *files).status_code == 302
    assert [p.title for p in get_city("74.71").practices] == ["Y"]


def test_import_page_bounds_the_upload_size(app, client, make_user, login):
    login(make_user("facilitator"))
    app.config["IMPORT_MAX_BYTES"] = 10_000
    response = upload(client, ("big.json", b" " * 20_000 + b"{}"))
    assert response.status_code == 413
    assert "terlalu besar" in response.text


@pytest.mark.parametrize("role, city", [("pokja", "35.72"), ("viewer", None)])
def test_only_facilitators_and_admins_import(client, make_user, login, role, city):
    login(make_user(role, city))
    assert client.get("/cities/import").status_code == 403
    refused = upload(client, ("p.json", b'{"practices": []}'))
    assert refused.status_code == 403


def test_template_download_is_a_workbook_with_the_three_sheets(client, make_user, login):
    login(make_user("facilitator"))
    response = client.get("/cities/import/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert {"indicators", "practices", "needs"} <= set(workbook.sheetnames)


def test_unknown_export_formats_are_not_found(client, make_user, login):
    login(make_user("viewer"))
    assert client.get("/cities/list.pdf").status_code == 404
    assert client.get("/cities/profiles.pdf").status_code == 404
    assert client.get("/cities/list.csv").status_code == 200

import pytest

from matchmaker.cities import services
from matchmaker.cities.access import get_city
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow

SCRIPT = "<script>alert('x')</script>"


def add_practice(user, code="35.72", **kw):
    record = {"topic": "wastewater", "title": "L2T2", "maturity": "pilot", **kw}
    practice = services.add_practice(user, get_city(code), record, utcnow())
    db.session.commit()
    return practice


def test_city_list_searches_by_name(client, make_user, login):
    login(make_user("viewer"))
    page = client.get("/cities?q=kendari")
    assert page.status_code == 200
    assert "Kota Kendari" in page.text
    assert "Kota Blitar" not in page.text


def test_city_list_filters_by_topic_practised_and_paginates(client, make_user, login):
    facilitator = make_user("facilitator")
    add_practice(facilitator, "74.71")
    login(facilitator)
    page = client.get("/cities?practice_topic=wastewater")
    assert "Kota Kendari" in page.text and "Kota Blitar" not in page.text
    second = client.get("/cities?page=2")
    assert second.status_code == 200 and "Kabupaten Aceh Selatan" not in second.text


def test_anonymous_is_sent_to_login(client):
    response = client.get("/cities")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_wrong_password_shows_a_field_error(client, make_user):
    user = make_user("viewer")
    response = client.post("/login", data={"email": user.email, "password": "nope"})
    assert response.status_code == 401
    assert "E-mail atau kata sandi salah." in response.text


def test_profile_shows_indicators_practices_needs_and_history(client, make_user, login, now):
    facilitator = make_user("facilitator", name="Fasilitator Satu")
    city = get_city("35.72")
    services.set_indicators(facilitator, city, {"year": 2024, "sanitation_access_pct": 78.0}, now)
    services.add_need(facilitator, city, {"topic": "wastewater", "title": "Memulai L2T2"}, now)
    db.session.commit()
    login(facilitator)
    page = client.get("/cities/35.72").text
    assert "78.0" in page and "Memulai L2T2" in page
    assert "Fasilitator Satu" in page  # history names who changed the profile
    assert 'id="access-chart"' in page


def test_pokja_gets_403_on_another_citys_forms(client, make_user, login):
    login(make_user("pokja", "35.72"))
    assert client.get("/cities/74.71/practices/new").status_code == 403
    refused = client.post("/cities/74.71/practices/new",
                          data={"topic": "wastewater", "title": "X", "maturity": "pilot"})
    assert refused.status_code == 403
    assert get_city("74.71").practices == []
    created = client.post("/cities/35.72/practices/new",
                          data={"topic": "wastewater", "title": "Uji coba L2T2", "maturity": "pilot"})
    assert created.status_code == 302
    assert [p.title for p in get_city("35.72").practices] == ["Uji coba L2T2"]


def test_form_shows_the_fields_problem_and_keeps_input(client, make_user, login):
    login(make_user("facilitator"))
    response = client.post("/cities/35.72/practices/new",
                           data={"topic": "wastewater", "title": "", "maturity": "pilot",
                                 "description": "deskripsi yang tidak boleh hilang",
                                 "started_year": "1800"})
    assert response.status_code == 400
    assert "invalid-feedback" in response.text
    assert "deskripsi yang tidak boleh hilang" in response.text


def test_script_in_practice_text_is_shown_as_text(client, make_user, login):
    facilitator = make_user("facilitator")
    add_practice(facilitator, "74.71", title=SCRIPT, description=SCRIPT)
    login(facilitator)
    for url in ("/cities/74.71", "/cities?practice_topic=wastewater"):
        page = client.get(url).text
        assert SCRIPT not in page
    assert "&lt;script&gt;" in client.get("/cities/74.71").text


def test_english_is_available(client, make_user, login):
    login(make_user("viewer"))
    client.post("/lang/en", data={"next": "/cities"})
    page = client.get("/cities").text
    assert "Search" in page


@pytest.mark.parametrize("lang", ["id", "en"])
def test_login_page_renders_in_both_languages(client, lang):
    client.post(f"/lang/{lang}")
    assert client.get("/login").status_code == 200


def test_language_chosen_before_signing_in_is_kept_and_remembered(client, make_user):
    user = make_user("viewer")
    client.post("/lang/en", data={"next": "/login"})
    client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert "Search" in client.get("/cities").text
    db.session.expire_all()
    assert user.language == "en"

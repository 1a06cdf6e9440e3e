"""The page cache: a repeat read costs two statements, and no write, language, user or browser
session ever gets another's page."""

import re

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from matchmaker import create_app, pagecache
from matchmaker.access import OPERATOR
from matchmaker.auth import services as auth_services
from matchmaker.cities import services as city_services
from matchmaker.cities.access import get_city
from matchmaker.cities.models import City
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow
from tests.conftest import PASSWORD

PROFILE = "/cities/74.71"


def practice(title: str) -> dict:
    return {"topic": "wastewater", "title": title, "maturity": "operational", "description": "L2T2"}


def state(response) -> str:
    return response.headers.get("X-Page-Cache", "")


@pytest.fixture
def signed_in(client, login):
    """Sign in and open one page, as a browser does: its session gets the CSRF secret then."""
    def sign_in(user, browser=client):
        login(user) if browser is client else browser.post(
            "/login", data={"email": user.email, "password": PASSWORD})
        browser.get("/account")
        return browser
    return sign_in


def test_a_repeat_read_is_served_from_the_cache_in_two_statements(client, signed_in, facilitator,
                                                                  count_queries):
    signed_in(facilitator)
    first = client.get(PROFILE)
    with count_queries() as counted:
        second = client.get(PROFILE)
    assert (state(first), state(second)) == ("miss", "hit")
    assert second.data == first.data
    assert counted.n == 2, counted.statements  # the signed-in user, the data version


def test_a_write_by_anyone_shows_on_the_next_read(client, login, facilitator, pokja_kendari):
    login(facilitator)
    client.get(PROFILE)
    city_services.add_practice(pokja_kendari, get_city("74.71"), practice("Sedot tinja terjadwal"),
                               utcnow())
    db.session.commit()
    response = client.get(PROFILE)
    assert state(response) == "miss"
    assert "Sedot tinja terjadwal" in response.text


def test_a_write_from_another_connection_moves_the_version(client, login, facilitator):
    """Another process writes through its own session: the version row is what they share."""
    login(facilitator)
    client.get(PROFILE)
    with Session(db.engine) as other:
        other.execute(update(City).where(City.code == "74.71").values(population=424242))
        other.commit()
    response = client.get(PROFILE)
    assert state(response) == "miss"


def test_one_commit_moves_the_version_once_and_a_rollback_not_at_all(app, kendari, now):
    before = pagecache.data_version()
    db.session.commit()
    city_services.add_practice(OPERATOR, kendari, practice("Satu"), now)
    db.session.flush()
    city_services.add_practice(OPERATOR, kendari, practice("Dua"), now)
    db.session.commit()
    assert pagecache.data_version() == before + 1
    city_services.add_practice(OPERATOR, kendari, practice("Tiga"), now)
    db.session.rollback()
    db.session.commit()
    assert pagecache.data_version() == before + 1


def test_bookkeeping_writes_do_not_move_the_version(app, facilitator):
    before = pagecache.data_version()
    auth_services.issue_api_token(facilitator, utcnow())
    db.session.commit()
    assert pagecache.data_version() == before


def test_users_and_browser_sessions_never_share_a_page(app, signed_in, client, facilitator,
                                                       make_user):
    signed_in(facilitator)
    mine = client.get(PROFILE)
    assert state(client.get(PROFILE)) == "hit"

    other_browser = signed_in(facilitator, app.test_client())  # the same person, a second device
    theirs = other_browser.get(PROFILE)
    assert state(theirs) == "miss"

    pokja = make_user("pokja", "74.71", name="Pokja Kendari")
    pokja_browser = signed_in(pokja, app.test_client())
    response = pokja_browser.get(PROFILE)
    assert state(response) == "miss"
    assert response.data != mine.data


def test_each_language_has_its_own_page(client, login, facilitator):
    login(facilitator)
    indonesian = client.get("/cities")
    client.post("/lang/en")
    english = client.get("/cities")
    assert state(english) == "miss"
    assert english.data != indonesian.data


def test_a_waiting_notice_is_shown_not_a_kept_page(client, signed_in, facilitator):
    signed_in(facilitator)
    client.get(PROFILE)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Profil disimpan.")]
    response = client.get(PROFILE)
    assert state(response) == ""
    assert "Profil disimpan." in response.text
    assert state(client.get(PROFILE)) == "hit"


def test_a_hard_reload_renders_anew(client, login, facilitator):
    login(facilitator)
    client.get(PROFILE)
    assert state(client.get(PROFILE, headers={"Cache-Control": "no-cache"})) == "miss"


def test_api_reads_are_kept_per_token_user_and_conditional_requests_pass_by(api, facilitator):
    as_api = api(facilitator)
    first = as_api.get("/api/v1/cities/74.71")
    second = as_api.get("/api/v1/cities/74.71")
    assert (state(first), state(second)) == ("miss", "hit")
    assert second.headers["ETag"] == first.headers["ETag"]
    conditional = as_api.get("/api/v1/cities/74.71", headers={"If-None-Match": first.headers["ETag"]})
    assert state(conditional) == ""


def test_anonymous_and_unlisted_requests_are_not_kept(client, login, facilitator):
    assert state(client.get("/login")) == ""
    login(facilitator)
    assert state(client.get("/account")) == ""


@pytest.fixture
def app_with(app_config):
    """Another app with some settings changed; its connections are closed afterwards."""
    made = []

    def make(**settings):
        made.append(create_app(type("Changed", (app_config,), settings)))
        return made[-1]

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def test_the_cache_can_be_turned_off(app_with):
    assert pagecache.EXTENSION_KEY not in app_with(PAGE_CACHE_SECONDS=0).extensions


def test_forms_on_a_kept_page_carry_this_session_s_token(app, facilitator):
    """With CSRF on, a kept page's token is the one its own browser session can send back."""
    app.config["WTF_CSRF_ENABLED"] = True
    browser = app.test_client()
    login_page = browser.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    browser.post("/login", data={"email": facilitator.email, "password": PASSWORD, "csrf_token": token})
    browser.get(PROFILE)
    kept = browser.get(PROFILE)
    assert state(kept) == "hit"
    token = re.search(r'name="csrf_token" value="([^"]+)"', kept.text).group(1)
    response = browser.post("/cities/74.71/needs/new", data={
        "csrf_token": token, "topic": "wastewater", "title": "Butuh IPLT", "priority": "high",
        "description": "Belum ada IPLT"})
    assert response.status_code in (302, 303), response.text


def test_a_page_larger_than_the_memory_given_is_rendered_each_time(app_with, facilitator):
    browser = app_with(PAGE_CACHE_MB=0).test_client()
    browser.post("/login", data={"email": facilitator.email, "password": PASSWORD})
    browser.get("/account")
    assert [state(browser.get(PROFILE)) for _ in range(2)] == ["miss", "miss"]


def waiting_badge(response) -> int:
    found = re.search(r'id="waiting-count">(\d+)<', response.text)
    return int(found.group(1)) if found else 0


def test_the_waiting_badge_is_kept_per_version_and_counts_a_new_proposal(
        client, signed_in, pokja_blitar, make_programme, count_queries):
    signed_in(pokja_blitar)
    before = waiting_badge(client.get("/account"))
    with count_queries() as counted:
        again = client.get("/account")  # not a kept page: rendered, but the badge is remembered
    assert waiting_badge(again) == before
    assert not any("follow_up_actions" in statement for statement in counted.statements)
    make_programme(mentor="74.71", mentee="35.72")  # a proposal now waits on Blitar's Pokja
    assert waiting_badge(client.get("/account")) == before + 1

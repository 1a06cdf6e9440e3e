"""The mentor search page, the cohort page and the profile section."""

import re

import pytest
from flask import current_app, render_template
from flask_login import login_user
from sqlalchemy import select

from matchmaker.cities import services as cities
from matchmaker.cities.models import Need, Practice
from matchmaker.extensions import db
from matchmaker.matching.cache import current_snapshot
from matchmaker.matching.models import CohortProposal, MatchFeedback, ProposalStatus
from matchmaker.programmes.models import Programme, ProgrammeStatus
from tests.matching.conftest import BLITAR, JAYAPURA, KENDARI, MALANG


def need_id(title: str) -> int:
    return db.session.scalar(select(Need.id).where(Need.title == title))


@pytest.fixture
def as_facilitator(login, make_user):
    return login(make_user("facilitator"))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_facilitator_sees_ranked_mentors_with_reasons(client, as_facilitator, profiles, lang):
    client.post(f"/lang/{lang}", data={"next": "/match"})
    page = client.get(f"/match?city={BLITAR}&topic=wastewater")

    assert page.status_code == 200
    html = page.text
    assert f'<html lang="{lang}">' in html
    assert html.index("Kota Kendari") < html.index("Kota Malang")
    assert "Layanan Lumpur Tinja Terjadwal (L2T2) bagi ASN" in html
    expected = {"id": "Akses sanitasi layak Kendari 91 % vs Blitar 78 %",
                "en": "Kendari's sanitation access 91 % vs Blitar's 78 %"}
    assert expected[lang] in html.replace("&#39;", "'")
    assert html.count('class="factor-bar') == 4 * html.count('class="card mb-3 recommendation"')
    assert "cdn" not in html.lower()


def test_starting_from_a_need_fills_city_topic_and_text(client, as_facilitator, profiles):
    page = client.get(f"/match?need={need_id('Membangun IPAL komunal')}")
    assert page.status_code == 200
    assert 'id="from-need"' in page.text and "Membangun IPAL komunal" in page.text
    first = re.search(r'data-code="([\d.]+)"', page.text).group(1)
    assert first == MALANG
    assert f'<option selected value="{JAYAPURA}">' in page.text


def test_the_city_options_are_rendered_once_per_data_version(client, as_facilitator, profiles):
    first = client.get("/match").text
    options = current_snapshot().memo["city_options"]
    again = client.get(f"/match?city={BLITAR}").text
    assert current_snapshot().memo["city_options"] is options
    assert first.count("<option ") == again.count("<option ") > 514
    assert f'<option selected value="{BLITAR}">Kota Blitar ({BLITAR})</option>' in again
    assert "<option selected" not in first


def test_excluded_cities_are_listed_with_the_reason(client, as_facilitator, profiles, make_programme):
    make_programme(KENDARI, BLITAR, "wastewater")
    page = client.get(f"/match?city={BLITAR}&topic=wastewater")
    assert 'id="excluded"' in page.text
    assert "sudah dalam program terbuka dengan Blitar" in page.text
    assert f'data-code="{KENDARI}"' not in page.text


def test_empty_result_says_so_plainly(client, as_facilitator, profiles):
    page = client.get(f"/match?city={BLITAR}&topic=building")
    assert "Belum ada kota yang mencatat praktik tentang topik itu." in page.text


def test_unknown_topic_is_a_400_page(client, as_facilitator, profiles):
    assert client.get(f"/match?city={BLITAR}&topic=sewage").status_code == 400


def test_create_programme_action_only_when_the_endpoint_exists(app, client, as_facilitator, profiles):
    page = client.get(f"/match?need={need_id('Memulai L2T2 untuk ASN')}").text
    if "programmes.create_from_recommendation" in app.view_functions:
        assert 'name="practice_id"' in page and 'name="mentor" value="74.71"' in page
    else:
        assert 'name="practice_id"' not in page


@pytest.mark.parametrize("path", ["/match", "/match/cohort"])
def test_pages_are_for_facilitators_only(client, login, make_user, profiles, path):
    assert client.get(path).status_code in (302, 401)
    login(make_user("pokja", BLITAR))
    assert client.get(path).status_code == 403


def test_user_text_is_escaped(client, as_facilitator, profiles, make_user, city, now):
    cities.add_practice(make_user("facilitator"), city(MALANG), {
        "topic": "wastewater", "title": "<script>alert(1)</script> L2T2 ASN",
        "description": "L2T2 ASN IPLT", "maturity": "pilot"}, now)
    db.session.commit()
    for path in (f"/match?city={BLITAR}&topic=wastewater", "/match/cohort?run=1&need="
                 f"{need_id('Memulai L2T2 untuk ASN')}"):
        html = client.get(path).text
        assert "<script>alert(1)</script>" not in html, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(
        f"/match?city={BLITAR}&topic=wastewater").text
    assert "<script>" not in city_section(make_user("facilitator"), city(MALANG))


def city_section(user, city) -> str:
    """Render the partial that cities/profile.html includes, as that page would."""
    with current_app.test_request_context(f"/cities/{city.code}"):
        login_user(user)
        return render_template("matching/_city_section.html", city=city)


def test_profile_section_shows_cities_this_city_could_mentor(profiles, make_user, city):
    html = city_section(make_user("facilitator"), city(KENDARI))
    section = html[html.index('id="could-mentor"'):]
    assert "Kota Blitar" in section and "Memulai L2T2 untuk ASN" in section
    assert f"need={need_id('Memulai L2T2 untuk ASN')}" in section


def test_profile_section_links_to_the_ranking_for_facilitators_only(profiles, make_user, city):
    html = city_section(make_user("viewer"), city(KENDARI))
    assert "Kota Blitar" in html and "need=" not in html


def test_profile_section_is_absent_for_a_city_with_no_practices(profiles, make_user, city):
    assert 'id="could-mentor"' not in city_section(make_user("facilitator"), city(JAYAPURA))


def test_profile_page_includes_the_section(client, as_facilitator, profiles):
    page = client.get(f"/cities/{KENDARI}")
    assert page.status_code == 200
    assert 'id="could-mentor"' in page.text and "Memulai L2T2 untuk ASN" in page.text


def test_cohort_page_proposes_pairs_and_totals(client, as_facilitator, profiles):
    page = client.get("/match/cohort")
    assert page.status_code == 200 and page.text.count('name="need"') == 3
    ids = "&".join(f"need={n}" for n in db.session.scalars(select(Need.id)))
    result = client.get(f"/match/cohort?run=1&{ids}")
    html = result.text
    assert 'id="cohort-totals"' in html and "pasangan rakus" in html and "greedy" not in html
    assert html.count('class="card mb-2 cohort-pair"') == 3
    assert "Kendari 91 % vs Blitar 78 %" in html


def test_accepting_one_pair_then_all(client, as_facilitator, profiles):
    blitar = need_id("Memulai L2T2 untuk ASN")
    jayapura = need_id("Membangun IPAL komunal")
    response = client.post("/match/cohort/accept", data={
        "only": f"{blitar}:{KENDARI}", "pairs": [f"{blitar}:{KENDARI}", f"{jayapura}:{MALANG}"],
        "back": f"run=1&need={blitar}&need={jayapura}"})
    assert response.status_code == 302
    assert response.location.endswith(f"/match/cohort?run=1&need={blitar}&need={jayapura}")
    rows = db.session.scalars(select(CohortProposal)).all()
    assert [(r.need_id, r.mentor.code, r.status) for r in rows] == [
        (blitar, KENDARI, ProposalStatus.ACCEPTED)]

    client.post("/match/cohort/accept", data={"pairs": [f"{jayapura}:{MALANG}"]})
    assert len(db.session.scalars(select(CohortProposal)).all()) == 2
    programmes = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    assert [(p.mentor.code, p.mentee.code, p.status, p.need_id) for p in programmes] == [
        (KENDARI, BLITAR, ProgrammeStatus.PROPOSED, blitar),
        (MALANG, JAYAPURA, ProgrammeStatus.PROPOSED, jayapura)]
    page = client.get(response.location).text
    assert "sudah diusulkan" in page and 'id="proposals"' in page


def test_accept_refusal_is_flashed_and_changes_nothing(client, as_facilitator, profiles):
    blitar = need_id("Memulai L2T2 untuk ASN")
    jayapura = need_id("Membangun IPAL komunal")
    response = client.post("/match/cohort/accept", data={
        "pairs": [f"{blitar}:{KENDARI}", f"{jayapura}:{BLITAR}"]}, follow_redirects=True)
    assert "tidak punya praktik" in response.text
    assert db.session.scalars(select(CohortProposal)).all() == []
    assert db.session.scalars(select(Programme)).all() == []


def test_create_programme_button_posts_what_the_programmes_page_expects(app, client, as_facilitator,
                                                                         profiles):
    if "programmes.create_from_recommendation" not in app.view_functions:
        pytest.skip("the programmes package does not offer the endpoint")
    from matchmaker.programmes.models import Programme

    page = client.get(f"/match?need={need_id('Memulai L2T2 untuk ASN')}").text
    form = page[page.index('action="/programmes'):]
    form = form[:form.index("</form>")]
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields["mentor"] == KENDARI and fields["mentee"] == BLITAR
    action = re.search(r'action="(/programmes[^"]*)"', page).group(1)
    response = client.post(action, data=fields)
    assert response.status_code in (302, 303)
    programme = db.session.scalar(select(Programme))
    assert (programme.mentor.code, programme.mentee.code, programme.topic) == (
        KENDARI, BLITAR, "wastewater")
    assert programme.need_id == need_id("Memulai L2T2 untuk ASN") and programme.practice_id
    # The new open programme removes Kendari from Blitar's list at once.
    again = client.get(f"/match?city={BLITAR}&topic=wastewater").text
    assert f'data-code="{KENDARI}"' not in again and "sudah dalam program terbuka" in again


def test_not_a_good_match_form_excludes_the_pair_and_returns_to_the_list(
        client, as_facilitator, profiles):
    need = need_id("Memulai L2T2 untuk ASN")
    page = client.get(f"/match?need={need}").text
    assert 'action="/match/feedback"' in page and f'name="need_id" value="{need}"' in page

    response = client.post("/match/feedback", data={
        "mentee": BLITAR, "mentor": KENDARI, "topic": "wastewater", "need_id": str(need),
        "reason": "not_comparable", "note": "", "back": f"need={need}"})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/match?need={need}"
    page = client.get(response.headers["Location"]).text
    assert "Kendari tidak lagi direkomendasikan untuk kebutuhan ini." in page
    listed = page[page.index('id="recommendations"'):page.index('id="excluded"')]
    assert f'data-code="{KENDARI}"' not in listed
    excluded = page[page.index('id="excluded"'):]
    assert "bukan pasangan yang cocok (" in excluded
    feedback = db.session.scalar(select(MatchFeedback))
    assert f'action="/match/feedback/{feedback.id}/withdraw"' in excluded

    response = client.post(f"/match/feedback/{feedback.id}/withdraw", data={"back": f"need={need}"})
    assert response.headers["Location"] == f"/match?need={need}"
    page = client.get(response.headers["Location"]).text
    assert "Kendari direkomendasikan lagi." in page
    assert f'data-code="{KENDARI}"' in page


def test_not_a_good_match_refusal_is_flashed(client, as_facilitator, profiles):
    response = client.post("/match/feedback", data={
        "mentee": BLITAR, "mentor": KENDARI, "topic": "wastewater", "reason": "other", "note": "",
        "back": f"city={BLITAR}&topic=wastewater"}, follow_redirects=True)
    assert "Tuliskan alasannya." in response.text
    assert db.session.scalar(select(MatchFeedback.id)) is None


def test_not_a_good_match_is_for_facilitators_only(client, login, make_user, profiles):
    login(make_user("pokja", BLITAR))
    response = client.post("/match/feedback", data={
        "mentee": BLITAR, "mentor": KENDARI, "topic": "wastewater", "reason": "unwilling"})
    assert response.status_code == 403
    assert db.session.scalar(select(MatchFeedback.id)) is None


def test_a_city_that_already_ran_the_programme_is_marked(client, as_facilitator, profiles,
                                                         make_programme, facilitator):
    programme = make_programme(KENDARI, BLITAR, status=ProgrammeStatus.COMPLETED)
    page = client.get(f"/match?city={BLITAR}&topic=wastewater").text
    assert f"Pernah bermitra: program #{programme.id}, belum diadopsi" in page
    assert "Riwayat:" in page


def test_admin_adds_a_glossary_group_in_the_app(client, login, make_user):
    admin = make_user("admin", name="Admin Glosarium")
    login(admin)
    page = client.get("/match/glossary")
    assert page.status_code == 200 and 'id="no-groups"' in page.text
    assert 'href="/match/glossary"' in page.text  # in the navigation

    response = client.post("/match/glossary", data={
        "group_id": "jamban_apung", "label_id": "Jamban apung", "label_en": "floating toilet",
        "terms_id": "jamban apung\nkakus terapung", "terms_en": "floating toilet",
        "topics": ["wastewater"], "broader": "jamban_sehat", "source": "<b>Panduan</b> sanitasi"},
        follow_redirects=True)

    assert "Kelompok jamban_apung ditambahkan ke glosarium." in response.text
    table = response.text[response.text.index('id="glossary-groups"'):]
    assert "jamban apung, kakus terapung; floating toilet" in table
    assert "Admin Glosarium" in table and "&lt;b&gt;Panduan&lt;/b&gt;" in table


def test_a_refused_glossary_group_keeps_the_form(client, login, make_user):
    login(make_user("admin"))
    response = client.post("/match/glossary", data={
        "group_id": "jamban_apung", "label_id": "Jamban apung", "label_en": "floating toilet",
        "terms_id": "jamban apung", "broader": "tidak_ada", "source": "Panduan"})
    assert response.status_code == 200
    assert "Kelompok yang lebih luas tidak ada di glosarium: tidak_ada" in response.text
    assert 'value="jamban_apung"' in response.text


def test_glossary_page_is_for_admins_only(client, login, make_user):
    login(make_user("facilitator"))
    assert client.get("/match/glossary").status_code == 403
    assert client.post("/match/glossary", data={"group_id": "x_y"}).status_code == 403


# ---------------------------------------------------------------- who needs this practice?

def _l2t2_id() -> int:
    return db.session.scalar(select(Practice.id).where(Practice.city.has(code=KENDARI),
                                                       Practice.topic == "wastewater"))


def test_practice_card_links_facilitators_to_who_needs_it(client, as_facilitator, profiles):
    page = client.get(f"/cities/{KENDARI}").text
    assert f'href="/practices/{_l2t2_id()}/candidates"' in page


def test_candidates_page_lists_cities_with_reasons_and_proposes(client, as_facilitator, profiles):
    practice_id = _l2t2_id()
    page = client.get(f"/practices/{practice_id}/candidates?limit=5").text
    codes = re.findall(r'class="card mb-3 candidate" data-code="([\d.]+)"', page)
    assert len(codes) == 5 and KENDARI not in codes
    assert "Kesenjangan" in page and "Kesamaan konteks" in page and "Usulkan program" in page
    code = next(c for c in codes if c not in (BLITAR, JAYAPURA))  # a city with no need recorded
    response = client.post(f"/practices/{practice_id}/candidates/{code}/propose")
    assert response.status_code == 302 and "/programmes/" in response.location
    programme = db.session.scalar(select(Programme).order_by(Programme.id.desc()))
    assert programme.mentee.code == code and programme.status == ProgrammeStatus.PROPOSED
    profile = client.get(f"/cities/{code}").text
    assert "Dicatat oleh fasilitator" in profile
    again = client.post(f"/practices/{practice_id}/candidates/{code}/propose",
                        follow_redirects=True)
    assert "program terbuka" in again.text


def test_candidates_page_is_for_facilitators(client, login, make_user, profiles):
    login(make_user("pokja", KENDARI))
    assert client.get(f"/practices/{_l2t2_id()}/candidates").status_code == 403
    assert 'practice-candidates' not in client.get(f"/cities/{KENDARI}").text


def test_from_a_city_and_topic_the_page_opens_its_practice(client, as_facilitator, profiles):
    response = client.get(f"/cities/{KENDARI}/candidates?topic=wastewater")
    assert response.status_code == 302
    assert response.location.endswith(f"/practices/{_l2t2_id()}/candidates")
    assert client.get(f"/cities/{KENDARI}/candidates?topic=road").status_code == 404

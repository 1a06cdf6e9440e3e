"""Concept groups an admin adds in the app: stored with who and when, used by the next model."""

import pytest

from matchmaker.access import OPERATOR
from matchmaker.errors import Forbidden, ValidationError
from matchmaker.extensions import db
from matchmaker.matching.cache import current_snapshot, model_cache
from matchmaker.matching.glossary import Glossary
from matchmaker.matching.glossary_groups import add_glossary_group, current_glossary
from tests.matching.conftest import BLITAR, KENDARI


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Admin Glosarium")


# A word the shipped glossary does not know, used by a practice and by a need.
GROUP = {"group_id": "jamban_apung", "label_id": "Jamban apung", "label_en": "floating toilet",
         "terms": {"id": ["jamban apung", "kakus terapung"], "colloquial": ["wc apung"],
                   "en": ["floating toilet"]},
         "topics": ["wastewater"], "broader": ["jamban_sehat"],
         "source": "Buku panduan sanitasi permukiman di atas air"}


def test_admin_adds_a_group_kept_with_who_and_when(admin, now):
    entry = add_glossary_group(admin, GROUP, now)
    db.session.commit()
    assert (entry.group_id, entry.created_by, entry.created_at) == ("jamban_apung", admin, now)
    group = current_glossary().groups["jamban_apung"]
    assert group.label("en") == "floating toilet"
    assert group.sources == ("Buku panduan sanitasi permukiman di atas air",)
    assert "jamban_sehat" in current_glossary().ancestors("jamban_apung")
    assert "jamban_apung" not in Glossary.shipped().groups  # the shipped file is untouched


def test_a_known_group_id_gains_the_wordings(admin, now):
    add_glossary_group(admin, GROUP | {"group_id": "lltt", "terms": {"colloquial": ["kuras jamban rutin"]},
                                        "broader": []}, now)
    lltt = current_glossary().groups["lltt"]
    assert "kuras jamban rutin" in lltt.terms["colloquial"]
    assert lltt.label("id") == Glossary.shipped().groups["lltt"].label("id")


def test_the_next_model_is_built_with_the_new_group(app, admin, profiles, make_city, now):
    make_city(BLITAR, practices=[{"topic": "wastewater", "title": "Floating toilet di kampung nelayan",
                                  "description": "Toilet bagi rumah panggung di atas air.",
                                  "maturity": "operational", "started_year": 2020}])
    need = "jamban apung untuk rumah di pesisir"
    current_snapshot()
    builds = model_cache().builds

    add_glossary_group(admin, GROUP, now)
    db.session.commit()
    snapshot = current_snapshot()

    assert model_cache().builds == builds + 1
    (first, *_rest) = snapshot.model.recommend(KENDARI, "wastewater", need)
    assert first.code == BLITAR
    assert first.concepts[0] == ("jamban_apung", "jamban apung", "floating toilet")


@pytest.mark.parametrize(("change", "field"), [
    ({"group_id": "Bad Id"}, "group_id"),
    ({"label_en": " "}, "label_en"),
    ({"terms": {}}, "terms_id"),
    ({"terms": {"id": ["yang dan atau"]}}, "terms_id"),
    ({"topics": ["space"]}, "topics"),
    ({"broader": ["no_such_group"]}, "broader"),
    ({"source": ""}, "source"),
])
def test_unusable_groups_are_refused_with_the_field(admin, now, change, field):
    with pytest.raises(ValidationError) as error:
        add_glossary_group(admin, GROUP | change, now)
    assert error.value.field == field


def test_a_cycle_through_broader_groups_is_refused(admin, now):
    add_glossary_group(admin, GROUP, now)
    with pytest.raises(ValidationError) as error:
        add_glossary_group(admin, GROUP | {"group_id": "jamban_sehat", "broader": ["jamban_apung"]}, now)
    assert error.value.field == "broader"


def test_only_admins_add_groups(make_user, now):
    with pytest.raises(Forbidden):
        add_glossary_group(make_user("facilitator"), GROUP, now)
    add_glossary_group(OPERATOR, GROUP, now)

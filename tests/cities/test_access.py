"""Who may change a city's profile: the rule in one place for pages, API and CLI."""

import pytest

from matchmaker.access import OPERATOR
from matchmaker.cities import access
from matchmaker.cities.access import get_city
from matchmaker.errors import Forbidden, NotFound


def test_pokja_edits_only_their_own_city(app, make_user):
    blitar, kendari = get_city("35.72"), get_city("74.71")
    pokja = make_user("pokja", "35.72")
    assert access.can_edit_city(pokja, blitar)
    assert not access.can_edit_city(pokja, kendari)
    with pytest.raises(Forbidden):
        access.ensure_can_edit_city(pokja, kendari)


def test_viewer_edits_nothing_and_facilitator_everything(app, make_user):
    kendari = get_city("74.71")
    assert not access.can_edit_city(make_user("viewer"), kendari)
    assert access.can_edit_city(make_user("facilitator"), kendari)


def test_getters_load_and_authorise_in_one_step(app, make_user, make_city):
    kendari = make_city("74.71", practices=[{"topic": "wastewater", "title": "L2T2",
                                             "maturity": "pilot"}])
    practice_id = kendari.practices[0].id
    assert access.get_editable_practice(make_user("pokja", "74.71"), practice_id).title == "L2T2"
    with pytest.raises(Forbidden):
        access.get_editable_practice(make_user("pokja", "35.72"), practice_id)
    with pytest.raises(NotFound):
        access.get_editable_city(OPERATOR, "99.99")


def test_anonymous_and_disabled_accounts_edit_nothing(app, make_user):
    from flask_login import AnonymousUserMixin

    kendari = get_city("74.71")
    disabled = make_user("facilitator")
    disabled.is_enabled = False
    assert not access.can_edit_city(AnonymousUserMixin(), kendari)
    assert not access.can_edit_city(disabled, kendari)
    assert not access.can_edit_city(None, kendari)

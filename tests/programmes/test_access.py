"""Who takes part in a programme: one rule for reading, answering, planning and e-mail."""

import pytest
from sqlalchemy import select

from matchmaker.auth.models import User
from matchmaker.errors import Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.programmes import access


def test_getters_load_and_authorise_in_one_step(planned, pokja_blitar, pokja_jayapura, facilitator):
    assert access.get_programme(pokja_blitar, planned.id) is planned
    assert access.get_session(facilitator, planned.sessions[0].id) is planned.sessions[0]
    with pytest.raises(Forbidden):
        access.get_programme(pokja_jayapura, planned.id)
    with pytest.raises(Forbidden):
        access.get_session(pokja_jayapura, planned.sessions[0].id)
    with pytest.raises(NotFound):
        access.get_programme(facilitator, 2**31 - 1)


def test_city_side_names_the_pokjas_city(planned, pokja_blitar, pokja_kendari, facilitator):
    assert access.city_side(pokja_blitar, planned) == "mentee"
    assert access.city_side(pokja_kendari, planned) == "mentor"
    assert access.city_side(facilitator, planned) is None


def test_members_are_both_cities_pokja_and_the_programmes_own_facilitator(
        planned, pokja_blitar, pokja_kendari, pokja_jayapura, facilitator, make_user):
    other_facilitator = make_user("facilitator")
    members = set(db.session.scalars(select(User).where(access.members_clause(planned))))
    assert members == {pokja_blitar, pokja_kendari, facilitator}
    assert [access.is_member(u, planned) for u in (pokja_blitar, pokja_jayapura, other_facilitator)] == [
        True, False, False]
    # Any facilitator may read and plan; only the programme's own gets its e-mail.
    assert access.is_participant(other_facilitator, planned)
    assert access.pokja_members(planned) == sorted([pokja_blitar, pokja_kendari], key=lambda u: u.email)

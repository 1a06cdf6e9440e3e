"""Fixtures for the notes tests: a Kendari -> Blitar programme built directly with the models."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from matchmaker.cities.services import get_city
from matchmaker.extensions import db
from matchmaker.programmes.models import Programme, ProgrammeSession, ProgrammeStatus

FIRST_SESSION = datetime(2020, 1, 27, 2, 0, tzinfo=UTC)  # Monday 27 January 2020, 09:00 WIB


@pytest.fixture
def make_programme(app):
    def make(mentor="74.71", mentee="35.72", topic="wastewater", status=ProgrammeStatus.ACTIVE,
             sessions=6, first=FIRST_SESSION, facilitator=None):
        programme = Programme(mentor=get_city(mentor), mentee=get_city(mentee), topic=topic,
                              status=status, facilitator=facilitator)
        db.session.add(programme)
        for number in range(1, sessions + 1):
            db.session.add(ProgrammeSession(
                programme=programme, number=number, starts_at=first + timedelta(days=14 * (number - 1)),
                timezone="Asia/Jakarta", uid=f"{uuid.uuid4()}@test"))
        db.session.commit()
        return programme

    return make


@pytest.fixture
def blitar_pokja(make_user):
    return make_user("pokja", "35.72", name="Pokja Blitar")


@pytest.fixture
def kendari_pokja(make_user):
    return make_user("pokja", "74.71", name="Pokja Kendari")


@pytest.fixture
def jayapura_pokja(make_user):
    return make_user("pokja", "91.71", name="Pokja Jayapura")

"""Fixtures for the notes tests: a running Kendari -> Blitar programme with six sessions from 2020."""

from datetime import UTC, datetime

import pytest

FIRST_SESSION = datetime(2020, 1, 27, 2, 0, tzinfo=UTC)  # Monday 27 January 2020, 09:00 WIB


@pytest.fixture
def make_programme(make_programme):
    """The root factory with the notes tests' defaults: active, six sessions held in 2020."""

    def make(mentor="74.71", mentee="35.72", topic="wastewater", status="active", sessions=6,
             first=FIRST_SESSION, facilitator=None):
        return make_programme(mentor, mentee, topic, status=status, sessions=sessions, first=first,
                              by=facilitator)

    return make


@pytest.fixture
def blitar_pokja(pokja_blitar):
    return pokja_blitar


@pytest.fixture
def kendari_pokja(pokja_kendari):
    return pokja_kendari


@pytest.fixture
def jayapura_pokja(pokja_jayapura):
    return pokja_jayapura

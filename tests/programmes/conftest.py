"""Fixtures of the programmes tests: the Kendari–Blitar pair, its people and a programme factory."""

from datetime import datetime

import pytest

from matchmaker.cities.services import get_city
from matchmaker.extensions import db
from matchmaker.programmes import services


@pytest.fixture
def kendari(app):
    return get_city("74.71")


@pytest.fixture
def blitar(app):
    return get_city("35.72")


@pytest.fixture
def facilitator(make_user):
    return make_user("facilitator", name="Fasilitator")


@pytest.fixture
def pokja_kendari(make_user):
    return make_user("pokja", "74.71", name="Pokja Kendari")


@pytest.fixture
def pokja_blitar(make_user):
    return make_user("pokja", "35.72", name="Pokja Blitar")


@pytest.fixture
def pokja_jayapura(make_user):
    return make_user("pokja", "91.71", name="Pokja Jayapura")


@pytest.fixture
def make_programme(facilitator, now):
    """A committed programme, Kendari mentor of Blitar on wastewater unless told otherwise."""

    def make(mentor="74.71", mentee="35.72", topic="wastewater", agreed=False, **kw):
        programme = services.create_programme(facilitator, mentor, mentee, topic, now, **kw)
        if agreed:
            services.record_agreement(facilitator, programme, now)
        db.session.commit()
        return programme

    return make


@pytest.fixture
def planned(make_programme, facilitator, now):
    """An agreed programme with six sessions from Monday 4 January 2027 09:00 WIB."""
    programme = make_programme(agreed=True)
    services.plan_series(facilitator, programme, 6, datetime(2027, 1, 4, 9, 0), now,
                         meeting_url="https://meet.example.id/abc")
    db.session.commit()
    return programme

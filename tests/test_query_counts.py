"""Query-count bounds: every main page and API list runs a number of SQL statements that does
not grow with the number of rows it shows (counted with a cursor listener, never timed)."""

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from matchmaker.cities.models import City
from matchmaker.extensions import db
from matchmaker.notes import services as notes
from matchmaker.programmes.models import Programme, ProgrammeSession, ProgrammeStatus

RENDER = {"Cache-Control": "no-cache"}
TOPICS = ("wastewater", "solid_waste", "drainage")
PAGES = ["/cities", "/cities?q=kota", "/cities/74.71", "/cities/35.72", "/programmes",
         "/dashboard", "/knowledge", "/knowledge?q=asn", "/match",
         "/match?city=35.72&topic=wastewater"]
API = ["/api/v1/cities", "/api/v1/cities?q=kota", "/api/v1/cities/74.71", "/api/v1/programmes",
       "/api/v1/lessons", "/api/v1/lessons?q=asn"]


@pytest.fixture
def grow(make_city, make_programme, facilitator, now):
    """Add `n` programmes (two sessions each, one with notes, a lesson and an action) between
    new cities that each record a practice and a need."""
    codes = iter(db.session.scalars(select(City.code).where(
        City.code.not_in(["74.71", "35.72", "91.71"])).order_by(City.code)).all())

    def add(n: int) -> None:
        for i in range(n):
            topic = TOPICS[i % len(TOPICS)]
            mentor = make_city(next(codes), {"year": 2024, "sanitation_access_pct": 80.0},
                               [{"topic": topic, "title": f"Praktik {i}", "maturity": "operational",
                                 "description": "layanan asn"}])
            mentee = make_city(next(codes), {"year": 2024, "sanitation_access_pct": 40.0},
                               needs=[{"topic": topic, "title": f"Kebutuhan {i}", "priority": "high",
                                       "description": "layanan asn"}])
            programme = make_programme(mentor.code, mentee.code, topic, status="active", sessions=2,
                                       first=now - timedelta(days=20 + i))
            notes.log_notes(facilitator, programme.sessions[0], "Catatan ASN",
                            [{"name": "Budi", "city": mentee.code}],
                            [{"text": f"Pelajaran ASN {i}", "outcome": "new_knowledge", "topic": topic}],
                            [{"text": "Susun draf", "owner_city": mentee.code,
                              "due": (now - timedelta(days=3)).date().isoformat()}], now)
            db.session.commit()

    return add


def _counts(count_queries, call, paths):
    """Statements of a rendering: `no-cache` passes the page cache by (test_pagecache.py counts
    a repeat served from it)."""
    result = {}
    for path in paths:
        call(path)  # warm per-process caches (matching model, option lists)
        db.session.expire_all()  # what the test's long-lived session holds, a request would reload
        with count_queries() as counted:
            response = call(path, headers=RENDER)
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers["X-Page-Cache"] == "miss", path
        result[path] = counted.n
    return result


def test_pages_and_api_lists_do_not_grow_with_rows(client, login, api, facilitator, grow,
                                                   count_queries):
    login(facilitator)
    as_api = api(facilitator)
    grow(3)
    small = _counts(count_queries, client.get, PAGES) | _counts(count_queries, as_api.get, API)
    grow(12)
    large = _counts(count_queries, client.get, PAGES) | _counts(count_queries, as_api.get, API)
    assert large == small


def test_dashboard_and_programme_lists_stay_under_20_queries_at_500_open_programmes(
        client, login, api, facilitator, grow, count_queries, now):
    login(facilitator)
    grow(2)  # notes, lessons and actions on some of them
    cities = db.session.scalars(select(City.id).order_by(City.id)).all()
    for i in range(500):
        programme = Programme(mentor_city_id=cities[i % len(cities)],
                              mentee_city_id=cities[(i + 7) % len(cities)], topic="governance",
                              status=(ProgrammeStatus.PROPOSED, ProgrammeStatus.ACTIVE)[i % 2],
                              facilitator_id=facilitator.id, created_at=now - timedelta(days=i))
        programme.sessions = [ProgrammeSession(number=n, starts_at=now + timedelta(days=n * 14 - 30),
                                               uid=f"{uuid.uuid4()}@test") for n in (1, 2, 3)]
        db.session.add(programme)
    db.session.commit()
    counts = _counts(count_queries, client.get, ["/dashboard", "/programmes"])
    counts |= _counts(count_queries, api(facilitator).get, ["/api/v1/programmes"])
    assert max(counts.values()) < 20, counts

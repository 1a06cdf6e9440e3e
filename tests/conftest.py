"""Fixtures: one app and migrated schema per test session, emptied between tests.

The database is SQLite (a temporary file) unless MATCHMAKER_TEST_DB=postgres, in which case a
fresh PostgreSQL database is created on TEST_PG_URL's server and dropped at the end.
"""

import os
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
import pytest
from flask import g
from flask_babel import refresh as babel_refresh
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, event
from sqlalchemy.engine import make_url

from config import TestingConfig
from matchmaker import create_app
from matchmaker.access import OPERATOR
from matchmaker.auth import services as auth_services
from matchmaker.cities import services as city_services
from matchmaker.cities.access import get_city
from matchmaker.cities.importer import load_regions
from matchmaker.extensions import db
from matchmaker.programmes import services as programme_services
from matchmaker.programmes import sessions as session_services
from matchmaker.programmes.models import ProgrammeStatus

PG_SERVER = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
KEEP_TABLES = {"cities", "province_figures", "data_version"}
PASSWORD = "correct-horse-battery"


def _admin_conninfo(url: str) -> str:
    u = make_url(url)
    return f"host={u.host} port={u.port or 5432} user={u.username} dbname={u.database}"


@contextmanager
def scratch_database(tmp_dir, prefix: str):
    """A new empty database for the configured backend, yielded as a URL and dropped after."""
    if os.environ.get("MATCHMAKER_TEST_DB", "sqlite") != "postgres":
        yield f"sqlite:///{tmp_dir / f'{prefix}.sqlite'}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_conninfo(PG_SERVER), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_admin_conninfo(PG_SERVER), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with scratch_database(tmp_path_factory.mktemp("db"), "matchmaker_test") as url:
        yield url


@pytest.fixture(scope="session")
def app_config(database_url, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")

    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        INSTANCE_DIR = instance
        MAIL_OUTBOX_DIR = str(instance / "outbox")

    return Config


@pytest.fixture(scope="session")
def _schema(app_config):
    app = create_app(app_config)
    with app.app_context():
        upgrade()  # the suite runs on the schema the migrations build, not on create_all's
        load_regions()
        db.session.commit()
    yield
    with app.app_context():
        downgrade(revision="base")
        db.engine.dispose()


def _forget_cached_user() -> None:
    """Tests hold one app context open, so `g` outlives a request; make each request sign in
    and choose its language and time zone anew, as in a server."""
    g.pop("_login_user", None)
    babel_refresh()


@pytest.fixture
def app(app_config, _schema, tmp_path):
    app = create_app(app_config)
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")  # each test reads only its own mail
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_cached_user)
    with app.app_context():
        yield app
        db.session.rollback()
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                db.session.execute(delete(table))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counted:` ... `counted.n`: the SQL statements run inside the block."""

    class Counted:
        n = 0
        statements: list[str]

    @contextmanager
    def counting():
        counted = Counted()
        counted.statements = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            counted.n += 1
            counted.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield counted
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)

    return counting


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def now():
    """A fixed 'now' for services that take the clock as a parameter."""
    return datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.fixture
def make_user(app):
    counter = iter(range(10_000))

    def make(role: str = "facilitator", city: str | None = None, **kw):
        email = kw.pop("email", f"{role}{next(counter)}@example.id")
        user = auth_services.create_user(email, role, kw.pop("name", ""), city, PASSWORD, **kw)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    def sign_in(user, password: str = PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.text
        return client

    return sign_in


@pytest.fixture
def api(client):
    """Call the JSON API as a user, with a real bearer token."""

    class Api:
        def __init__(self, user=None):
            self.headers = {}
            if user is not None:
                token = auth_services.issue_api_token(user, datetime.now(UTC))
                db.session.commit()
                self.headers = {"Authorization": f"Bearer {token}"}

        def __getattr__(self, method):
            def call(path, **kw):
                headers = {**self.headers, **kw.pop("headers", {})}
                return getattr(client, method)(path, headers=headers, **kw)
            return call

    return Api


# ------------------------------------------------ shared factories, built through the services

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
def make_city(app, now):
    """A registry city with a profile: indicators for one year, practices and needs (import format)."""

    def make(code: str, indicators: dict | None = None, practices=(), needs=()):
        city = get_city(code)
        if indicators:
            city_services.set_indicators(OPERATOR, city, indicators, now)
        for record in practices:
            city_services.add_practice(OPERATOR, city, record, now)
        for record in needs:
            city_services.add_need(OPERATOR, city, record, now)
        db.session.commit()
        return city

    return make


@pytest.fixture
def plan_sessions(facilitator):
    """Plan sessions the way the planner does; `interval_days=0` plans them all at one time."""

    def plan(programme, first_start, now, count=6, interval_days=14, by=None, **kw):
        by = by or facilitator
        kw.setdefault("allow_past", True)
        if interval_days == 0:
            agendas = kw.pop("agendas", None) or []
            planned = [session_services.add_session(
                by, programme, first_start, now, agenda=agendas[i] if i < len(agendas) else "", **kw)
                .sessions[0] for i in range(count)]
        else:
            planned = session_services.plan_series(by, programme, count, first_start, now,
                                                   interval_days=interval_days, **kw).sessions
        db.session.commit()
        return planned

    return plan


@pytest.fixture
def make_programme(facilitator, make_user, plan_sessions, now):
    """A committed programme (Kendari mentor of Blitar on wastewater unless told otherwise),
    brought to `status` through the lifecycle services, with `sessions` planned from `first`."""

    def make(mentor="74.71", mentee="35.72", topic="wastewater", status="proposed", agreed=False,
             sessions=0, first=None, by=None, at=None, **kw):
        by, at = by or facilitator, at or now
        status = ProgrammeStatus("agreed" if agreed and status == "proposed" else status)
        programme = programme_services.create_programme(by, mentor, mentee, topic, at, **kw)
        if sessions:
            plan_sessions(programme, first or at, at, count=sessions, by=by)
        if status == ProgrammeStatus.DECLINED:
            pokja = make_user("pokja", mentee)
            programme_services.respond_to_proposal(pokja, programme, False, at, "tidak siap")
        elif status == ProgrammeStatus.CANCELLED:
            programme_services.cancel_programme(by, programme, "dibatalkan", at)
        elif status != ProgrammeStatus.PROPOSED:
            programme_services.record_agreement(by, programme, at)
            if status in (ProgrammeStatus.ACTIVE, ProgrammeStatus.COMPLETED):
                programme_services.activate_programme(by, programme, at)
            if status == ProgrammeStatus.COMPLETED:
                programme_services.complete_programme(by, programme, "none", at)
        db.session.commit()
        return programme

    return make


@pytest.fixture
def planned(make_programme, plan_sessions, now):
    """An agreed programme with six sessions from Monday 4 January 2027 09:00 WIB."""
    programme = make_programme(agreed=True)
    plan_sessions(programme, datetime(2027, 1, 4, 9, 0), now, count=6,
                  meeting_url="https://meet.example.id/abc", allow_past=False)
    return programme

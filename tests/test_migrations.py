"""The Alembic revisions build exactly the schema the models describe, on both databases."""

import os
import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from matchmaker import create_app
from matchmaker.extensions import db
from tests.conftest import PG_SERVER, _admin_conninfo


@pytest.fixture
def empty_database_url(tmp_path):
    if os.environ.get("MATCHMAKER_TEST_DB", "sqlite") != "postgres":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    name = f"matchmaker_migrate_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_conninfo(PG_SERVER), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(_admin_conninfo(PG_SERVER), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_to_head_matches_the_models(app_config, empty_database_url):
    class Config(app_config):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(Config)
    with app.app_context():
        try:
            upgrade()
            with db.engine.connect() as conn:
                context = MigrationContext.configure(conn, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
            assert diff == []
            assert "cities" in inspect(db.engine).get_table_names()
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        finally:
            db.engine.dispose()

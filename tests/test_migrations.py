"""The Alembic revisions build exactly the schema the models describe, on both databases."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from matchmaker import create_app
from matchmaker.extensions import db
from tests.conftest import scratch_database


@pytest.fixture
def empty_database_url(tmp_path):
    with scratch_database(tmp_path, "matchmaker_migrate") as url:
        yield url


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

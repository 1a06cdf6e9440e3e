"""The named wiring steps the factory calls, one per kind of thing registered.

This module sits above every domain package: it is the one place that knows them all.
"""

import logging

from flask import Flask, current_app, has_request_context, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import BASE_DIR
from matchmaker import assets, errors, pagecache, scheduler, security, signals, versioning
from matchmaker.api.views import CONVERTERS, TAGS, docs_bp
from matchmaker.api.views import bp as api_bp
from matchmaker.auth.cli import users_cli
from matchmaker.auth.loaders import init_login, record_last_use
from matchmaker.auth.views import bp as auth_bp
from matchmaker.cities.cli import register_city_commands
from matchmaker.cities.views import bp as cities_bp
from matchmaker.dbtypes import tune_sqlite
from matchmaker.demo import register_demo_command
from matchmaker.extensions import api, babel, bootstrap, compress, csrf, db, login_manager, migrate
from matchmaker.formutils import init_form_guard
from matchmaker.maps.views import bp as maps_bp
from matchmaker.matching.cli import register_matching_commands
from matchmaker.matching.views import bp as matching_bp
from matchmaker.notes.views import bp as notes_bp
from matchmaker.programmes.checks import parse_office_hours, parse_window
from matchmaker.programmes.cli import register_programme_commands
from matchmaker.programmes.queries import open_programme_cities
from matchmaker.programmes.views import bp as programmes_bp
from matchmaker.reminders.cli import register_reminder_commands
from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.reminders.planning import connect_receivers, parse_offsets
from matchmaker.reminders.views import bp as reminders_bp
from matchmaker.reports.cli import register_report_commands
from matchmaker.reports.views import bp as reports_bp
from matchmaker.templating import register_template_helpers

MIGRATIONS_DIR = BASE_DIR / "migrations"


def select_locale() -> str:
    """Language: the one chosen in this session, else the user's, else Bahasa Indonesia."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return str(current_user.language)
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def check_settings(app: Flask) -> None:
    """Refuse to start on a setting that cannot be read, naming it, rather than fail on first use."""
    for name, parse in (("FRIDAY_PRAYER_WINDOW", parse_window), ("OFFICE_HOURS", parse_office_hours),
                        ("REMINDER_OFFSETS", parse_offsets)):
        try:
            parse(app.config[name])
        except ValueError as error:
            raise RuntimeError(f"setting {name}: {error}") from None


def register_extensions(app: Flask) -> None:
    if not event.contains(Engine, "connect", tune_sqlite):
        event.listen(Engine, "connect", tune_sqlite)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True,
                     compare_type=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    init_login(login_manager)
    app.after_request(record_last_use)
    init_form_guard(app)
    security.init_app(app)
    assets.init_app(app)
    compress.init_app(app)
    pagecache.init_app(app)  # last: it keeps the answer before compression
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_api(app: Flask) -> None:
    """The JSON API through flask-smorest, which writes its OpenAPI document as it registers."""
    app.url_map.converters.update(CONVERTERS)  # before any rule uses <id:…> or <code:…>
    api.init_app(app)
    for tag in TAGS:
        api.spec.tag(tag)
    csrf.exempt(api_bp)  # the API authenticates by bearer token or session + JSON body
    api.register_blueprint(api_bp)
    app.register_blueprint(docs_bp)
    app.extensions["openapi_spec"] = api.spec  # the Api object is shared; each app keeps its own spec


def register_blueprints(app: Flask) -> None:
    for bp in (auth_bp, cities_bp, matching_bp, notes_bp, programmes_bp, reminders_bp, reports_bp,
               maps_bp):
        app.register_blueprint(bp)
    register_api(app)
    register_template_helpers(app)


def register_receivers(app: Flask) -> None:
    """Higher domains react to lower ones through the named signals of `matchmaker.signals`."""
    connect_receivers()
    # The city list's "no open programme on topic T" asks programmes, which cities cannot import.
    signals.open_programme_cities.connect(open_programme_cities)


def register_error_handlers(app: Flask) -> None:
    errors.register_error_handlers(app)
    versioning.register_stale_handler(app)


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_cli)
    register_demo_command(app)
    register_city_commands(app)
    register_matching_commands(app)
    register_programme_commands(app)
    register_report_commands(app)
    register_reminder_commands(app)
    scheduler.init_app(app, send_due_reminders)

"""Matchmaker: horizontal-learning matchmaking for Indonesian local governments."""

from pathlib import Path

from flask import Flask

from config import TEMPLATES_DIR, config_from_env
from matchmaker.app_setup import (
    check_settings,
    register_blueprints,
    register_commands,
    register_error_handlers,
    register_extensions,
    register_receivers,
)
from matchmaker.security import instance_secret_key


def create_app(config_class=None) -> Flask:
    """Build the application: load config and wire extensions, blueprints, receivers, handlers and
    commands. Starts no thread, runs no migration."""
    config_class = config_class or config_from_env()
    if hasattr(config_class, "validate"):
        config_class.validate()
    app = Flask(__name__, template_folder=str(TEMPLATES_DIR),
                instance_path=str(config_class.INSTANCE_DIR))
    app.config.from_object(config_class)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    check_settings(app)
    register_extensions(app)
    register_blueprints(app)
    register_receivers(app)
    register_error_handlers(app)
    register_commands(app)
    return app

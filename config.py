"""Settings, read from the environment here and nowhere else."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = BASE_DIR / "templates"
INSTANCE_DIR = Path(os.environ.get("MATCHMAKER_INSTANCE", BASE_DIR / "instance"))

DEV_SECRET_KEY = "dev-only-not-secret"


def _bool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'matchmaker.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    INSTANCE_DIR = INSTANCE_DIR

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")
    BOOTSTRAP_SERVE_LOCAL = True

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", "0")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "matchmaker@localhost")
    MAIL_OUTBOX_DIR = os.environ.get("MAIL_OUTBOX_DIR", str(INSTANCE_DIR / "outbox"))

    REMINDER_OFFSETS = os.environ.get("REMINDER_OFFSETS", "24h,1h")
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", "0")
    # Reminder sweep: tries per message before it is `failed`, first retry delay (doubling),
    # how long a sweep owns the rows it claimed, rows claimed per transaction, SMTP timeout.
    REMINDER_MAX_ATTEMPTS = int(os.environ.get("REMINDER_MAX_ATTEMPTS", "5"))
    REMINDER_RETRY_SECONDS = int(os.environ.get("REMINDER_RETRY_SECONDS", "60"))
    REMINDER_LEASE_SECONDS = int(os.environ.get("REMINDER_LEASE_SECONDS", "600"))
    REMINDER_BATCH_SIZE = int(os.environ.get("REMINDER_BATCH_SIZE", "50"))
    # A session's notes are overdue this long after it ended (dashboard, nudge and digest alike).
    NOTES_DUE_HOURS = int(os.environ.get("NOTES_DUE_HOURS",
                                         os.environ.get("REMINDER_NOTES_NUDGE_HOURS", "24")))
    REMINDER_DIGEST_WEEKDAY = int(os.environ.get("REMINDER_DIGEST_WEEKDAY", "0"))  # Monday
    REMINDER_DIGEST_HOUR = int(os.environ.get("REMINDER_DIGEST_HOUR", "8"))  # local time
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "20"))
    SCHEDULER_INTERVAL_SECONDS = int(os.environ.get("SCHEDULER_INTERVAL_SECONDS", "60"))

    # Business knobs (DOMAIN.md defaults).
    MENTOR_CAPACITY = int(os.environ.get("MENTOR_CAPACITY", "2"))
    SERIES_SESSIONS = int(os.environ.get("SERIES_SESSIONS", "6"))
    SERIES_INTERVAL_DAYS = int(os.environ.get("SERIES_INTERVAL_DAYS", "14"))
    SESSION_MINUTES = int(os.environ.get("SESSION_MINUTES", "90"))
    SERIES_MAX_SESSIONS = 24
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:600000"
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    SET_PASSWORD_TOKEN_HOURS = 72
    CITIES_PER_PAGE = 25
    # Largest profile import accepted from the web page (JSON, XLSX or CSV set), in bytes.
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")


class DevelopmentConfig(Config):
    DEBUG = False
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", "1")


class TestingConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    # Tests do not need 600k rounds to check the flow; the production default is asserted apart.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SCHEDULER_ENABLED = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True

    @classmethod
    def validate(cls) -> None:
        if not cls.SECRET_KEY or cls.SECRET_KEY == DEV_SECRET_KEY or len(cls.SECRET_KEY) < 16:
            raise RuntimeError("Production needs a real SECRET_KEY (16+ characters) in the environment")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env():
    """Pick the config class named by MATCHMAKER_ENV (default: development)."""
    return CONFIGS[os.environ.get("MATCHMAKER_ENV", "development")]

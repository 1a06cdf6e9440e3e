"""Settings, read from the environment here and nowhere else."""

import math
import os
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = BASE_DIR / "templates"
INSTANCE_DIR = Path(os.environ.get("MATCHMAKER_INSTANCE", BASE_DIR / "instance"))

# Keys that have been published (in this repository's history) and must never sign anything.
PUBLISHED_SECRET_KEYS = {"dev-only-not-secret"}
MIN_SECRET_KEY_BYTES = 32


def _bool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def secret_key_problem(key: str | None) -> str | None:
    """Say why a key is not MIN_SECRET_KEY_BYTES of randomness, or None when it looks fine.

    A key's strength is estimated from its alphabet (hex 4 bits a character, base64 6, other
    text 6.5) and its length; a key that repeats itself or uses few symbols is refused whatever
    its length, so `aaaa…` or a phrase typed several times cannot pass.
    """
    if not key:
        return "no SECRET_KEY is set"
    if key in PUBLISHED_SECRET_KEYS:
        return "this SECRET_KEY is published and must not be used"
    chars = set(key)
    if chars <= set("0123456789abcdef") or chars <= set("0123456789ABCDEF"):
        bits_per_char = 4.0
    elif chars <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_"):
        bits_per_char = 6.0
    else:
        bits_per_char = 6.5
    counts = Counter(key)
    shannon = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    if len(key) * bits_per_char < MIN_SECRET_KEY_BYTES * 8:
        return (f"SECRET_KEY is too short: it needs {MIN_SECRET_KEY_BYTES} random bytes, e.g. "
                "python -c 'import secrets; print(secrets.token_hex(32))'")
    repeats = len({key[i:i + 6] for i in range(len(key) - 5)}) < len(key) - 5
    if len(chars) < 12 or shannon < 3.0 or counts.most_common(1)[0][1] > len(key) / 4 or repeats:
        return "SECRET_KEY does not look random (too few distinct characters or repeats)"
    return None


class Config:
    # Unset: the app makes a random key once and keeps it in the instance folder (secret_key).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'matchmaker.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    INSTANCE_DIR = INSTANCE_DIR

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")
    BOOTSTRAP_SERVE_LOCAL = True

    # Bodies larger than this get 413, except at the endpoints named in BODY_LIMITS, which take
    # file uploads and get the limit of the setting named there.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    BODY_LIMITS = {"cities.import_profiles": "IMPORT_MAX_BYTES",
                   "notes.upload_attachment": "ATTACHMENT_BODY_MAX_BYTES"}
    # How many reverse proxies in front may set X-Forwarded-For / -Proto (werkzeug ProxyFix).
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)

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
    # Fingerprinted static files (?v=<hash>) are cached this long; responses larger than
    # COMPRESS_MIN_SIZE bytes of these types are gzip-compressed (Flask-Compress).
    STATIC_MAX_AGE = int(os.environ.get("STATIC_MAX_AGE", str(365 * 24 * 3600)))
    COMPRESS_ALGORITHM = ["gzip", "deflate"]
    COMPRESS_MIN_SIZE = int(os.environ.get("COMPRESS_MIN_SIZE", "1024"))
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/csv", "text/plain", "text/javascript",
                          "application/javascript", "application/json", "application/geo+json",
                          "image/svg+xml"]
    # Files sent as streams (the static folder) are not compressed: Flask-Compress would wrap the
    # stream and never close the file. They are cached for a year by their fingerprint instead.
    COMPRESS_STREAMS = False
    REMINDER_BATCH_SIZE = int(os.environ.get("REMINDER_BATCH_SIZE", "50"))
    # Delivered rows are marked sent together at least this often (and at each batch's end); a
    # killed sweep repeats at most the messages of that window.
    REMINDER_SETTLE_MS = int(os.environ.get("REMINDER_SETTLE_MS", "100"))
    # A session's notes are overdue this long after it ended (dashboard, nudge and digest alike).
    NOTES_DUE_HOURS = int(os.environ.get("NOTES_DUE_HOURS",
                                         os.environ.get("REMINDER_NOTES_NUDGE_HOURS", "24")))
    # A proposal still unanswered this many days after it was made: one nudge to the Pokja of the
    # city that has not answered, and the facilitator's dashboard marks it.
    PROPOSAL_NUDGE_DAYS = _int("PROPOSAL_NUDGE_DAYS", 3)
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
    # Calendar checks (docs/scheduling.md), in each city's local time: "HH:MM-HH:MM".
    FRIDAY_PRAYER_WINDOW = os.environ.get("FRIDAY_PRAYER_WINDOW", "11:30-13:00")
    # Office hours per weekday (mon..sun); a day left out has none.
    OFFICE_HOURS = os.environ.get("OFFICE_HOURS",
                                  "mon-thu 07:30-16:00, fri 07:30-16:30")
    # How far ahead the planner looks for a free slot to suggest for a flagged session.
    SUGGESTION_SEARCH_DAYS = _int("SUGGESTION_SEARCH_DAYS", 14)
    # Time polls: candidate slots per poll, and the nudge to Pokja who have not answered.
    POLL_MIN_OPTIONS, POLL_MAX_OPTIONS = 2, 8
    POLL_NUDGE_DAYS = _int("POLL_NUDGE_DAYS", 3)
    # Fills an empty meeting link when the planner asks; {room} is random per programme.
    MEETING_LINK_TEMPLATE = os.environ.get("MEETING_LINK_TEMPLATE",
                                           "https://meet.jit.si/matchmaker-{room}")
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:600000"
    SET_PASSWORD_TOKEN_HOURS = 72

    # Signed-in browser sessions end after this many days, or earlier by logout.
    SESSION_LIFETIME_DAYS = _int("SESSION_LIFETIME_DAYS", 30)
    # API tokens expire after this many days unless another expiry is chosen when making one.
    API_TOKEN_DAYS = _int("API_TOKEN_DAYS", 90)
    API_TOKEN_MAX_DAYS = _int("API_TOKEN_MAX_DAYS", 366)
    # How long an API `Idempotency-Key` answers a repeat with the first answer (docs/api.md).
    IDEMPOTENCY_KEY_HOURS = _int("IDEMPOTENCY_KEY_HOURS", 24)
    # A token's or session's "last used" is written at most once per this many seconds.
    TOKEN_TOUCH_SECONDS = _int("TOKEN_TOUCH_SECONDS", 300)

    # Read pages and API reads kept per version of the data (docs/performance.md); 0 turns the
    # cache off. SECONDS bounds how stale a page's clock-dependent words may get.
    PAGE_CACHE_SECONDS = _int("PAGE_CACHE_SECONDS", 60)
    PAGE_CACHE_MB = _int("PAGE_CACHE_MB", 32)  # per process, counted as the bodies' bytes
    PAGE_CACHE_ENDPOINTS = frozenset({
        "cities.index", "cities.profile", "programmes.index", "programmes.detail",
        "reports.dashboard", "notes.knowledge", "notes.lesson", "matching.recommend_page",
        "maps.map_page", "api.get_city", "api.list_cities", "api.list_programmes",
        "api.get_programme", "api.list_lessons", "api.get_lesson", "api.recommendations",
    })

    # Sign-in throttling (see docs/security.md). Every attempt is counted before the password
    # is checked, in buckets per account+address, per account, per address, and per known
    # device (a browser that signed in to that account before). A bucket that reaches its limit
    # within the window admits one more attempt after BACKOFF seconds, then after BACKOFF *
    # MULTIPLIER, and so on up to BACKOFF_MAX; a quiet window forgets it.
    LOGIN_WINDOW_SECONDS = _int("LOGIN_WINDOW_SECONDS", 900)
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_ACCOUNT_MAX_FAILURES = _int("LOGIN_ACCOUNT_MAX_FAILURES", 20)
    LOGIN_ADDRESS_MAX_FAILURES = _int("LOGIN_ADDRESS_MAX_FAILURES", 100)
    LOGIN_BACKOFF_SECONDS = _int("LOGIN_BACKOFF_SECONDS", 30)
    LOGIN_BACKOFF_MULTIPLIER = _int("LOGIN_BACKOFF_MULTIPLIER", 2)
    LOGIN_BACKOFF_MAX_SECONDS = _int("LOGIN_BACKOFF_MAX_SECONDS", 900)
    DEVICE_COOKIE_NAME = "mm_device"
    DEVICE_COOKIE_DAYS = _int("DEVICE_COOKIE_DAYS", 180)
    # Self-service password reset requests per e-mail and per address within the window.
    RESET_WINDOW_SECONDS = _int("RESET_WINDOW_SECONDS", 3600)
    RESET_MAX_PER_EMAIL = _int("RESET_MAX_PER_EMAIL", 3)
    RESET_MAX_PER_ADDRESS = _int("RESET_MAX_PER_ADDRESS", 20)

    # Response headers (matchmaker/security.py). HSTS only where the site is served over TLS.
    HSTS_SECONDS = _int("HSTS_SECONDS", 0)
    REFERRER_POLICY = "same-origin"
    CONTENT_SECURITY_POLICY = {
        "default-src": "'self'",
        "script-src": "'self'",
        # Style attributes carry computed widths (bars); scripts stay file-only.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    CITIES_PER_PAGE = 25
    # How long browsers keep the map's boundary files before revalidating them by ETag.
    MAP_CACHE_SECONDS = int(os.environ.get("MAP_CACHE_SECONDS", "86400"))
    # Largest profile import accepted from the web page (JSON, XLSX or CSV set), in bytes.
    IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # Files attached to session notes: largest file, allowed extensions, where they are kept.
    ATTACHMENT_MAX_BYTES = _int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
    ATTACHMENT_TYPES = os.environ.get(
        "ATTACHMENT_TYPES", "pdf,doc,docx,xls,xlsx,ppt,pptx,odt,ods,odp,jpg,jpeg,png,txt")
    ATTACHMENT_DIR = os.environ.get("ATTACHMENT_DIR", "")  # empty: <instance folder>/attachments
    # The upload's body: the file plus the form around it.
    ATTACHMENT_BODY_MAX_BYTES = ATTACHMENT_MAX_BYTES + 64 * 1024


class DevelopmentConfig(Config):
    DEBUG = False
    SCHEDULER_ENABLED = _bool("SCHEDULER_ENABLED", "1")


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-only-key-never-used-outside-the-test-suite"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    # Tests do not need 600k rounds to check the flow; the production default is asserted apart.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    SCHEDULER_ENABLED = False


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    HSTS_SECONDS = _int("HSTS_SECONDS", 365 * 24 * 3600)

    @classmethod
    def validate(cls) -> None:
        problem = secret_key_problem(cls.SECRET_KEY)
        if problem:
            raise RuntimeError(f"Production needs a strong SECRET_KEY in the environment: {problem}")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env():
    """Pick the config class named by MATCHMAKER_ENV (default: development)."""
    return CONFIGS[os.environ.get("MATCHMAKER_ENV", "development")]

"""The edges of every request: the secret key, proxies, body size, API write rules, headers."""

import logging
import os
import secrets
from pathlib import Path

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

from matchmaker.errors import Forbidden, MatchmakerError

log = logging.getLogger(__name__)

SECRET_KEY_FILE = "secret_key"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class UnsupportedMediaType(MatchmakerError):
    status = 415
    code = "unsupported_media_type"


def instance_secret_key(instance_dir: Path) -> str:
    """Return the key kept in the instance folder, making it (mode 0600) the first time.

    Several workers may start at once: the key is written to a private temporary file and
    linked into place, so exactly one key wins and every worker reads that one.
    """
    path = Path(instance_dir) / SECRET_KEY_FILE
    if path.exists():
        return path.read_text().strip()
    temporary = path.with_name(f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    else:
        log.warning("No SECRET_KEY set: generated a random one and stored it in %s (mode 0600). "
                    "Set SECRET_KEY to share one key between hosts.", path)
    finally:
        temporary.unlink()
    return path.read_text().strip()


def _is_bearer_call() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


def body_limit() -> int | None:
    """This request's body limit: an upload endpoint's own (BODY_LIMITS), else MAX_CONTENT_LENGTH."""
    config = current_app.config
    setting = config["BODY_LIMITS"].get(request.endpoint)
    return config[setting] if setting else config.get("MAX_CONTENT_LENGTH")


def check_request() -> None:
    """Refuse oversized bodies early, and cross-site browser writes to the API.

    Runs before every other hook, so the CSRF check does not parse a body the limit refuses.
    """
    limit = body_limit()
    request.max_content_length = limit  # also bounds bodies sent without a Content-Length
    if limit and (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    # Anonymous API callers get their 401 from the API blueprint (api/base.py), docs excepted.
    if not request.path.startswith("/api/") or not current_user.is_authenticated:
        return
    if request.method not in WRITE_METHODS or _is_bearer_call():
        return
    # A browser session: only a same-origin script can send JSON, so no other site can write.
    if request.mimetype != "application/json":
        raise UnsupportedMediaType(_("Kirim isi permintaan sebagai Content-Type: application/json."))
    origin = request.headers.get("Origin")
    if origin is not None and origin != request.host_url.rstrip("/"):
        raise Forbidden(_("Permintaan dari situs lain ditolak."))


def content_security_policy(policy: dict[str, str]) -> str:
    return "; ".join(f"{directive} {value}" for directive, value in policy.items())


def add_security_headers(response):
    """Put the security headers on every response, static files and errors included."""
    config = current_app.config
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(config["CONTENT_SECURITY_POLICY"]))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", config["REFERRER_POLICY"])
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if config["HSTS_SECONDS"]:
        headers.setdefault("Strict-Transport-Security",
                           f"max-age={config['HSTS_SECONDS']}; includeSubDomains")
    if response.status_code == 401 and request.path.startswith("/api/"):
        headers.setdefault("WWW-Authenticate", 'Bearer realm="matchmaker"')
    return response


def init_app(app: Flask) -> None:
    """Trust the configured proxies, check requests before any view, add headers after."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
    app.after_request(add_security_headers)

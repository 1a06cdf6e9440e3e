"""Domain errors and the handlers that turn them into HTML pages or JSON."""

import logging

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

log = logging.getLogger(__name__)


class MatchmakerError(Exception):
    """Base of every domain error: a status, a machine code and a human message."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(MatchmakerError):
    status = 400
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, errors: list | None = None):
        super().__init__(message, field)
        self.errors = errors or []


class NotAuthenticated(MatchmakerError):
    status = 401
    code = "unauthorized"


class Forbidden(MatchmakerError):
    status = 403
    code = "forbidden"


class NotFound(MatchmakerError):
    status = 404
    code = "not_found"


class Conflict(MatchmakerError):
    status = 409
    code = "conflict"


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, **extra):
    body = {"error": code, "message": message, **extra}
    return jsonify(body), status


def register_error_handlers(app) -> None:
    """Answer errors as JSON under /api and as HTML pages elsewhere."""

    @app.errorhandler(MatchmakerError)
    def handle_domain_error(error: MatchmakerError):
        extra = {}
        if error.field:
            extra["field"] = error.field
        if getattr(error, "errors", None):
            extra["errors"] = error.errors
        if wants_json():
            return json_error(error.status, error.code, error.message, **extra)
        return render_template("errors/error.html", status=error.status,
                               message=error.message), error.status

    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(error: RequestEntityTooLarge):
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        message = _("Isi permintaan terlalu besar: paling banyak %(size)s MB.",
                    size=f"{limit / 1024 / 1024:g}")
        if wants_json():
            return json_error(413, "too_large", message, limit=limit)
        return render_template("errors/error.html", status=413, message=message), 413

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            return json_error(error.code or 500, code, error.description or error.name)
        return render_template("errors/error.html", status=error.code,
                               message=error.description), error.code

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, "internal_error", "Internal server error")
        return render_template("errors/error.html", status=500,
                               message="Internal server error"), 500

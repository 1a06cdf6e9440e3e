"""Domain errors and the handlers that turn them into HTML pages or JSON."""

import logging
import re

import marshmallow as ma
from flask import current_app, jsonify, render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

log = logging.getLogger(__name__)


class MatchmakerError(Exception):
    """Base of every domain error: a status, a machine code and a human message."""

    status = 400
    code = "bad_request"
    errors: list[dict] = []

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
    programme_id: int | None = None  # the existing programme a duplicate proposal ran into


class EditConflict(Conflict):
    """Someone else changed the record since this editor loaded it (optimistic locking)."""

    code = "edit_conflict"


class PreconditionFailed(MatchmakerError):
    """An `If-Match` that no longer names the record's current version."""

    status = 412
    code = "precondition_failed"


class ErrorItemSchema(ma.Schema):
    field = ma.fields.String(allow_none=True, metadata={"description": "dotted path, e.g. lessons.0.outcome"})
    message = ma.fields.String()


class ErrorSchema(ma.Schema):
    """The JSON body of every API error (documents the shape; `json_error` builds it)."""

    error = ma.fields.String(required=True, metadata={
        "description": "machine code: invalid, bad_request, unauthorized, forbidden, not_found, conflict, …"})
    message = ma.fields.String(required=True, metadata={"description": "for people, in the user's language"})
    field = ma.fields.String(metadata={"description": "the first bad field (validation errors)"})
    errors = ma.fields.List(ma.fields.Nested(ErrorItemSchema),
                            metadata={"description": "every problem (validation errors)"})


_INDEX = re.compile(r"\[(\d+)\]")


def dotted(path: str) -> str:
    """One spelling of a path in the API: `lessons[0].outcome` becomes `lessons.0.outcome`."""
    return _INDEX.sub(r".\1", path)


# Werkzeug's own descriptions are English; the API answers in the user's language.
HTTP_MESSAGES = {
    404: _l("Alamat ini tidak ada di API."),
    405: _l("Metode HTTP ini tidak didukung di alamat ini."),
}


STALE_MESSAGE = _l("Orang lain telah mengubah ini sejak Anda membukanya; muat ulang lalu coba lagi.")

# What an HTML error page says for werkzeug's errors (its own texts are English); a description
# given where the error was raised wins.
PAGE_MESSAGES = {
    400: _l("Permintaan ini tidak dapat diproses. Muat ulang halaman lalu coba lagi."),
    401: _l("Silakan masuk terlebih dahulu."),
    403: _l("Anda tidak berhak membuka halaman ini."),
    404: _l("Halaman ini tidak ada. Periksa alamatnya, atau kembali ke beranda."),
    405: _l("Metode HTTP ini tidak didukung di alamat ini."),
    415: _l("Jenis isi permintaan ini tidak didukung."),
    429: _l("Terlalu banyak permintaan. Tunggu sebentar lalu coba lagi."),
    500: _l("Terjadi kesalahan di server. Coba lagi nanti."),
}
CSRF_MESSAGE = _l("Formulir ini sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim lagi.")
PAGE_TITLES = {
    400: _l("Permintaan tidak sah"), 401: _l("Perlu masuk"), 403: _l("Tidak diizinkan"),
    404: _l("Tidak ditemukan"), 405: _l("Metode tidak didukung"), 409: _l("Bentrok"),
    413: _l("Terlalu besar"), 415: _l("Jenis isi tidak didukung"),
    429: _l("Terlalu banyak permintaan"), 500: _l("Kesalahan server"),
}


def page_message(error: HTTPException) -> str:
    """The page's sentence: the raiser's own description if it gave one, else ours."""
    if isinstance(error, CSRFError):
        return str(CSRF_MESSAGE)
    if error.description and error.description != type(error).description:
        return error.description
    return str(PAGE_MESSAGES.get(error.code or 500, PAGE_MESSAGES[400]))


def error_page(status: int, message: str):
    return render_template("errors/error.html", status=status, message=message,
                           title=PAGE_TITLES.get(status, "")), status


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, **extra):
    body = {"error": code, "message": message, **extra}
    return jsonify(body), status


def register_error_handlers(app) -> None:
    """Answer errors as JSON under /api and as HTML pages elsewhere."""

    @app.errorhandler(MatchmakerError)
    def handle_domain_error(error: MatchmakerError):
        if wants_json():
            extra: dict = {}
            if error.field:
                extra["field"] = dotted(error.field)
            if error.errors:
                extra["errors"] = [{**item, "field": dotted(item["field"]) if item.get("field") else None}
                                   for item in error.errors]
            return json_error(error.status, error.code, error.message, **extra)
        return error_page(error.status, error.message)

    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(error: RequestEntityTooLarge):
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        message = _("Isi permintaan terlalu besar: paling banyak %(size)s MB.",
                    size=format_decimal(limit / 1024 / 1024, "#,##0.#"))
        if wants_json():
            return json_error(413, "too_large", message, limit=limit)
        return error_page(413, message)

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        if wants_json():
            code = (error.name or "error").lower().replace(" ", "_")
            text = HTTP_MESSAGES.get(error.code or 500) or error.description or error.name
            response, status = json_error(error.code or 500, code, str(text))
            if allowed := getattr(error, "valid_methods", None):
                response.headers["Allow"] = ", ".join(allowed)
            return response, status
        return error_page(error.code or 500, page_message(error))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return json_error(500, "internal_error", str(PAGE_MESSAGES[500]))
        return error_page(500, str(PAGE_MESSAGES[500]))

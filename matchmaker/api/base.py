"""The /api/v1 blueprint: flask-smorest for declared input and output, this API's errors and sign-in.

Every endpoint declares its query string and body with `@bp.arguments(Schema, location=…)` and
its answer with `@bp.response(status, Schema)`; the parser below turns every problem with a
request (a bad field, malformed JSON, a body nested too deep to parse) into the API's 400
`{"error", "message", "field", "errors"}` instead of webargs' 422.
"""

import json
from typing import Any

import flask_smorest
from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from marshmallow import Schema, fields
from webargs import core
from webargs.flaskparser import FlaskParser
from werkzeug.routing import BaseConverter, IntegerConverter

from matchmaker.errors import ValidationError
from matchmaker.extensions import api, login_manager
from matchmaker.validation import KEMENDAGRI_CODE, MAX_ID, validation_error
from matchmaker.versioning import ensure_if_match, etag

PREFIX = "/api/v1"
# Addresses under /api/v1 that anyone may read: the OpenAPI document and its browsable page.
PUBLIC_ENDPOINTS = {"api_docs.openapi_json", "api_docs.docs_page"}

BODY_NOT_JSON = _l("Isi permintaan harus JSON yang sah dengan Content-Type: application/json.")
BODY_NOT_UTF8 = _l("Isi permintaan harus teks UTF-8.")


def _refuse_constant(name: str) -> float:
    raise ValueError(name)


class Parser(FlaskParser):
    """webargs' Flask parser with this API's rules for bodies and its 400 answers."""

    DEFAULT_VALIDATION_STATUS = 400
    # INTERFACES.md: unknown keys are ignored, in bodies as in query strings.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "json": None}

    def _raw_load_json(self, req) -> Any:
        raw = req.get_data(cache=True)
        if not raw:
            return core.missing  # no body: an endpoint with only optional fields gets {}
        if not core.is_json(req.mimetype):
            raise ValidationError(str(BODY_NOT_JSON))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(str(BODY_NOT_UTF8)) from None
        try:
            # NaN and Infinity are not JSON; RecursionError is how a body nested too deep ends.
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise ValidationError(str(BODY_NOT_JSON)) from None

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.messages
        if isinstance(messages, dict) and len(messages) == 1:
            # webargs files the messages under the location ({"json": {...}}); paths start below it.
            messages = next(iter(messages.values()))
        raise validation_error(messages)


class IdConverter(IntegerConverter):
    """A record id in a path, 1..2**31-1: any other number names nothing, so it is a 404."""

    regex = r"\d{1,10}"

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, min=1, max=MAX_ID)


class CodeConverter(BaseConverter):
    """A Kemendagri code in a path (`74.71`)."""

    regex = KEMENDAGRI_CODE.strip("^$")


def id_param(converter) -> dict:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}


def code_param(converter) -> dict:
    return {"type": "string", "pattern": KEMENDAGRI_CODE, "example": "74.71"}


CONVERTERS = {"id": IdConverter, "code": CodeConverter}
api.register_converter(IdConverter, id_param)  # once per process: the Api object outlives apps
api.register_converter(CodeConverter, code_param)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = Parser()


bp = Blueprint("api", __name__, url_prefix=PREFIX)


@bp.before_app_request
def require_sign_in():
    """Every /api/v1 address, known or not, answers 401 to anonymous callers (except the docs)."""
    path = request.path
    if path != PREFIX and not path.startswith(PREFIX + "/"):
        return None
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


@bp.after_request
def tag_other_reads(response):
    """GETs of records without a version (a city's profile, lists) get a weak ETag of their body."""
    if request.method == "GET" and response.status_code == 200 and response.is_json \
            and "ETag" not in response.headers:
        response.add_etag(weak=True)
    return response


class IdSchema(Schema):
    id = fields.Integer(required=True)


def documented_errors(*statuses: int):
    """Document the error answers an endpoint gives besides 401 and the 400 of its declared input."""
    def decorate(func):
        for status in (401, *statuses):
            func = bp.alt_response(status, response=_ERROR_RESPONSES[status])(func)
        return func
    return decorate


_ERROR_RESPONSES = {401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT",
                    412: "PRECONDITION_FAILED", 422: "UNPROCESSABLE_ENTITY"}


def tagged(tag) -> dict:
    """The `ETag` header of a response showing a record at version (or composite) `tag`."""
    return {"ETag": etag(tag)}


def require_if_match(version: int) -> int | None:
    """Honour the request's `If-Match` against the record's current version (412 when stale);
    the version it named, for the write to check again, or None without one."""
    return version if ensure_if_match(request.headers.get("If-Match"), etag(version)) else None

"""The /api/v1 blueprint and the request helpers every API module uses."""

from flask import Blueprint, request
from flask_login import login_required

from matchmaker.errors import ValidationError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
@login_required
def require_login():
    """Every endpoint needs a user: bearer token or browser session."""


def json_body() -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    data = request.get_json(silent=True)
    if data is None:
        raise ValidationError("The body must be valid JSON with Content-Type: application/json")
    if not isinstance(data, dict):
        raise ValidationError("The body must be a JSON object")
    return data


def int_arg(name: str, default: int, low: int = 1, high: int = 1000) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError(f"{name} must be a whole number", field=name) from None
    if not low <= value <= high:
        raise ValidationError(f"{name} must be between {low} and {high}", field=name)
    return value



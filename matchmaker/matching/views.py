"""Web pages of the matching package."""

from flask import Blueprint

bp = Blueprint("matching", __name__)

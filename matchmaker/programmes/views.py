"""Web pages of the programmes package."""

from flask import Blueprint

bp = Blueprint("programmes", __name__)

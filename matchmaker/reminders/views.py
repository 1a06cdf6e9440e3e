"""Web pages of the reminders package."""

from flask import Blueprint

bp = Blueprint("reminders", __name__)

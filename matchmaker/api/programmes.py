"""Programmes endpoints of the JSON API."""

from matchmaker.api.base import bp  # noqa: F401

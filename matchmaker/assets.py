"""Static files at fingerprinted addresses, kept by browsers for a year.

`url_for('static', filename=…)` (and a blueprint's static endpoint) gets `?v=<hash of the file>`,
so the address changes whenever the file does; a request that carries the fingerprint may then be
cached for STATIC_MAX_AGE seconds without asking again.
"""

import hashlib
import os
from functools import lru_cache

from flask import Flask, current_app, request


@lru_cache(maxsize=512)
def _digest(path: str, _mtime_ns: int) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


def _static_folder(endpoint: str) -> str | None:
    if endpoint == "static":
        return current_app.static_folder
    blueprint, _dot, name = endpoint.rpartition(".")
    if name == "static" and blueprint in current_app.blueprints:
        return current_app.blueprints[blueprint].static_folder
    return None


def add_fingerprint(endpoint: str, values: dict) -> None:
    folder = _static_folder(endpoint)
    if folder is None or "v" in values or "filename" not in values:
        return
    path = os.path.join(folder, values["filename"])
    try:
        values["v"] = _digest(path, os.stat(path).st_mtime_ns)
    except OSError:
        return  # a missing file gets its 404 at the plain address


def cache_fingerprinted(response):
    if (request.endpoint and _static_folder(request.endpoint) is not None and "v" in request.args
            and response.status_code in (200, 304)):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = current_app.config["STATIC_MAX_AGE"]
        response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> None:
    app.url_defaults(add_fingerprint)
    app.after_request(cache_fingerprinted)

"""The OpenAPI document of /api/v1 and a page to browse it, open to anyone."""

import json

from flask import Blueprint, current_app, render_template

from matchmaker.api.base import PREFIX

docs_bp = Blueprint("api_docs", __name__, url_prefix=PREFIX)


@docs_bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3 document: every endpoint with its query, body, answer and errors."""
    spec = current_app.extensions["openapi_spec"]  # this app's, not the last one built in the process
    # json.dumps, not Flask's provider: that sorts keys, and the paths read best in declaration order.
    return current_app.response_class(json.dumps(spec.to_dict()), mimetype="application/json")


@docs_bp.get("/docs")
def docs_page():
    """Swagger UI over the document, from locally served files and without inline script."""
    return render_template("api/docs.html")

"""The reference endpoint of bench_http.py: a minimal Flask-SQLAlchemy app that reads one city row.

It shares the database and gunicorn settings with the app under test, so the ratio between the
two measures what Matchmaker adds on top of Flask, SQLAlchemy and the database round trip.
"""

import os

from flask import Flask, jsonify
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import text

db = SQLAlchemy()


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)

    @app.get("/city/<code>")
    def city(code: str):
        row = db.session.execute(text("SELECT code, name, province_name FROM cities WHERE code = :c"),
                                 {"c": code}).one()
        return jsonify({"code": row.code, "name": row.name, "province": row.province_name})

    return app

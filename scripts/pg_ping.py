"""Exit 0 when the PostgreSQL server of the given SQLAlchemy URL answers."""

import sys

import psycopg
from sqlalchemy.engine import make_url

url = make_url(sys.argv[1])
with psycopg.connect(host=url.host, port=url.port or 5432, user=url.username,
                     dbname=url.database, connect_timeout=3) as conn:
    conn.execute("SELECT 1")

"""Column types shared by every domain's models, and the SQLite connection settings."""

import sqlite3
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import CursorResult, DateTime, Enum, Executable
from sqlalchemy.types import TypeDecorator

from matchmaker.extensions import db


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out, on SQLite (which drops the zone) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(cls, name: str) -> Enum:
    """A StrEnum stored as its values in a VARCHAR with a CHECK, the same on every database."""
    return Enum(cls, name=name, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e], validate_strings=True)


def tune_sqlite(dbapi_connection, _record) -> None:
    """WAL lets readers go on while a sweep writes, and NORMAL sync spares an fsync per commit."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def changed_rows(statement: Executable) -> int:
    """Run an UPDATE, DELETE or INSERT in the request's session; return how many rows it touched."""
    return cast(CursorResult, db.session.execute(statement)).rowcount

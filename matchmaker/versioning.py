"""Optimistic locking: the version an editor saw, checked against the row's (no lost edits).

Programmes, sessions, notes, lessons and actions carry a `version` (SQLAlchemy's
`version_id_col`): every UPDATE says `WHERE version = <the version loaded>` and bumps it, so of
two edits made from the same version exactly one is written. The API shows the version as an
`ETag` and takes it back as `If-Match` (412 when stale) or as a body `"version"` (409).
"""

import re

from sqlalchemy.orm.exc import StaleDataError

from matchmaker.errors import STALE_MESSAGE, EditConflict, PreconditionFailed
from matchmaker.extensions import db


def ensure_version(row, expected: int | None) -> None:
    """Refuse an edit made from another version than the row's current one (409)."""
    if expected is not None and expected != row.version:
        raise EditConflict(str(STALE_MESSAGE), field="version")


def flush_edit() -> None:
    """Flush; an UPDATE that found its version gone becomes a 409 instead of a 500."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()  # the failed flush left the session unusable; nothing was written
        raise EditConflict(str(STALE_MESSAGE), field="version") from None


_CODING = re.compile(r':(?:gzip|deflate|br|zstd)"$')


def etag(tag) -> str:
    """A strong entity tag for a version (or a composite of versions)."""
    return f'"{tag}"'


def ensure_if_match(header: str | None, current: str) -> bool:
    """Honour `If-Match`: `*` or one of the listed tags must be the current one (else 412).
    True when the header named the current version, which the write must then still find."""
    if not header or header.strip() == "*":
        return False
    # Weak tags (W/"3") name the same version here: the tag is the version, not the bytes. So
    # does the tag of a compressed answer, to which Flask-Compress adds its coding ("3:gzip").
    tags = {_CODING.sub('"', tag.strip().removeprefix("W/")) for tag in header.split(",")}
    if current not in tags:
        raise PreconditionFailed(str(STALE_MESSAGE))
    return True


def register_stale_handler(app) -> None:
    """A flush outside `flush_edit` (a view's commit) that lost the race: the same 409, not a 500."""

    @app.errorhandler(StaleDataError)
    def handle_stale(_error: StaleDataError):
        db.session.rollback()  # the page or JSON below may read the database again
        return app.handle_user_exception(EditConflict(str(STALE_MESSAGE)))

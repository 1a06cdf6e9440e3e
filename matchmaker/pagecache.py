"""Read pages and API reads kept per version of the data, so a repeat costs two small queries.

Every committed write through the ORM session bumps one counter row (`data_version`) in the same
transaction, so the counter moves exactly when what a page shows can have moved, whichever
process wrote. A cacheable GET (an endpoint in PAGE_CACHE_ENDPOINTS, a signed-in user, no flash
message waiting) is looked up under the counter, the user, the browser session's CSRF secret
(its forms carry tokens made from it), the language, the time zone and the full address; a miss
renders as usual and keeps a 200 answer for PAGE_CACHE_SECONDS, the bound on how stale its
clock-dependent parts ("in 2 hours", overdue marks) may get; a hard reload (`Cache-Control:
no-cache`) renders anew. Each process keeps its own entries; `X-Page-Cache` says hit or miss.
"""

import threading
from collections.abc import Callable
from typing import TypeVar

from cachetools import TTLCache
from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from sqlalchemy import DDL, BigInteger, Integer, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from matchmaker.extensions import Model, db

EXTENSION_KEY = "page_cache"
VALUES_KEY = "page_cache_values"
VALUES_KEPT = 10_000
_MISSING = object()
T = TypeVar("T")
_CHANGED = "data_changed"
# Bookkeeping no cached page shows: writing it does not make pages stale.
UNVERSIONED = {"data_version", "throttles", "idempotency_keys", "user_sessions", "api_tokens"}
_KEPT_HEADERS_SKIP = {"set-cookie", "content-length"}
MAX_BODY = 512 * 1024
STATUS_HEADER = "X-Page-Cache"  # hit or miss, on cacheable requests


class DataVersion(Model):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)


event.listen(DataVersion.__table__, "after_create",
             DDL("INSERT INTO data_version (id, n) VALUES (1, 0)"))


def _versioned(table_name: str) -> bool:
    return table_name not in UNVERSIONED


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        if _versioned(getattr(instance, "__tablename__", "")):
            session.info[_CHANGED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if table is not None and _versioned(table.name):
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    """Move the counter in the committing transaction, after its last flush."""
    if session.in_nested_transaction():
        return  # the outer commit bumps once for everything
    session.flush()
    if session.info.pop(_CHANGED, False):
        session.execute(update(DataVersion).where(DataVersion.id == 1).values(n=DataVersion.n + 1))


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


def data_version() -> int | None:
    return db.session.scalar(select(DataVersion.n).where(DataVersion.id == 1))


def _key():
    """This request's cache key, or None when it must be rendered."""
    if request.method != "GET" or request.endpoint not in current_app.config["PAGE_CACHE_ENDPOINTS"]:
        return None
    if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
        return None  # the view answers those with 304 itself
    if not current_user.is_authenticated or "_flashes" in session:
        return None
    version = data_version()
    if version is None:
        return None
    bearer = request.headers.get("Authorization", "").startswith("Bearer ")
    return (version, request.endpoint, request.full_path, current_user.id,
            "bearer" if bearer else session.get("csrf_token"), str(get_locale()), str(get_timezone()))


def _fresh_wanted() -> bool:
    """A hard reload (`Cache-Control: no-cache`) renders anew, and keeps what it rendered."""
    return "no-cache" in request.headers.get("Cache-Control", "") \
        or "no-cache" in request.headers.get("Pragma", "")


def serve_cached() -> Response | None:
    key = _key()
    if key is None:
        return None
    cache, lock = current_app.extensions[EXTENSION_KEY]
    with lock:
        kept = None if _fresh_wanted() else cache.get(key)
    if kept is None:
        g.page_cache_key = key
        return None
    body, status, headers = kept
    response = Response(body, status=status, headers=headers)
    response.headers[STATUS_HEADER] = "hit"
    return response


def remembered(name: str, compute: Callable[[], T]) -> T:
    """A value for the signed-in user kept like a page, per data version and for at most
    PAGE_CACHE_SECONDS: the navbar's "waiting on you" count, which every page shows."""
    store = current_app.extensions.get(VALUES_KEY)
    if store is None or not current_user.is_authenticated:
        return compute()
    page_key = g.get("page_cache_key")
    key = (name, page_key[0] if page_key else data_version(), current_user.id)
    cache, lock = store
    with lock:
        value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        with lock:
            cache[key] = value
    return value


def keep_response(response: Response) -> Response:
    key = g.pop("page_cache_key", None)
    if key is not None:
        response.headers[STATUS_HEADER] = "miss"
    if key is None or response.status_code != 200 or response.direct_passthrough or response.is_streamed:
        return response
    if session.modified:  # the view changed the session: render again next time
        return response
    body = response.get_data()
    cache, lock = current_app.extensions[EXTENSION_KEY]
    if len(body) > min(MAX_BODY, cache.maxsize):
        return response
    headers = [(name, value) for name, value in response.headers.items()
               if name.lower() not in _KEPT_HEADERS_SKIP]
    with lock:
        cache[key] = (body, response.status_code, headers)
    return response


def _body_size(kept: tuple) -> int:
    return len(kept[0]) + 1


def init_app(app: Flask) -> None:
    """Register after the other response hooks, so the kept answer is the one before compression."""
    seconds = app.config["PAGE_CACHE_SECONDS"]
    if seconds <= 0:
        return
    size = app.config["PAGE_CACHE_MB"] * 1024 * 1024  # bodies' bytes, per process
    app.extensions[EXTENSION_KEY] = (TTLCache(maxsize=size, ttl=seconds, getsizeof=_body_size),
                                     threading.Lock())
    app.extensions[VALUES_KEY] = (TTLCache(maxsize=VALUES_KEPT, ttl=seconds), threading.Lock())
    app.before_request(serve_cached)
    app.after_request(keep_response)

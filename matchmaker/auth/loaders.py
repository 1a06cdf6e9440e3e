"""How Flask-Login finds the user: a server-side session named in the cookie, or a bearer token.

"Last used" times are written after the view, in their own short transaction and at most once
per TOKEN_TOUCH_SECONDS, so reading a page never commits the request's own transaction.
"""

import logging
from datetime import datetime

from flask import flash, g, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy.exc import SQLAlchemyError

from matchmaker.auth.models import ApiToken, User, UserSession
from matchmaker.auth.services import needs_touch, touch_statement, user_for_session, user_for_token
from matchmaker.errors import NotAuthenticated
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow

log = logging.getLogger(__name__)

TOUCH_WAIT_MS = 200


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


def _note_touch(model, row_id: int, last: datetime | None, now: datetime) -> None:
    if needs_touch(last, now):
        g.auth_touch = (model, row_id, now)


def load_user(session_token: str) -> User | None:
    if _bearer() is not None:
        return None  # a bearer token, when sent, is the only credential that counts
    now = utcnow()
    user = user_for_session(session_token, now)
    if user is not None and user.current_session is not None:
        _note_touch(UserSession, user.current_session.id, user.current_session.last_seen_at, now)
    return user


def load_user_from_token(req) -> User | None:
    token = _bearer()
    if token is None:
        return None
    now = utcnow()
    user = user_for_token(token, now)
    if user is not None and user.current_api_token is not None:
        _note_touch(ApiToken, user.current_api_token.id, user.current_api_token.last_used_at, now)
    return user


def unauthorized():
    if request.path.startswith("/api/"):
        raise NotAuthenticated("Authentication required: send 'Authorization: Bearer <token>'")
    flash(_l("Silakan masuk untuk membuka halaman ini."), "warning")
    return redirect(url_for("auth.login", next=request.full_path))


def _touch(connection, statement) -> None:
    """Run the touch without queueing long behind a writer: it is worth less than the request."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{TOUCH_WAIT_MS}ms'")
        connection.execute(statement)
        return
    usual = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    connection.exec_driver_sql(f"PRAGMA busy_timeout = {TOUCH_WAIT_MS}")
    try:
        connection.execute(statement)
    finally:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(usual)}")


def record_last_use(response):
    """Write the pending "last used" on a connection of its own; a failure only costs the touch."""
    pending = g.pop("auth_touch", None)
    if pending is not None and response.status_code < 500:
        model, row_id, now = pending
        try:
            with db.engine.begin() as connection:
                _touch(connection, touch_statement(model, row_id, now))
        except SQLAlchemyError:
            log.warning("Could not record the last use of %s %s", model.__name__, row_id, exc_info=True)
    return response


def init_login(manager: LoginManager) -> None:
    """Tell Flask-Login where users come from and where to send anonymous visitors."""
    manager.login_view = "auth.login"
    manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    manager.login_message_category = "warning"
    manager.user_loader(load_user)
    manager.request_loader(load_user_from_token)
    manager.unauthorized_handler(unauthorized)

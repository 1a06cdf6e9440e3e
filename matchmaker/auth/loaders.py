"""How Flask-Login finds the user: a session cookie, or a bearer token on the API."""

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from matchmaker.auth.models import User
from matchmaker.auth.services import user_for_token
from matchmaker.errors import NotAuthenticated
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow


def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user and user.is_enabled else None


def load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    user = user_for_token(header[7:].strip(), utcnow())
    if user is not None:
        db.session.commit()
    return user


def unauthorized():
    if request.path.startswith("/api/"):
        raise NotAuthenticated("Authentication required: send 'Authorization: Bearer <token>'")
    flash(_l("Silakan masuk untuk membuka halaman ini."), "warning")
    return redirect(url_for("auth.login", next=request.full_path))


def init_login(manager: LoginManager) -> None:
    """Tell Flask-Login where users come from and where to send anonymous visitors."""
    manager.login_view = "auth.login"
    manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    manager.login_message_category = "warning"
    manager.user_loader(load_user)
    manager.request_loader(load_user_from_token)
    manager.unauthorized_handler(unauthorized)

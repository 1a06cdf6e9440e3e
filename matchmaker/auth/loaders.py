"""How Flask-Login finds the user: a session cookie, or a bearer token on the API."""

from flask import flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from matchmaker.auth.models import User
from matchmaker.auth.services import user_for_token
from matchmaker.errors import NotAuthenticated
from matchmaker.extensions import db, login_manager
from matchmaker.timeutils import utcnow

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
login_manager.login_message_category = "warning"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user and user.is_enabled else None


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    user = user_for_token(header[7:].strip(), utcnow())
    if user is not None:
        db.session.commit()
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        raise NotAuthenticated("Authentication required: send 'Authorization: Bearer <token>'")
    flash(login_manager.login_message, "warning")
    return redirect(url_for("auth.login", next=request.full_path))

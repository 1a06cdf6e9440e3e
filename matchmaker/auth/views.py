"""Sign-in, sign-out, passwords, API tokens, language and the user admin page."""

import secrets
from urllib.parse import urlparse

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from matchmaker.auth import services
from matchmaker.auth.forms import (
    ApiTokenForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    PreferencesForm,
    SetPasswordForm,
    UserForm,
)
from matchmaker.auth.models import User
from matchmaker.errors import MatchmakerError
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlparse(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("reports.home")  # each role's home: see reports/agenda.py


def _address() -> str:
    """The client's address: werkzeug's ProxyFix has already applied TRUSTED_PROXIES hops."""
    return request.remote_addr or "?"


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="matchmaker-known-device")


def _known_device(email: str) -> str | None:
    """This browser's device id, if its signed cookie says it signed in to this account before."""
    config = current_app.config
    raw = request.cookies.get(config["DEVICE_COOKIE_NAME"])
    if not raw:
        return None
    try:
        data = _device_serializer().loads(raw, max_age=config["DEVICE_COOKIE_DAYS"] * 86400)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != services.device_key(email):
        return None
    return data.get("d")


def _remember_device(response, email: str, device: str | None) -> None:
    config = current_app.config
    value = _device_serializer().dumps({"d": device or secrets.token_urlsafe(16),
                                        "a": services.device_key(email)})
    response.set_cookie(config["DEVICE_COOKIE_NAME"], value, max_age=config["DEVICE_COOKIE_DAYS"] * 86400,
                        secure=config["SESSION_COOKIE_SECURE"], httponly=True, samesite="Lax")


def _too_many(template: str, error: services.TooManyAttempts, **context):
    db.session.commit()
    flash(error.message, "danger")
    response = make_response(render_template(template, **context), 429)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def _prune_throttles(now) -> None:
    services.prune_throttles(now)
    db.session.commit()


def _sign_in(user: User, now) -> None:
    services.start_session(user, _address(), request.user_agent.string, now)
    db.session.commit()
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        now = utcnow()
        device = _known_device(form.email.data)
        try:
            attempt = services.begin_sign_in(form.email.data, _address(), device, now)
        except services.TooManyAttempts as error:
            return _too_many("auth/login.html", error, form=form)
        db.session.commit()  # the attempt is on record (and counted) before the password is checked
        user = services.finish_sign_in(attempt, form.password.data, now)
        if user is None:
            db.session.commit()
            _prune_throttles(now)
            form.password.errors.append(_("E-mail atau kata sandi salah."))
            return render_template("auth/login.html", form=form), 401
        if session.get("lang") in current_app.config["LANGUAGES"]:
            user.language = session["lang"]  # chosen on the sign-in page: keep it, for e-mail too
        _sign_in(user, now)
        _prune_throttles(now)
        response = redirect(_safe_next(request.args.get("next")))
        _remember_device(response, user.email, device)
        return response
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    """Sign out by POST (with the CSRF token); GET only shows the button."""
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        return render_template("auth/logout.html")
    if current_user.is_authenticated:
        if request.form.get("everywhere") == "1":
            services.end_all_sessions(current_user, utcnow())
        else:
            services.end_session(current_user, utcnow())
        db.session.commit()
    logout_user()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            current_user.language = code
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Send a reset link; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            services.request_password_reset(form.email.data, _address(), now)
        except services.TooManyAttempts as error:
            return _too_many("auth/forgot_password.html", error, form=form)
        db.session.commit()
        _prune_throttles(now)
        flash(_("Jika alamat itu terdaftar, tautan sekali pakai untuk mengatur kata sandi baru sudah "
                "dikirim ke sana. Periksa e-mail Anda."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    services.password_link_user(token, utcnow())
    form = SetPasswordForm()
    if form.validate_on_submit():
        now = utcnow()
        try:
            user = services.use_password_link(token, form.password.data, now)
        except MatchmakerError as error:
            db.session.rollback()
            if error.status == 404:
                raise
            form.password.errors.append(error.message)
        else:
            if current_user.is_authenticated:
                logout_user()
            _sign_in(user, now)
            flash(_("Kata sandi tersimpan. Selamat datang!"), "success")
            return redirect(url_for("cities.index"))
    return render_template("auth/set_password.html", form=form)


def _account_page(password_form=None, prefs=None, token_form=None, new_token=None):
    response = make_response(render_template(
        "auth/account.html",
        password_form=password_form or ChangePasswordForm(prefix="pw"),
        prefs=prefs or PreferencesForm(prefix="prefs", obj=current_user),
        token_form=token_form or ApiTokenForm(prefix="token", formdata=None),
        tokens=services.list_api_tokens(current_user),
        sessions=services.list_sessions(current_user, utcnow()),
        new_token=new_token, now=utcnow()))
    response.headers["Cache-Control"] = "no-store"  # a new token is shown once, never cached
    return response


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    password_form = ChangePasswordForm(prefix="pw")
    prefs = PreferencesForm(prefix="prefs", obj=current_user)
    token_form = ApiTokenForm(prefix="token")
    if "pw-submit" in request.form and password_form.validate_on_submit():
        try:
            services.change_password(current_user, password_form.current_password.data,
                                     password_form.password.data, utcnow())
        except MatchmakerError as error:
            db.session.rollback()
            getattr(password_form, error.field or "password").errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Kata sandi diganti. Sesi lain dan semua token API sudah diakhiri."), "success")
            return redirect(url_for("auth.account"))
    elif "prefs-submit" in request.form and prefs.validate_on_submit():
        current_user.language = prefs.language.data
        current_user.timezone = prefs.timezone.data or None
        session.pop("lang", None)
        db.session.commit()
        flash(_("Preferensi disimpan."), "success")
        return redirect(url_for("auth.account"))
    elif "token-submit" in request.form and token_form.validate_on_submit():
        try:
            token = services.issue_api_token(current_user, utcnow(), token_form.name.data,
                                             token_form.days.data)
        except MatchmakerError as error:
            db.session.rollback()
            getattr(token_form, error.field or "name").errors.append(error.message)
        else:
            db.session.commit()
            return _account_page(new_token=token)
    return _account_page(password_form, prefs, token_form if "token-submit" in request.form else None)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    services.revoke_api_token(current_user, token_id, utcnow())
    db.session.commit()
    flash(_("Token dicabut."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def users():
    listed = services.list_users(current_user)
    form = UserForm()
    link = None
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.role.data, form.name.data,
                                        form.city.data or None, language=form.language.data)
            token = services.invite_user(user, utcnow())
        except MatchmakerError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            db.session.commit()
            link = services.set_password_url(token)
            flash(_("Pengguna %(email)s dibuat; tautan untuk mengatur kata sandi juga dikirim lewat "
                    "e-mail.", email=user.email), "success")
            form = UserForm(formdata=None)
            listed = services.list_users(current_user)
    return render_template("auth/users.html", form=form, users=listed, link=link)


@bp.route("/admin/users/<int:user_id>/enabled", methods=["POST"])
@login_required
def toggle_user(user_id: int):
    user = services.get_user(current_user, user_id)
    services.set_user_enabled(current_user, user, request.form.get("enabled") == "1", utcnow())
    db.session.commit()
    return redirect(url_for("auth.users"))

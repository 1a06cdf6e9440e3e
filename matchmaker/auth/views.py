"""Sign-in, sign-out, passwords, language and the user admin page."""

from urllib.parse import urlparse

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from matchmaker.auth import services
from matchmaker.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    PreferencesForm,
    SetPasswordForm,
    UserForm,
)
from matchmaker.errors import MatchmakerError
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlparse(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("cities.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data,
                                         request.remote_addr or "?", utcnow())
        except services.TooManyAttempts as error:
            db.session.commit()
            flash(error.message, "danger")
            return render_template("auth/login.html", form=form), 429
        db.session.commit()
        if user is None:
            form.password.errors.append(_("E-mail atau kata sandi salah."))
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        if session.get("lang") in current_app.config["LANGUAGES"]:
            user.language = session["lang"]  # chosen on the sign-in page: keep it, for e-mail too
            db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
def logout():
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


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    services.password_link_user(token, utcnow())
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.use_password_link(token, form.password.data, utcnow())
        except MatchmakerError as error:
            form.password.errors.append(error.message)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Kata sandi tersimpan. Selamat datang!"), "success")
            return redirect(url_for("cities.index"))
    return render_template("auth/set_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    password_form = ChangePasswordForm(prefix="pw")
    prefs = PreferencesForm(prefix="prefs", obj=current_user)
    if "pw-submit" in request.form and password_form.validate_on_submit():
        try:
            services.change_password(current_user, password_form.current_password.data,
                                     password_form.password.data)
        except MatchmakerError as error:
            getattr(password_form, error.field or "password").errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Kata sandi diganti."), "success")
            return redirect(url_for("auth.account"))
    elif "prefs-submit" in request.form and prefs.validate_on_submit():
        current_user.language = prefs.language.data
        current_user.timezone = prefs.timezone.data or None
        session.pop("lang", None)
        db.session.commit()
        flash(_("Preferensi disimpan."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", password_form=password_form, prefs=prefs)


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
    services.set_user_enabled(current_user, user, request.form.get("enabled") == "1")
    db.session.commit()
    return redirect(url_for("auth.users"))

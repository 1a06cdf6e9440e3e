"""Accounts: creating users, signing in, passwords, API tokens and who may change what."""

import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from matchmaker import signals
from matchmaker.access import Role, ensure_admin
from matchmaker.auth.models import ApiToken, LoginFailure, PasswordLink, User, hash_token
from matchmaker.cities.models import City
from matchmaker.errors import Conflict, Forbidden, NotFound, ValidationError
from matchmaker.extensions import db

MIN_PASSWORD_LENGTH = 10


class TooManyAttempts(Forbidden):
    status = 429
    code = "too_many_attempts"


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(email: str, role: str, name: str = "", city_code: str | None = None,
                password: str | None = None, language: str = "id") -> User:
    """Create an account; a pokja account is bound to exactly one city."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ValidationError(_("Alamat e-mail tidak valid."), field="email")
    if role not in set(Role):
        raise ValidationError(_("Peran tidak dikenal: %(role)s", role=role), field="role")
    if get_user_by_email(email):
        raise Conflict(_("Pengguna %(email)s sudah ada.", email=email), field="email")
    city = None
    if role == Role.POKJA:
        if not city_code:
            raise ValidationError(_("Anggota Pokja harus terikat pada satu kota."), field="city")
        city = db.session.scalar(select(City).where(City.code == city_code))
        if city is None:
            raise NotFound(_("Kota %(code)s tidak ada.", code=city_code), field="city")
    user = User(email=email, role=role, name=name or email.split("@")[0], city=city,
                language=language if language in current_app.config["LANGUAGES"] else "id")
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH), field="password")
    user.password_hash = generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"])


def authenticate(email: str, password: str, address: str, now: datetime) -> User | None:
    """Check a sign-in; refuse outright while the account or address has too many recent failures."""
    email = (email or "").strip().lower()
    window = now - timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    by_email = db.session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.email == email, LoginFailure.at >= window))
    by_address = db.session.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.address == address, LoginFailure.at >= window))
    if by_email >= limit or by_address >= limit * 4:
        raise TooManyAttempts(_("Terlalu banyak percobaan gagal. Coba lagi dalam beberapa menit."))
    user = get_user_by_email(email)
    if user and user.is_enabled and user.password_hash and check_password_hash(
            user.password_hash, password or ""):
        db.session.execute(db.delete(LoginFailure).where(LoginFailure.email == email))
        return user
    db.session.add(LoginFailure(email=email, address=address, at=now))
    db.session.flush()
    return None


def change_password(user: User, current: str, new: str) -> None:
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise ValidationError(_("Kata sandi saat ini salah."), field="current_password")
    set_password(user, new)


def create_password_link(user: User, now: datetime) -> str:
    """Return a one-time token to set a password; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    hours = current_app.config["SET_PASSWORD_TOKEN_HOURS"]
    db.session.add(PasswordLink(user=user, token_hash=hash_token(token),
                                expires_at=now + timedelta(hours=hours)))
    db.session.flush()
    return token


def set_password_url(token: str) -> str:
    """The one form of a set-password link, in the UI, the CLI and e-mails alike."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/set-password/{token}"


def invite_user(user: User, now: datetime) -> str:
    """A new account's one-time link: returned to show, and a second one sent by e-mail."""
    token = create_password_link(user, now)
    signals.password_link_requested.send(user, now=now)
    return token


def password_link_user(token: str, now: datetime) -> PasswordLink:
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == hash_token(token)))
    if link is None or link.used_at is not None or link.expires_at < now:
        raise NotFound(_("Tautan ini tidak berlaku atau sudah dipakai."))
    return link


def use_password_link(token: str, password: str, now: datetime) -> User:
    link = password_link_user(token, now)
    set_password(link.user, password)
    link.used_at = now
    return link.user


def issue_api_token(user: User) -> str:
    token = "mm_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, token_hash=hash_token(token)))
    db.session.flush()
    return token


def user_for_token(token: str, now: datetime) -> User | None:
    row = db.session.scalar(select(ApiToken).where(
        ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.is_enabled:
        return None
    row.last_used_at = now
    return row.user


def list_users(actor: User, q: str = "") -> list[User]:
    ensure_admin(actor)
    stmt = select(User).order_by(User.role, User.email)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.email).like(like), func.lower(User.name).like(like)))
    return list(db.session.scalars(stmt))


def get_user(actor: User, user_id: int) -> User:
    ensure_admin(actor)
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Pengguna tidak ditemukan."))
    return user


def set_user_enabled(actor: User, user: User, enabled: bool) -> None:
    ensure_admin(actor)
    if actor.id == user.id and not enabled:
        raise ValidationError(_("Anda tidak dapat menonaktifkan akun sendiri."))
    user.is_enabled = enabled

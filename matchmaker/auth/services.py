"""Accounts: users, sign-in and its throttling, sessions, passwords, API tokens, who may change what."""

import gzip
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import cast

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Table, case, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from matchmaker import signals
from matchmaker.access import Role, ensure_admin
from matchmaker.auth.models import ApiToken, PasswordLink, Throttle, User, UserSession, hash_token
from matchmaker.cities.models import City
from matchmaker.dbtypes import UTCDateTime, changed_rows
from matchmaker.errors import Conflict, Forbidden, NotFound, ValidationError
from matchmaker.extensions import db

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"


class TooManyAttempts(Forbidden):
    status = 429
    code = "too_many_attempts"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


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
        _store_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


# ---------------------------------------------------------------- passwords

@cache
def common_passwords() -> frozenset[str]:
    """The shipped block-list (see auth/data/README.md), lowercased."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip() for line in lines if line.strip())


def password_problem(password: str, email: str = "") -> str | None:
    """Say what is wrong with a new password, or None when it may be used."""
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _("Kata sandi paling banyak %(n)d karakter.", n=MAX_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords():
        return _("Kata sandi ini termasuk yang paling sering dipakai orang. Pilih yang lain.")
    if len(set(lowered)) < 5:
        return _("Kata sandi ini terlalu mudah ditebak: pakai lebih banyak huruf yang berbeda.")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 6 and local_part in lowered:
        return _("Kata sandi tidak boleh memuat alamat e-mail Anda.")
    return None


def _store_password(user: User, password: str) -> None:
    problem = password_problem(password, user.email or "")
    if problem:
        raise ValidationError(problem, field="password")
    user.password_hash = generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _password_changed(user: User, now: datetime, keep: UserSession | None = None) -> None:
    """A new password ends every other session, every API token and every open link."""
    user.password_changed_at = now
    end_all_sessions(user, now, keep=keep)
    revoke_all_tokens(user, now)
    db.session.execute(update(PasswordLink).where(
        PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None)).values(used_at=now))


def change_password(user: User, current: str, new: str, now: datetime) -> None:
    """Change a signed-in user's password; this browser stays signed in, all else is ended."""
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise ValidationError(_("Kata sandi saat ini salah."), field="current_password")
    _store_password(user, new)
    _password_changed(user, now, keep=user.current_session)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def _password_matches(user: User | None, password: str) -> bool:
    """Check a password with the same work whether or not the account exists or can sign in."""
    usable = user is not None and user.is_enabled and bool(user.password_hash)
    stored = user.password_hash if user is not None and usable else None
    stored = stored or _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
    return check_password_hash(stored, password or "") and usable


# ---------------------------------------------------------------- throttles

def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _lock_throttles(keys: list[str], now: datetime, window: timedelta) -> dict[str, Throttle]:
    """Create or lock each counter row (in one order, so no two callers wait on each other).

    PostgreSQL holds the row locks, SQLite its database write lock, until the caller commits,
    so concurrent attempts are counted one after the other. A row quiet for a whole window
    starts again from zero.
    """
    table = cast(Table, Throttle.__table__)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    at = literal(now, UTCDateTime())
    stale = table.c.last_at <= literal(now - window, UTCDateTime())
    rows = {}
    for key in sorted(set(keys)):
        statement = insert(table).values(key_hash=key, count=0, last_at=now, next_at=None) \
            .on_conflict_do_update(index_elements=[table.c.key_hash], set_={
            "count": case((stale, 0), else_=table.c.count),
            "next_at": case((stale, None), else_=table.c.next_at),
            "last_at": case((stale, at), else_=table.c.last_at),
        }).returning(table.c.count, table.c.next_at)
        count, next_at = db.session.execute(statement).one()
        rows[key] = Throttle(key_hash=key, count=count, next_at=next_at)
    return rows


def _admit(limits: dict[str, int], now: datetime, window: timedelta, backoff) -> None:
    """Count one attempt in every bucket, or raise TooManyAttempts if any is backing off.

    A bucket that reaches its limit admits its next attempt only after `backoff(n)` seconds,
    n being how many attempts past the limit it has seen.
    """
    rows = _lock_throttles(list(limits), now, window)
    waits = [row.next_at for row in rows.values() if row.next_at is not None and row.next_at > now]
    if waits:
        seconds = max(1, int((max(waits) - now).total_seconds() + 0.999))
        raise TooManyAttempts(_("Terlalu banyak percobaan. Coba lagi dalam %(s)d detik.", s=seconds),
                              retry_after=seconds)
    for key, row in rows.items():
        count = row.count + 1
        over = count - limits[key]
        next_at = now + timedelta(seconds=backoff(over)) if over >= 0 else None
        db.session.execute(update(Throttle).where(Throttle.key_hash == key)
                           .values(count=count, last_at=now, next_at=next_at))


def _sign_in_backoff(over: int) -> float:
    config = current_app.config
    seconds = config["LOGIN_BACKOFF_SECONDS"] * config["LOGIN_BACKOFF_MULTIPLIER"] ** min(over, 32)
    return min(seconds, config["LOGIN_BACKOFF_MAX_SECONDS"])


@dataclass
class SignInAttempt:
    """An attempt already counted; `keys` are the buckets to forgive if the password is right."""

    email: str
    keys: list[str]
    forget: list[str]


def device_key(email: str) -> str:
    """What a known-device cookie stores about the account it signed in to (not the e-mail)."""
    return _key("device-account", email.strip().lower())[:32]


def begin_sign_in(email: str, address: str, device: str | None, now: datetime) -> SignInAttempt:
    """Count a sign-in attempt before any password is checked; the caller commits at once.

    `device` is the id of a browser that signed in to this account before (from its signed
    cookie): such a browser has its own budget, so strangers failing on the account or from a
    shared address cannot lock its owner out. Others count per account+address, per account
    and per address.
    """
    config = current_app.config
    email = (email or "").strip().lower()
    if device:
        limits = {_key("device", device): config["LOGIN_MAX_FAILURES"]}
        forget = list(limits)
    else:
        pair = _key("pair", email, address)
        limits = {pair: config["LOGIN_MAX_FAILURES"],
                  _key("account", email): config["LOGIN_ACCOUNT_MAX_FAILURES"],
                  _key("address", address): config["LOGIN_ADDRESS_MAX_FAILURES"]}
        forget = [pair]
    _admit(limits, now, timedelta(seconds=config["LOGIN_WINDOW_SECONDS"]), _sign_in_backoff)
    return SignInAttempt(email=email, keys=list(limits), forget=forget)


def finish_sign_in(attempt: SignInAttempt, password: str, now: datetime) -> User | None:
    """Check the password of a counted attempt; on success it no longer counts as a failure."""
    user = get_user_by_email(attempt.email)
    if not _password_matches(user, password):
        return None
    db.session.execute(db.delete(Throttle).where(Throttle.key_hash.in_(attempt.forget)))
    db.session.execute(update(Throttle).where(
        Throttle.key_hash.in_([k for k in attempt.keys if k not in attempt.forget]), Throttle.count > 0)
        .values(count=Throttle.count - 1))
    return user


def authenticate(email: str, password: str, address: str, now: datetime,
                 device: str | None = None) -> User | None:
    """Count and check a sign-in in one transaction (the web view commits between the two)."""
    return finish_sign_in(begin_sign_in(email, address, device, now), password, now)


def prune_throttles(now: datetime) -> None:
    """Forget counters quiet for longer than any window; never waits on a row in use."""
    config = current_app.config
    quiet = max(config["LOGIN_WINDOW_SECONDS"], config["LOGIN_BACKOFF_MAX_SECONDS"],
                config["RESET_WINDOW_SECONDS"])
    stale = select(Throttle.key_hash).where(Throttle.last_at < now - timedelta(seconds=quiet)).limit(500)
    if db.session.get_bind().dialect.name == "postgresql":
        stale = stale.with_for_update(skip_locked=True)
    db.session.execute(db.delete(Throttle).where(Throttle.key_hash.in_(stale.scalar_subquery())))


def request_password_reset(email: str, address: str, now: datetime) -> User | None:
    """Count a reset request and have a link e-mailed to an enabled account with that address.

    Returns that user, or None; the caller answers the same either way, so nobody learns
    who has an account.
    """
    config = current_app.config
    email = (email or "").strip().lower()
    window = timedelta(seconds=config["RESET_WINDOW_SECONDS"])
    _admit({_key("reset", email): config["RESET_MAX_PER_EMAIL"],
            _key("reset-address", address): config["RESET_MAX_PER_ADDRESS"]},
           now, window, lambda over: window.total_seconds())
    user = get_user_by_email(email)
    if user is None or not user.is_enabled:
        return None
    signals.password_link_requested.send(user, now=now)
    return user


# ---------------------------------------------------------------- browser sessions

def start_session(user: User, address: str, user_agent: str, now: datetime) -> str:
    """Open a server-side session for a browser that just proved who it is; return its secret."""
    token = secrets.token_urlsafe(32)
    row = UserSession(user=user, token_hash=hash_token(token), created_at=now, last_seen_at=now,
                      address=(address or "")[:64], user_agent=(user_agent or "")[:200])
    db.session.add(row)
    db.session.flush()
    user.current_session, user.current_session_token = row, token
    return token


def user_for_session(token: str, now: datetime) -> User | None:
    """The user of a live session secret: not ended, not too old, account enabled."""
    oldest = now - timedelta(days=current_app.config["SESSION_LIFETIME_DAYS"])
    row = db.session.scalar(select(UserSession).options(joinedload(UserSession.user)).where(
        UserSession.token_hash == hash_token(token), UserSession.revoked_at.is_(None),
        UserSession.created_at > oldest))
    if row is None or not row.user.is_enabled:
        return None
    row.user.current_session, row.user.current_session_token = row, token
    return row.user


def end_session(user: User, now: datetime) -> None:
    if user.current_session is not None:
        user.current_session.revoked_at = now


def end_all_sessions(user: User, now: datetime, keep: UserSession | None = None) -> None:
    """End every session of the user (all but `keep`), wherever its cookie is."""
    statement = update(UserSession).where(UserSession.user_id == user.id,
                                          UserSession.revoked_at.is_(None))
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    db.session.execute(statement.values(revoked_at=now))


def list_sessions(user: User, now: datetime) -> list[UserSession]:
    oldest = now - timedelta(days=current_app.config["SESSION_LIFETIME_DAYS"])
    return list(db.session.scalars(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None),
        UserSession.created_at > oldest).order_by(UserSession.created_at.desc())))


def needs_touch(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether "last used" is stale enough to be written again (at most once a touch period)."""
    period = timedelta(seconds=current_app.config["TOKEN_TOUCH_SECONDS"])
    return last_used_at is None or last_used_at <= now - period


def touch_statement(model, row_id: int, now: datetime):
    """An UPDATE of one session's or token's last use that does nothing if another just did it."""
    column = model.last_seen_at if model is UserSession else model.last_used_at
    period = timedelta(seconds=current_app.config["TOKEN_TOUCH_SECONDS"])
    return update(model).where(model.id == row_id, or_(column.is_(None), column <= now - period)
                               ).values({column.key: now})


# ---------------------------------------------------------------- one-time password links

def create_password_link(user: User, now: datetime) -> str:
    """Return a one-time token to set a password; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    hours = current_app.config["SET_PASSWORD_TOKEN_HOURS"]
    db.session.add(PasswordLink(user=user, token_hash=hash_token(token), created_at=now,
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
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise NotFound(_("Tautan ini tidak berlaku atau sudah dipakai."))
    return link


def use_password_link(token: str, password: str, now: datetime) -> User:
    """Set a password through a link; the link, and every other open link, is then spent.

    A refused password leaves the link usable. Of two uses at once exactly one wins: the
    claim is a conditional UPDATE.
    """
    link = password_link_user(token, now)
    user = link.user
    _store_password(user, password)
    claimed = changed_rows(update(PasswordLink).where(
        PasswordLink.id == link.id, PasswordLink.used_at.is_(None), PasswordLink.expires_at > now
    ).values(used_at=now))
    if claimed != 1:
        raise NotFound(_("Tautan ini tidak berlaku atau sudah dipakai."))
    _password_changed(user, now)
    return user


# ---------------------------------------------------------------- API tokens

def issue_api_token(user: User, now: datetime, name: str = "", days: int | None = None) -> str:
    """Make a token for the API; only its hash is stored, so it is shown once."""
    config = current_app.config
    days = config["API_TOKEN_DAYS"] if days is None else days
    if not 1 <= days <= config["API_TOKEN_MAX_DAYS"]:
        raise ValidationError(_("Masa berlaku antara 1 dan %(n)d hari.", n=config["API_TOKEN_MAX_DAYS"]),
                              field="days")
    token = "mm_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=(name or "").strip()[:100], token_hash=hash_token(token),
                            created_at=now, expires_at=now + timedelta(days=days)))
    db.session.flush()
    return token


def user_for_token(token: str, now: datetime) -> User | None:
    """The user of a live API token: not revoked, not expired, account enabled."""
    row = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user)).where(
        ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None),
        ApiToken.expires_at > now))
    if row is None or not row.user.is_enabled:
        return None
    row.user.current_api_token = row
    return row.user


def list_api_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_api_token(actor: User, token_id: int, now: datetime) -> ApiToken:
    """Revoke one of the actor's own tokens."""
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != actor.id:
        raise NotFound(_("Token tidak ditemukan."))
    if row.revoked_at is None:
        row.revoked_at = now
    return row


def revoke_all_tokens(user: User, now: datetime) -> None:
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=now))


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


def set_user_enabled(actor: User, user: User, enabled: bool, now: datetime) -> None:
    """Enable or disable an account; disabling ends its sessions and revokes its tokens."""
    ensure_admin(actor)
    if actor.id == user.id and not enabled:
        raise ValidationError(_("Anda tidak dapat menonaktifkan akun sendiri."))
    user.is_enabled = enabled
    if not enabled:
        end_all_sessions(user, now)
        revoke_all_tokens(user, now)

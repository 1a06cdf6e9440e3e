"""Users, their sign-in sessions, API tokens, one-time password links and sign-in throttles."""

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.dbtypes import UTCDateTime
from matchmaker.extensions import Model
from matchmaker.timeutils import utcnow

if TYPE_CHECKING:
    from matchmaker.cities.models import City



def hash_token(token: str) -> str:
    """Tokens are random and long, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    language: Mapped[str] = mapped_column(String(5), default="id")
    timezone: Mapped[str | None] = mapped_column(String(40))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_enabled: Mapped[bool] = mapped_column(default=True)
    reminders_enabled: Mapped[bool] = mapped_column(default=True)
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set whenever the password is set or changed after the account was created.
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    city: Mapped["City | None"] = relationship("City", lazy="joined")

    # The browser session this request was signed in with (set by the session loader), whose
    # secret is what Flask-Login keeps in the cookie: so one session can be ended on its own.
    if TYPE_CHECKING:  # plain attributes, not columns: annotated only for the type checker
        current_session: "UserSession | None"
        current_session_token: str | None
        current_api_token: "ApiToken | None"
    current_session = None
    current_session_token = None
    current_api_token = None  # the token this request came with, if any

    def get_id(self) -> str:
        """The session secret; a user signed in without a session row gets an id no loader accepts."""
        return self.current_session_token or f"no-session:{self.id}"

    def __eq__(self, other: object) -> bool:
        """The same account (UserMixin would compare session ids instead)."""
        if not isinstance(other, User):
            return NotImplemented
        return self is other or (self.id is not None and self.id == other.id)

    __hash__ = object.__hash__

    @property
    def is_active(self) -> bool:
        return self.is_enabled

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_facilitator(self) -> bool:
        """Admins can do everything a facilitator can."""
        return self.role in {"admin", "facilitator"}

    @property
    def display_zone(self) -> str:
        """The zone this user reads times in: their own, else their city's, else WIB."""
        if self.timezone:
            return self.timezone
        return self.city.timezone if self.city else "Asia/Jakarta"


class UserSession(Model):
    """One signed-in browser; the cookie holds its secret, the table only the secret's hash."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped["User"] = relationship("User")


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship("User")


class PasswordLink(Model):
    """A one-time link to set a password (new account or reset)."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when this link is used, and on every other open link of the user at that moment.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped["User"] = relationship("User")


class Throttle(Model):
    """A counter of recent attempts for one key (account, address, both, or a known device).

    The key is stored hashed, so the table keeps no e-mail addresses anyone mistyped.
    """

    __tablename__ = "throttles"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # No attempt is admitted before this instant (the back-off after reaching the limit).
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

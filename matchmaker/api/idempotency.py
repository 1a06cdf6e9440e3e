"""`Idempotency-Key` on the API's POSTs that create things: a retried request gets the first answer.

The key is reserved in the same transaction as what the request creates, so the key is stored
exactly when the record is; the answer is stored right after. A repeat by the same user with
the same key and the same request returns that answer (marked `Idempotent-Replayed: true`) and
creates nothing; the same key with another request is a 422; a repeat arriving while the first
is still running is a 409. Keys are forgotten after IDEMPOTENCY_KEY_HOURS.
"""

import functools
import hashlib
from datetime import datetime, timedelta

from flask import Response, current_app, make_response, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.api.base import bp
from matchmaker.dbtypes import UTCDateTime
from matchmaker.errors import Conflict, MatchmakerError, ValidationError
from matchmaker.extensions import Model, db
from matchmaker.timeutils import utcnow

HEADER = "Idempotency-Key"
MAX_KEY = 255


class IdempotencyKey(Model):
    """One key a user sent with a creating POST, and the answer it got."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(MAX_KEY))
    request: Mapped[str] = mapped_column(String(300), doc="method and path")
    fingerprint: Mapped[str] = mapped_column(String(64), doc="SHA-256 of method, path and body")
    status: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class KeyReused(MatchmakerError):
    status = 422
    code = "idempotency_key_reused"


def _fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _earlier(key: str, now: datetime) -> IdempotencyKey | None:
    record = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == current_user.id,
                                                            IdempotencyKey.key == key))
    hours = current_app.config["IDEMPOTENCY_KEY_HOURS"]
    if record is not None and record.created_at < now - timedelta(hours=hours):
        db.session.delete(record)  # expired: the key may name a new request
        db.session.flush()
        return None
    return record


def _replay(record: IdempotencyKey | None, fingerprint: str) -> Response:
    if record is not None and record.fingerprint != fingerprint:
        raise KeyReused(_("Idempotency-Key ini sudah dipakai untuk permintaan lain."), field=HEADER)
    if record is None or record.status is None:
        raise Conflict(_("Permintaan dengan Idempotency-Key ini masih diproses; coba lagi sebentar."),
                       field=HEADER)
    return Response(record.body, status=record.status, mimetype="application/json",
                    headers={"Idempotent-Replayed": "true"})


def idempotent(view):
    """Let a creating POST take an `Idempotency-Key` header (documented on the endpoint)."""
    view = bp.doc(parameters=[{
        "in": "header", "name": HEADER, "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY},
        "description": "a repeat with this key returns the first answer and creates nothing; "
                       "the same key with another body is 422"}])(view)

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        key = key.strip()
        if not 0 < len(key) <= MAX_KEY:
            raise ValidationError(_("Idempotency-Key harus 1 sampai %(n)d karakter.", n=MAX_KEY),
                                  field=HEADER)
        now, fingerprint = utcnow(), _fingerprint()
        record = _earlier(key, now)
        if record is not None:
            return _replay(record, fingerprint)
        record = IdempotencyKey(user_id=current_user.id, key=key, fingerprint=fingerprint,
                                request=f"{request.method} {request.path}"[:300], created_at=now)
        db.session.add(record)  # reserved with what the view creates: one commit holds both
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()  # a request with this key committed in between
            return _replay(_earlier(key, now), fingerprint)
        try:
            response = make_response(view(*args, **kwargs))
        except Exception:
            db.session.rollback()  # a refused request keeps no key: its retry runs anew
            raise
        if 200 <= response.status_code < 300:
            record.status, record.body = response.status_code, response.get_data(as_text=True)
        else:
            db.session.delete(record)
        db.session.commit()
        return response

    return wrapper

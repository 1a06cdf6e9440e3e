"""Small helpers shared by every package's forms, and the guard against a form sent twice.

Every POST form carries a one-time `form_nonce` (static/js/app.js adds it when the form is first
submitted; a double click or the browser's "send again" repeats the same value). The first
request with a nonce consumes it in the session; a repeat is not handed to the view: it is
answered with a redirect back and a notice, so a double submission never changes anything twice.
"""

from urllib.parse import urlsplit

from flask import Flask, Response, flash, redirect, request, session
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse
from wtforms import HiddenField, SelectChoice

NONCE_FIELD = "form_nonce"
_USED = "used_form_nonces"
# Nonces remembered per browser session: enough for any burst of repeats, small in the cookie.
_REMEMBERED = 20


def choices(table: dict, blank: str | None = None) -> list[SelectChoice]:
    """Select options from a vocabulary table {value: label}, optionally led by a blank option."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(value, label) for value, label in table.items()]


def _nonce() -> str | None:
    if request.method != "POST" or request.mimetype not in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    value = request.form.get(NONCE_FIELD, "")
    return value[:64] or None


def refuse_repeated_form() -> BaseResponse | None:
    """Answer a form whose nonce was already used with a redirect back, before any view runs."""
    nonce = _nonce()
    if nonce is None or nonce not in session.get(_USED, []):
        return None
    flash(_("Formulir ini sudah dikirim; kiriman yang sama tidak diproses lagi."), "warning")
    back = urlsplit(request.referrer or "")
    same_site = back.netloc in ("", request.host)
    return redirect(back.path if same_site and back.path else "/", code=303)


def consume_form_nonce(response: Response) -> Response:
    """Remember the nonce of a form that was handled, so the same submission is not run again."""
    if response.status_code >= 400:  # refused (a body too large is not even read again)
        return response
    nonce = _nonce()
    if nonce is not None:
        session[_USED] = [*session.get(_USED, [])[-(_REMEMBERED - 1):], nonce]
    return response


def init_form_guard(app: Flask) -> None:
    app.before_request(refuse_repeated_form)
    app.after_request(consume_form_nonce)


class VersionField(HiddenField):
    """The version of the record the form was filled from, so a stale save is caught (409)."""

    def process_formdata(self, valuelist) -> None:
        raw = valuelist[0] if valuelist else ""
        self.data = int(raw) if raw.isdigit() and len(raw) <= 9 else None

"""Small helpers shared by every package's forms, and the guard against a form sent twice.

Every POST form carries a one-time `form_nonce` (static/js/app.js adds it when the form is first
submitted; a double click or the browser's "send again" repeats the same value). The first
request with a nonce consumes it in the session; a repeat is not handed to the view: it is
answered with a redirect back and a notice, so a double submission never changes anything twice.
"""

from urllib.parse import urlsplit

from flask import Flask, Response, flash, redirect, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
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

# WTForms ships no Indonesian catalogue, so its own messages are given here in Bahasa Indonesia
# (the interface's source language; the English catalogue translates them back).
WTFORMS_MESSAGES = {
    "This field is required.": _l("Isian ini wajib diisi."),
    "Invalid input.": _l("Isian tidak valid."),
    "Invalid email address.": _l("Alamat e-mail tidak valid."),
    "Invalid URL.": _l("Alamat URL tidak valid."),
    "Field must be equal to %(other_name)s.": _l("Isian harus sama dengan %(other_name)s."),
    "Field must be at least %(min)d character long.": _l("Isian paling sedikit %(min)d karakter."),
    "Field cannot be longer than %(max)d character.": _l("Isian paling banyak %(max)d karakter."),
    "Field must be exactly %(max)d character long.": _l("Isian harus tepat %(max)d karakter."),
    "Field must be between %(min)d and %(max)d characters long.":
        _l("Isian harus %(min)d sampai %(max)d karakter."),
    "Number must be at least %(min)s.": _l("Angka paling kecil %(min)s."),
    "Number must be at most %(max)s.": _l("Angka paling besar %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Angka harus antara %(min)s dan %(max)s."),
    "Date must be at least %(min)s.": _l("Tanggal paling awal %(min)s."),
    "Date must be at most %(max)s.": _l("Tanggal paling akhir %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Tanggal harus antara %(min)s dan %(max)s."),
    "Invalid value, must be one of: %(values)s.": _l("Nilai tidak valid; pilih salah satu: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l("Nilai tidak valid; tidak boleh: %(values)s."),
    "Not a valid choice.": _l("Pilihan tidak valid."),
    "Invalid Choice: could not coerce.": _l("Pilihan tidak valid."),
    "'%(value)s' is not a valid choice for this field.":
        _l("'%(value)s' bukan pilihan yang valid untuk isian ini."),
    "Not a valid datetime value.": _l("Tanggal dan jam tidak valid."),
    "Not a valid date value.": _l("Tanggal tidak valid."),
    "Not a valid time value.": _l("Jam tidak valid."),
    "Not a valid integer value.": _l("Bukan bilangan bulat yang valid."),
    "Not a valid decimal value.": _l("Bukan angka desimal yang valid."),
    "Not a valid float value.": _l("Bukan angka yang valid."),
    "Invalid CSRF Token.": _l("Token formulir tidak sah; muat ulang halaman."),
    "CSRF token missing.": _l("Token formulir tidak ada; muat ulang halaman."),
    "CSRF token expired.": _l("Token formulir kedaluwarsa; muat ulang halaman."),
    "The CSRF token is missing.": _l("Token formulir tidak ada; muat ulang halaman."),
    "The CSRF token is invalid.": _l("Token formulir tidak sah; muat ulang halaman."),
    "The CSRF token has expired.": _l("Token formulir kedaluwarsa; muat ulang halaman."),
}


class WTFormsMessages:
    """WTForms' translations object: its English messages to ours (Indonesian has no plural)."""

    def gettext(self, string: str) -> str:
        return str(WTFORMS_MESSAGES.get(string, string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return str(WTFORMS_MESSAGES.get(singular, singular if n == 1 else plural))


class BaseForm(FlaskForm):
    """Every page form: Flask-WTF's CSRF and file handling, validator messages in our language."""

    class Meta:
        def get_translations(self, form):
            return WTFormsMessages()

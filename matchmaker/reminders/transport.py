"""Handing messages over: to an SMTP server (one connection per sweep) or, with none configured,
to a local outbox folder of .eml files."""

import contextlib
import os
import re
import secrets
import smtplib
import ssl
import tempfile
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from io import BytesIO
from pathlib import Path

_LINE_END = re.compile(r"\r\n|\r|\n")
_HIDDEN = {"bcc", "resent-bcc"}
MAX_SHARED_HEADERS = 1000
MAX_SHARED_PARTS = 64


class TransportError(Exception):
    """Sending failed; `permanent` failures (5xx, refused recipient) are not retried."""

    def __init__(self, message: str, permanent: bool = False, connection: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.connection = connection


class OutboxTransport:
    """No SMTP server configured: each message becomes MAIL_OUTBOX_DIR/reminder-<id>.eml."""

    def __init__(self, directory: str):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage, reminder_id: int) -> None:
        target = self.directory / f"reminder-{reminder_id}.eml"
        # Written whole then renamed, so a reader (or a crash) never sees half a message.
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(message.as_bytes())
            os.replace(tmp, target)
        except OSError as error:
            Path(tmp).unlink(missing_ok=True)
            raise TransportError(f"outbox: {error}") from error

    def close(self) -> None:
        pass


class Flattener:
    """A message's bytes for SMTP, as `BytesGenerator` writes them, reusing what a sweep's messages
    share: each folded header object (subjects, content types) and each part object (a session's
    invite) is written once per sweep; anything unusual goes through the standard generator."""

    def __init__(self):
        self.boundary = f"=_mm_{secrets.token_hex(12)}"
        self.headers: dict[tuple[str, str], bytes] = {}
        self.parts: dict[int, tuple[object, bytes]] = {}  # id(part) -> (the part, kept alive; bytes)

    def flatten(self, message: EmailMessage) -> bytes:
        parts = message.get_payload() if message.is_multipart() else None
        if parts is None or message.preamble is not None or message.epilogue is not None:
            return _standard(message)
        bodies = [body for body in map(self._part, parts) if body is not None]
        if len(bodies) != len(parts) or any(self.boundary.encode() in b for b in bodies):
            return _standard(message)
        out = [self._head(message, multipart=True), b"\r\n"]
        for body in bodies:
            out += [b"--", self.boundary.encode(), b"\r\n", body, b"\r\n"]
        out += [b"--", self.boundary.encode(), b"--\r\n"]
        return b"".join(out)

    def _head(self, message, multipart: bool = False) -> bytes:
        lines = []
        for name, value in message.raw_items():
            if name.lower() in _HIDDEN:
                continue
            if multipart and name.lower() == "content-type":
                value = f'{str(value).split(";")[0].strip()}; boundary="{self.boundary}"'
            if type(value) is str:  # a raw value (header objects are str subclasses)
                lines.append(policy.SMTP.fold_binary(name, value))
            else:
                key = (name, str(value))
                if key not in self.headers:
                    if len(self.headers) >= MAX_SHARED_HEADERS:  # per-reader values, e.g. a long To
                        self.headers.clear()
                    self.headers[key] = policy.SMTP.fold_binary(name, value)
                lines.append(self.headers[key])
        return b"".join(lines)

    def _part(self, part) -> bytes | None:
        known = self.parts.get(id(part))
        if known is not None and known[0] is part:
            return known[1]
        # The transfer-encoded text, as BytesGenerator reads it (an 8bit body is held
        # surrogate-escaped): get_payload() would decode it and parse the headers again.
        payload = part._payload
        if part.is_multipart() or not isinstance(payload, str):
            return None
        body = _LINE_END.sub("\r\n", payload).encode("ascii", "surrogateescape")
        flat = self._head(part) + b"\r\n" + body
        if len(self.parts) >= MAX_SHARED_PARTS:  # most parts are one reader's: keep only recent ones
            self.parts.clear()
        self.parts[id(part)] = (part, flat)
        return flat


def _standard(message: EmailMessage) -> bytes:
    out = BytesIO()
    BytesGenerator(out, False, policy=message.policy.clone(linesep="\r\n")).flatten(message)
    return out.getvalue()


def envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """Sender and recipients, as `smtplib.send_message` takes them (Sender or From; To, Cc, Bcc)."""
    raw: dict[str, list[str]] = {}
    for name, value in message.raw_items():
        raw.setdefault(name.lower(), []).append(str(value))
    sender = parseaddr((raw.get("sender") or raw.get("from") or [""])[0])[1]
    recipients = [address for _name, address in getaddresses(
        raw.get("to", []) + raw.get("cc", []) + raw.get("bcc", []))]
    return sender, recipients


class SmtpTransport:
    """One SMTP connection per sweep, opened on the first message, reopened once if dropped."""

    def __init__(self, config):
        self.host = config["MAIL_SERVER"]
        self.port = config["MAIL_PORT"]
        self.use_tls = config["MAIL_USE_TLS"]
        self.username = config["MAIL_USERNAME"]
        self.password = config["MAIL_PASSWORD"]
        self.timeout = config["MAIL_TIMEOUT"]
        self.conn: smtplib.SMTP | None = None
        self.flattener = Flattener()

    def _connect(self) -> smtplib.SMTP:
        try:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls:
                conn.starttls(context=ssl.create_default_context())
            if self.username:
                conn.login(self.username, self.password)
        except (OSError, smtplib.SMTPException) as error:
            raise TransportError(f"cannot connect to {self.host}:{self.port}: {error}",
                                 connection=True) from error
        return conn

    def _deliver(self, conn: smtplib.SMTP, message: EmailMessage) -> None:
        sender, recipients = envelope(message)
        if not (sender + "".join(recipients)).isascii():
            conn.send_message(message)  # SMTPUTF8: the library's own path
            return
        conn.sendmail(sender, recipients, self.flattener.flatten(message))

    def send(self, message: EmailMessage, reminder_id: int) -> None:
        for retry in (False, True):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self._deliver(self.conn, message)
                return
            except smtplib.SMTPServerDisconnected as error:
                self.conn = None
                if retry:
                    raise TransportError(f"server disconnected: {error}", connection=True) from error
            except smtplib.SMTPRecipientsRefused as error:
                raise TransportError(f"recipient refused: {error.recipients}", permanent=True) from error
            except smtplib.SMTPResponseException as error:
                raise TransportError(f"{error.smtp_code} {error.smtp_error!r}",
                                     permanent=500 <= error.smtp_code < 600) from error
            except (OSError, smtplib.SMTPException) as error:
                self.close()
                raise TransportError(str(error) or type(error).__name__, connection=True) from error

    def close(self) -> None:
        if self.conn is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.conn.quit()
            self.conn = None


def open_transport(config):
    """SMTP when MAIL_SERVER is set, else the local outbox folder."""
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    return OutboxTransport(config["MAIL_OUTBOX_DIR"])

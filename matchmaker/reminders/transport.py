"""Handing messages over: to an SMTP server (one connection per sweep) or, with none configured,
to a local outbox folder of .eml files."""

import contextlib
import os
import smtplib
import ssl
import tempfile
from email.message import EmailMessage
from pathlib import Path


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

    def send(self, message: EmailMessage, reminder_id: int) -> None:
        for retry in (False, True):
            if self.conn is None:
                self.conn = self._connect()
            try:
                self.conn.send_message(message)
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

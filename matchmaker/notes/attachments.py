"""Files attached to a session's notes: checked against the size and type limits, kept under the
attachment folder, read back only through `notes.access.get_attachment`."""

import mimetypes
import uuid
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import format_decimal
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from matchmaker.access import Actor
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.notes.access import ensure_writable
from matchmaker.notes.models import NoteAttachment
from matchmaker.programmes.models import ProgrammeSession

# What a file of each kind starts with, so a page or a script cannot pass for a document.
SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    **dict.fromkeys(("docx", "xlsx", "pptx", "odt", "ods", "odp"), (b"PK\x03\x04",)),
    **dict.fromkeys(("doc", "xls", "ppt"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
}
MAX_NAME = 200


def allowed_types() -> list[str]:
    return [t.strip().lower().lstrip(".") for t in current_app.config["ATTACHMENT_TYPES"].split(",")
            if t.strip()]


def attachment_dir() -> Path:
    folder = current_app.config["ATTACHMENT_DIR"] or str(Path(current_app.instance_path) / "attachments")
    return Path(folder)


def attachment_path(attachment: NoteAttachment) -> Path:
    return attachment_dir() / attachment.stored_name


def _extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def add_attachment(actor: Actor | None, session: ProgrammeSession, filename: str, stream: BinaryIO,
                   now: datetime) -> NoteAttachment:
    """Keep one uploaded file with the session's notes, within ATTACHMENT_MAX_BYTES and of one of
    the ATTACHMENT_TYPES (checked by name and by its first bytes)."""
    ensure_writable(actor, session)
    name = (secure_filename(filename or "") or "")[-MAX_NAME:]
    extension = _extension(name)
    if not name or extension not in allowed_types():
        raise ValidationError(_("Jenis berkas tidak diterima. Yang diterima: %(types)s.",
                                types=", ".join(allowed_types())), field="file")
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = stream.read(limit + 1)
    if not data:
        raise ValidationError(_("Berkas kosong."), field="file")
    if len(data) > limit:
        raise ValidationError(_("Berkas terlalu besar: paling besar %(mb)s MB.",
                                mb=format_decimal(limit / 1024 / 1024, "#,##0.#")), field="file")
    if not data.startswith(SIGNATURES.get(extension, (b"",))):
        raise ValidationError(_("Isi berkas tidak cocok dengan jenisnya (.%(ext)s).", ext=extension),
                              field="file")
    attachment = NoteAttachment(
        session_id=session.id, filename=name, stored_name=f"{uuid.uuid4().hex}.{extension}",
        content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
        size_bytes=len(data), author_id=actor.id if actor else None, created_at=now)
    db.session.add(attachment)
    db.session.flush()
    folder = attachment_dir()
    folder.mkdir(parents=True, exist_ok=True)
    attachment_path(attachment).write_bytes(data)
    return attachment


def remove_attachment(actor: Actor | None, attachment: NoteAttachment) -> None:
    """Take a file off the session's notes (a participant, while notes may be written)."""
    ensure_writable(actor, attachment.session)
    path = attachment_path(attachment)
    db.session.delete(attachment)
    db.session.flush()
    path.unlink(missing_ok=True)

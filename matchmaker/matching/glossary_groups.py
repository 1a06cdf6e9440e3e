"""Concept groups an admin adds to the sector glossary in the app, kept with who and when, and
the glossary the model is built with: glossary.toml plus those groups (docs/glossary.md)."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from matchmaker.access import Actor
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.matching.access import ensure_can_edit_glossary
from matchmaker.matching.glossary import GROUP_ID, TERM_KINDS, ConceptGroup, Glossary, GlossaryError
from matchmaker.matching.models import GlossaryEntry
from matchmaker.matching.text import terms as normalised_terms
from matchmaker.vocab import TOPICS

LABEL_MAX = 200
TERM_MAX = 100
SOURCE_MAX = 1000


def stored_groups() -> list[ConceptGroup]:
    """The groups added in the app, oldest first."""
    return [ConceptGroup.from_dict(entry.as_dict()) for entry in db.session.scalars(
        select(GlossaryEntry).order_by(GlossaryEntry.id))]


def current_glossary() -> Glossary:
    """glossary.toml plus the groups added in the app (a known id gains the new wordings)."""
    groups = stored_groups()
    return Glossary.shipped().extended(groups) if groups else Glossary.shipped()


def list_glossary_groups(actor: Actor | None) -> list[GlossaryEntry]:
    ensure_can_edit_glossary(actor)
    return list(db.session.scalars(select(GlossaryEntry).order_by(GlossaryEntry.created_at.desc(),
                                                                  GlossaryEntry.id.desc())))


def _text(value, field: str, limit: int, message: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError(message, field=field)
    if len(text) > limit:
        raise ValidationError(_("Paling panjang %(n)d karakter.", n=limit), field=field)
    return text


def _wordings(raw: dict) -> dict[str, list[str]]:
    wordings = {}
    for kind in TERM_KINDS:
        values = [v.strip() for v in raw.get(kind, []) if isinstance(v, str) and v.strip()]
        for value in values:
            if len(value) > TERM_MAX:
                raise ValidationError(_("Istilah paling panjang %(n)d karakter: %(term)s",
                                        n=TERM_MAX, term=value[:40]), field=f"terms_{kind}")
            if not normalised_terms(value):
                raise ValidationError(_("Istilah '%(term)s' hanya berisi kata umum dan tidak akan "
                                        "pernah cocok.", term=value), field=f"terms_{kind}")
        if values:
            wordings[kind] = list(dict.fromkeys(values))
    if not wordings:
        raise ValidationError(_("Tuliskan paling sedikit satu istilah."), field="terms_id")
    return wordings


def add_glossary_group(actor: Actor | None, data: dict, now: datetime) -> GlossaryEntry:
    """Add a concept group (or wordings to a known group) to the glossary, with its source.

    `data`: group_id, label_id, label_en, terms {kind: [wording]}, topics, broader, source.
    """
    ensure_can_edit_glossary(actor)
    group_id = (data.get("group_id") or "").strip()
    if not GROUP_ID.match(group_id):
        raise ValidationError(_("Kode kelompok: 2–64 huruf kecil, angka atau '_', diawali huruf."),
                              field="group_id")
    topics = list(data.get("topics") or [])
    unknown = [t for t in topics if t not in TOPICS]
    if unknown:
        raise ValidationError(_("Topik tidak dikenal: %(topic)s (pilih salah satu: %(all)s).",
                                topic=str(unknown[0])[:40], all=", ".join(TOPICS)), field="topics")
    glossary = current_glossary()
    broader = list(dict.fromkeys(b.strip() for b in data.get("broader") or [] if b.strip()))
    missing = [b for b in broader if b not in glossary.groups]
    if missing:
        raise ValidationError(_("Kelompok yang lebih luas tidak ada di glosarium: %(ids)s",
                                ids=", ".join(missing)), field="broader")
    entry = GlossaryEntry(
        group_id=group_id,
        label_id=_text(data.get("label_id"), "label_id", LABEL_MAX, _("Label bahasa Indonesia wajib diisi.")),
        label_en=_text(data.get("label_en"), "label_en", LABEL_MAX, _("Label bahasa Inggris wajib diisi.")),
        terms=_wordings(data.get("terms") or {}), topics=topics, broader=broader,
        source=_text(data.get("source"), "source", SOURCE_MAX,
                     _("Sebutkan sumber istilah ini (dokumen, peraturan, pedoman).")),
        created_by=actor if getattr(actor, "id", None) else None, created_at=now)
    try:
        glossary.extended([ConceptGroup.from_dict(entry.as_dict())])
    except GlossaryError as error:  # a cycle through the broader groups
        raise ValidationError(_("Kelompok ini tidak dapat dipakai: %(why)s", why=str(error)),
                              field="broader") from None
    db.session.add(entry)
    db.session.flush()
    return entry

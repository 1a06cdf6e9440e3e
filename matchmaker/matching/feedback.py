"""Facilitators' "not a good match" on a recommended mentor: recording it, and which pairs it
excludes. No learning from clicks: the reasons are kept and exported for later calibration
(reports' CSV export), and the flagged pair is excluded for that need with the reason shown.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, or_, select

from matchmaker.access import Actor
from matchmaker.cities.models import City, Need, Practice
from matchmaker.errors import Conflict, NotFound, ValidationError
from matchmaker.extensions import db
from matchmaker.matching.access import ensure_can_match
from matchmaker.matching.models import FeedbackReason, MatchFeedback
from matchmaker.vocab import TOPICS

NOTE_MAX = 1000


def _check(mentee: City, mentor: City, topic: str, need: Need | None, practice: Practice | None,
           reason: str, note: str) -> FeedbackReason:
    if topic not in TOPICS:
        raise ValidationError(_("Topik tidak dikenal: %(topic)s (pilih salah satu: %(all)s).",
                                topic=str(topic)[:40], all=", ".join(TOPICS)), field="topic")
    if mentor.id == mentee.id:
        raise ValidationError(_("Kota tidak dapat menjadi mentor bagi dirinya sendiri."),
                              field="mentor")
    if need is not None and (need.city_id != mentee.id or need.topic != topic):
        raise ValidationError(_("Kebutuhan itu bukan milik %(mentee)s tentang topik ini.",
                                mentee=mentee.name_short), field="need_id")
    if practice is not None and (practice.city_id != mentor.id or practice.topic != topic):
        raise ValidationError(_("Praktik itu bukan milik %(mentor)s tentang topik ini.",
                                mentor=mentor.name_short), field="practice_id")
    try:
        value = FeedbackReason(reason)
    except ValueError:
        raise ValidationError(_("Alasan tidak dikenal: %(reason)s", reason=str(reason)[:40]),
                              field="reason") from None
    if value == FeedbackReason.OTHER and not note:
        raise ValidationError(_("Tuliskan alasannya."), field="note")
    if len(note) > NOTE_MAX:
        raise ValidationError(_("Alasan paling panjang %(n)d karakter.", n=NOTE_MAX), field="note")
    return value


def record_feedback(actor: Actor | None, mentee: City, mentor: City, topic: str, reason: str,
                    note: str, now: datetime, need: Need | None = None,
                    practice: Practice | None = None) -> MatchFeedback:
    """Record that a recommended mentor is not a good match for the mentee's need."""
    ensure_can_match(actor)
    note = (note or "").strip()
    value = _check(mentee, mentor, topic, need, practice, reason, note)
    if db.session.scalar(select(MatchFeedback.id).where(
            MatchFeedback.mentee_city_id == mentee.id, MatchFeedback.mentor_city_id == mentor.id,
            MatchFeedback.topic == topic,
            MatchFeedback.need_id == need.id if need is not None else MatchFeedback.need_id.is_(None))):
        raise Conflict(_("%(mentor)s sudah ditandai bukan pasangan yang cocok untuk kebutuhan ini.",
                         mentor=mentor.name_short))
    feedback = MatchFeedback(mentee_city_id=mentee.id, mentor_city_id=mentor.id, topic=topic,
                             need=need, practice=practice, reason=value, note=note,
                             created_by=actor if getattr(actor, "id", None) else None,
                             created_at=now)
    db.session.add(feedback)
    db.session.flush()
    return feedback


def withdraw_feedback(actor: Actor | None, feedback_id: int) -> MatchFeedback:
    """Take back a "not a good match": the pair is recommended again."""
    ensure_can_match(actor)
    feedback = db.session.get(MatchFeedback, feedback_id)
    if feedback is None:
        raise NotFound(_("Umpan balik tidak ditemukan."))
    db.session.delete(feedback)
    db.session.flush()
    return feedback


def flagged_mentors(mentee: City, topic: str, need: Need | None) -> dict[int, MatchFeedback]:
    """Mentor city id -> the feedback that excludes it: for this need, or given without one."""
    applies: ColumnElement[bool] = MatchFeedback.need_id.is_(None)
    if need is not None:
        applies = or_(applies, MatchFeedback.need_id == need.id)
    rows = db.session.scalars(select(MatchFeedback).where(
        MatchFeedback.mentee_city_id == mentee.id, MatchFeedback.topic == topic, applies)
        .order_by(MatchFeedback.created_at, MatchFeedback.id))
    return {f.mentor_city_id: f for f in rows}  # the latest one explains


def flagged_pairs(topics: set[str]) -> list[tuple[int, str, int, int | None]]:
    """(mentee city id, topic, mentor city id, need id or None) of every feedback on the topics."""
    return [(mentee, topic, mentor, need_id) for mentee, topic, mentor, need_id in db.session.execute(
        select(MatchFeedback.mentee_city_id, MatchFeedback.topic, MatchFeedback.mentor_city_id,
               MatchFeedback.need_id).where(MatchFeedback.topic.in_(topics)))]


def list_feedback(actor: Actor | None) -> list[MatchFeedback]:
    """Every feedback, oldest first, for the export (facilitators)."""
    ensure_can_match(actor)
    return list(db.session.scalars(select(MatchFeedback).order_by(MatchFeedback.created_at,
                                                                  MatchFeedback.id)))


"""Notes and knowledge-base endpoints of the JSON API."""

from datetime import datetime

from flask import jsonify, request
from flask_login import current_user

from matchmaker.api.base import bp, int_arg, json_body
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.notes import access, queries, search, services
from matchmaker.notes.models import Attendance, FollowUpAction, Lesson, SessionNote
from matchmaker.programmes.access import get_session
from matchmaker.timeutils import as_utc, utcnow
from matchmaker.vocab import OUTCOME_TYPES, TOPICS


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat().replace("+00:00", "Z") if value else None


def note_dict(note: SessionNote) -> dict:
    return {"id": note.id, "session_id": note.session_id, "body": note.body_markdown,
            "author": note.author.name if note.author else None, "created_at": _iso(note.created_at),
            "updated_at": _iso(note.updated_at), "revisions": len(note.revisions)}


def attendance_dict(row: Attendance) -> dict:
    return {"id": row.id, "name": row.name, "city": row.city.code if row.city else None,
            "agency": row.agency}


def lesson_dict(lesson: Lesson) -> dict:
    programme = lesson.programme
    return {"id": lesson.id, "text": lesson.text, "topic": lesson.topic, "outcome": lesson.outcome_type,
            "programme_id": lesson.programme_id, "session_id": lesson.session_id,
            "session_number": lesson.session.number, "session_starts_at": _iso(lesson.session.starts_at),
            "mentor": {"code": programme.mentor.code, "name": programme.mentor.name},
            "mentee": {"code": programme.mentee.code, "name": programme.mentee.name},
            "author": lesson.author.name if lesson.author else None,
            "created_at": _iso(lesson.created_at), "updated_at": _iso(lesson.updated_at)}


def action_dict(action: FollowUpAction) -> dict:
    return {"id": action.id, "text": action.text, "owner_city": action.owner_city.code,
            "owner_person": action.owner_person, "due": action.due_on.isoformat(),
            "status": action.status.value, "programme_id": action.programme_id,
            "session_id": action.session_id, "created_at": _iso(action.created_at),
            "updated_at": _iso(action.updated_at)}


@bp.post("/sessions/<int:session_id>/notes")
def log_session_notes(session_id: int):
    session = get_session(current_user, session_id)
    data = json_body()
    logged = services.log_notes(current_user, session, data.get("body"), data.get("attendance"),
                                data.get("lessons"), data.get("actions"), utcnow())
    db.session.commit()
    return jsonify({"session_id": session.id,
                    "note_id": logged.note.id if logged.note else None,
                    "attendance_ids": [row.id for row in logged.attendance],
                    "lesson_ids": [lesson.id for lesson in logged.lessons],
                    "action_ids": [action.id for action in logged.actions]}), 201


@bp.get("/sessions/<int:session_id>/notes")
def get_session_notes(session_id: int):
    session = get_session(current_user, session_id)
    record = queries.session_record(current_user, session)
    return jsonify({"session_id": session.id,
                    "notes": [note_dict(n) for n in record.notes],
                    "attendance": [attendance_dict(a) for a in record.attendance],
                    "lessons": [lesson_dict(lesson) for lesson in record.lessons],
                    "actions": [action_dict(a) for a in record.actions]})


@bp.patch("/notes/<int:note_id>")
def edit_note(note_id: int):
    note = access.get_note(current_user, note_id)
    services.edit_note(current_user, note, json_body().get("body"), utcnow())
    db.session.commit()
    return jsonify(note_dict(note))


@bp.patch("/lessons/<int:lesson_id>")
def edit_lesson(lesson_id: int):
    lesson = access.get_lesson(current_user, lesson_id)
    services.edit_lesson(current_user, lesson, json_body(), utcnow())
    db.session.commit()
    return jsonify(lesson_dict(lesson))


@bp.patch("/actions/<int:action_id>")
def edit_action(action_id: int):
    action = access.get_action(current_user, action_id)
    services.edit_action(current_user, action, json_body(), utcnow())
    db.session.commit()
    return jsonify(action_dict(action))


@bp.get("/lessons")
def list_lessons():
    topic, outcome, year = (request.args.get(k, "") for k in ("topic", "outcome", "year"))
    if topic and topic not in TOPICS:
        raise ValidationError(f"topic must be one of: {', '.join(TOPICS)}", field="topic")
    if outcome and outcome not in OUTCOME_TYPES:
        raise ValidationError(f"outcome must be one of: {', '.join(OUTCOME_TYPES)}", field="outcome")
    filters = search.LessonFilters(q=request.args.get("q", "")[:200], topic=topic, outcome=outcome,
                                   city=request.args.get("city", ""),
                                   year=int_arg("year", 0, 2000, 2100) if year else None)
    found = search.search_lessons(current_user, filters, limit=int_arg("limit", 100, 1, 500))
    return jsonify({"count": len(found), "lessons": [lesson_dict(lesson) for lesson in found]})


@bp.get("/lessons/<int:lesson_id>")
def get_lesson(lesson_id: int):
    lesson = access.get_lesson(current_user, lesson_id)
    similar = search.similar_lessons(current_user, lesson)
    return jsonify({**lesson_dict(lesson),
                    "similar": [{"id": other.id, "text": other.text, "score": round(score, 3)}
                                for other, score in similar]})

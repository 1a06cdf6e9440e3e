"""Notes and knowledge-base endpoints of the JSON API."""

from flask import jsonify, request
from flask_login import current_user

from matchmaker.api.base import bp, int_arg, json_body
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.notes import search, services
from matchmaker.programmes.services import get_session
from matchmaker.timeutils import utcnow
from matchmaker.vocab import OUTCOME_TYPES, TOPICS


@bp.post("/sessions/<int:session_id>/notes")
def log_session_notes(session_id: int):
    session = get_session(session_id)
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
    session = get_session(session_id)
    record = services.session_record(current_user, session)
    return jsonify({"session_id": session.id,
                    "notes": [services.note_dict(n) for n in record.notes],
                    "attendance": [services.attendance_dict(a) for a in record.attendance],
                    "lessons": [services.lesson_dict(lesson) for lesson in record.lessons],
                    "actions": [services.action_dict(a) for a in record.actions]})


@bp.patch("/notes/<int:note_id>")
def edit_note(note_id: int):
    note = services.get_note(note_id)
    services.edit_note(current_user, note, json_body().get("body"), utcnow())
    db.session.commit()
    return jsonify(services.note_dict(note))


@bp.patch("/lessons/<int:lesson_id>")
def edit_lesson(lesson_id: int):
    lesson = services.get_lesson(lesson_id)
    services.edit_lesson(current_user, lesson, json_body(), utcnow())
    db.session.commit()
    return jsonify(services.lesson_dict(lesson))


@bp.patch("/actions/<int:action_id>")
def edit_action(action_id: int):
    action = services.get_action(action_id)
    services.edit_action(current_user, action, json_body(), utcnow())
    db.session.commit()
    return jsonify(services.action_dict(action))


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
    found = search.search_lessons(filters, limit=int_arg("limit", 100, 1, 500))
    return jsonify({"count": len(found), "lessons": [services.lesson_dict(lesson) for lesson in found]})


@bp.get("/lessons/<int:lesson_id>")
def get_lesson(lesson_id: int):
    lesson = services.get_lesson(lesson_id)
    similar = search.similar_lessons(lesson)
    return jsonify({**services.lesson_dict(lesson),
                    "similar": [{"id": other.id, "text": other.text, "score": round(score, 3)}
                                for other, score in similar]})

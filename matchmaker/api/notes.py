"""Notes and knowledge-base endpoints of the JSON API, and their JSON shapes."""

from flask import jsonify
from flask_login import current_user
from marshmallow import Schema, fields

from matchmaker.api.base import bp, documented_errors, require_if_match, tagged
from matchmaker.api.idempotency import idempotent
from matchmaker.extensions import db
from matchmaker.notes import access, queries, search, services
from matchmaker.notes.schemas import ActionEdit, LessonEdit, LessonQuery, NoteEdit, SessionNotes
from matchmaker.programmes.access import get_session
from matchmaker.timeutils import as_utc, utcnow


def iso(value) -> str | None:
    """UTC in ISO 8601 with a Z, to the microsecond when there is one."""
    return as_utc(value).isoformat().replace("+00:00", "Z") if value else None


def _string(func, **metadata):
    return fields.Function(func, metadata={"type": "string", **metadata})


class NoteOut(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    body = fields.String(attribute="body_markdown", metadata={"description": "Markdown"})
    author = _string(lambda n: n.author.name if n.author else None, nullable=True)
    created_at = _string(lambda n: iso(n.created_at), format="date-time")
    updated_at = _string(lambda n: iso(n.updated_at), format="date-time")
    revisions = fields.Function(lambda n: len(n.revisions), metadata={"type": "integer"})
    version = fields.Integer(metadata={"description": "also the ETag; send it back to edit"})


class AttendanceOut(Schema):
    id = fields.Integer()
    name = fields.String()
    city = _string(lambda a: a.city.code if a.city else None, nullable=True)
    agency = fields.String()


class LessonCity(Schema):
    code = fields.String()
    name = fields.String()


class LessonOut(Schema):
    id = fields.Integer()
    text = fields.String()
    topic = fields.String()
    outcome = fields.String(attribute="outcome_type")
    programme_id = fields.Integer()
    session_id = fields.Integer()
    session_number = fields.Integer(attribute="session.number")
    session_starts_at = _string(lambda lesson: iso(lesson.session.starts_at), format="date-time")
    mentor = fields.Nested(LessonCity, attribute="programme.mentor")
    mentee = fields.Nested(LessonCity, attribute="programme.mentee")
    author = _string(lambda lesson: lesson.author.name if lesson.author else None, nullable=True)
    created_at = _string(lambda lesson: iso(lesson.created_at), format="date-time")
    updated_at = _string(lambda lesson: iso(lesson.updated_at), format="date-time")
    version = fields.Integer()


class ActionOut(Schema):
    id = fields.Integer()
    text = fields.String()
    owner_city = _string(lambda a: a.owner_city.code)
    owner_person = fields.String()
    due = _string(lambda a: a.due_on.isoformat(), format="date")
    status = _string(lambda a: a.status.value, enum=["open", "done", "dropped"])
    programme_id = fields.Integer()
    session_id = fields.Integer()
    created_at = _string(lambda a: iso(a.created_at), format="date-time")
    updated_at = _string(lambda a: iso(a.updated_at), format="date-time")
    version = fields.Integer()


class Logged(Schema):
    session_id = fields.Integer()
    note_id = fields.Integer(allow_none=True)
    attendance_ids = fields.List(fields.Integer())
    lesson_ids = fields.List(fields.Integer())
    action_ids = fields.List(fields.Integer())


class SessionRecord(Schema):
    session_id = fields.Integer()
    notes = fields.List(fields.Nested(NoteOut))
    attendance = fields.List(fields.Nested(AttendanceOut))
    lessons = fields.List(fields.Nested(LessonOut))
    actions = fields.List(fields.Nested(ActionOut))


class LessonList(Schema):
    count = fields.Integer()
    lessons = fields.List(fields.Nested(LessonOut))


class SimilarLesson(Schema):
    id = fields.Integer()
    text = fields.String()
    score = fields.Float()


class LessonWithSimilar(LessonOut):
    similar = fields.List(fields.Nested(SimilarLesson))


@bp.route("/sessions/<id:session_id>/notes", methods=["POST"], tags=["notes"])
@idempotent
@bp.arguments(SessionNotes)
@bp.response(201, Logged)
@documented_errors(403, 404, 409)
def log_session_notes(body: dict, session_id: int):
    """Log notes, attendance, lessons and follow-up actions of a session in one go (participants)."""
    session = get_session(current_user, session_id)
    logged = services.log_notes(current_user, session, body.get("body"), body.get("attendance"),
                                body.get("lessons"), body.get("actions"), utcnow())
    db.session.commit()
    return {"session_id": session.id, "note_id": logged.note.id if logged.note else None,
            "attendance_ids": [row.id for row in logged.attendance],
            "lesson_ids": [lesson.id for lesson in logged.lessons],
            "action_ids": [action.id for action in logged.actions]}


@bp.route("/sessions/<id:session_id>/notes", tags=["notes"])
@bp.response(200, SessionRecord)
@documented_errors(403, 404)
def get_session_notes(session_id: int):
    """Everything logged for a session (participants)."""
    session = get_session(current_user, session_id)
    record = queries.session_record(current_user, session)
    return {"session_id": session.id, "notes": record.notes, "attendance": record.attendance,
            "lessons": record.lessons, "actions": record.actions}


@bp.route("/notes/<id:note_id>", tags=["notes"])
@bp.response(200, NoteOut)
@documented_errors(403, 404)
def get_note(note_id: int):
    """One note, with its version as the ETag (participants)."""
    note = access.get_note(current_user, note_id)
    return note, tagged(note.version)


@bp.route("/notes/<id:note_id>", methods=["PATCH"], tags=["notes"])
@bp.arguments(NoteEdit)
@bp.response(200, NoteOut)
@documented_errors(403, 404, 409, 412)
def edit_note(body: dict, note_id: int):
    """Replace a note's body; the previous body is kept as a revision. `If-Match` (412) or a
    body `version` (409) refuse an edit made from a version that is no longer current."""
    note = access.get_note(current_user, note_id)
    matched = require_if_match(note.version)
    services.edit_note(current_user, note, body["body"], utcnow(), body.get("version", matched))
    db.session.commit()
    return note, tagged(note.version)


@bp.route("/lessons/<id:lesson_id>", methods=["PATCH"], tags=["notes"])
@bp.arguments(LessonEdit)
@bp.response(200, LessonOut)
@documented_errors(403, 404, 409, 412)
def edit_lesson(body: dict, lesson_id: int):
    """Change a lesson's text, topic or outcome; the previous values are kept as a revision."""
    lesson = access.get_lesson(current_user, lesson_id)
    matched = require_if_match(lesson.version)
    version = body.pop("version", matched)
    services.edit_lesson(current_user, lesson, body, utcnow(), version)
    db.session.commit()
    return lesson, tagged(lesson.version)


@bp.route("/actions/<id:action_id>", methods=["PATCH"], tags=["notes"])
@bp.arguments(ActionEdit)
@bp.response(200, ActionOut)
@documented_errors(403, 404, 409, 412)
def edit_action(body: dict, action_id: int):
    """Change a follow-up action or its status; the previous values are kept as a revision."""
    action = access.get_action(current_user, action_id)
    matched = require_if_match(action.version)
    version = body.pop("version", matched)
    services.edit_action(current_user, action, body, utcnow(), version)
    db.session.commit()
    return action, tagged(action.version)


@bp.route("/lessons", tags=["notes"])
@bp.arguments(LessonQuery, location="query")
@bp.response(200, LessonList)
@documented_errors()
def list_lessons(query: dict):
    """Search the knowledge base of lessons learned."""
    filters = search.LessonFilters(q=query.get("q", ""), topic=query.get("topic", ""),
                                   outcome=query.get("outcome", ""), city=query.get("city", ""),
                                   year=query.get("year"))
    found = search.search_lessons(current_user, filters, limit=query["limit"])
    return {"count": len(found), "lessons": found}


@bp.route("/lessons/<id:lesson_id>", tags=["notes"])
@bp.response(200, LessonWithSimilar)
@documented_errors(404)
def get_lesson(lesson_id: int):
    """One lesson and the lessons most like it."""
    lesson = access.get_lesson(current_user, lesson_id)
    similar = search.similar_lessons(current_user, lesson)
    return jsonify({**LessonOut().dump(lesson),
                    "similar": [{"id": other.id, "text": other.text, "score": round(score, 3)}
                                for other, score in similar]}), tagged(lesson.version)

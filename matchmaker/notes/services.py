"""Writing session notes, attendance, lessons and follow-up actions. Services flush; callers commit.

Who may write, and when, is `notes/access.py`'s `ensure_writable` (see docs/notes.md).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import nh3
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import select

from matchmaker.access import Actor
from matchmaker.cities.models import City
from matchmaker.extensions import db
from matchmaker.notes.access import ensure_writable
from matchmaker.notes.models import (
    ActionRevision,
    ActionStatus,
    Attendance,
    FollowUpAction,
    Lesson,
    LessonRevision,
    NoteRevision,
    SessionNote,
)
from matchmaker.notes.schemas import NewAction, NewLesson, NoteEdit, SessionNotes
from matchmaker.programmes.models import Programme, ProgrammeSession
from matchmaker.validation import Schema, check, invalid, load

_markdown = MarkdownIt("commonmark", {"html": False})


@dataclass
class LoggedNotes:
    """What one `log_notes` call wrote."""

    note: SessionNote | None = None
    attendance: list[Attendance] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    actions: list[FollowUpAction] = field(default_factory=list)


def render_markdown(text: str) -> Markup:
    """Markdown to HTML that is safe to show: raw HTML is not parsed, and nh3 cleans the output."""
    return Markup(nh3.clean(_markdown.render(text or "")))


# Validation -------------------------------------------------------------------------------------

def _given(row: Any) -> Any:
    """A record as forms send it: an optional field left empty counts as not given."""
    return {k: v for k, v in row.items() if v not in ("", None)} if isinstance(row, dict) else row


def _without_blanks(value: Any) -> Any:
    return [_given(row) for row in value] if isinstance(value, list) else value


def _programme_city(code: str | None, programme: Programme) -> City | None:
    return next((city for city in (programme.mentee, programme.mentor) if city.code == code), None)


def _foreign_cities(rows: Any, section: str, key: str, programme: Programme) -> list[tuple[str | None, str]]:
    """The rule a schema cannot know: attendees and actions belong to one of the programme's cities."""
    if not isinstance(rows, list):
        return []
    message = _("harus salah satu kota program: %(a)s atau %(b)s",
                a=programme.mentee.code, b=programme.mentor.code)
    return [(f"{section}.{index}.{key}", message) for index, row in enumerate(rows)
            if isinstance(row, dict) and isinstance(row.get(key), str) and row[key]
            and _programme_city(row[key], programme) is None]


def _load(schema: Schema, data: dict, programme: Programme, cities: dict[str, str]) -> dict:
    """Validate through the declared schema and the programme's cities; report every problem."""
    clean, problems = check(schema, data)
    for section, key in cities.items():
        problems += [p for p in _foreign_cities(data.get(section), section, key, programme)
                     if p not in problems]
    if problems:
        raise invalid(problems)
    return clean


def _action_data(row: dict, programme: Programme) -> dict:
    data = {"text": row["text"], "owner_city": _programme_city(row["owner_city"], programme),
            "owner_person": row.get("owner_person") or "", "due_on": row["due"]}
    if "status" in row:
        data["status"] = ActionStatus(row["status"])
    return data


# Writing ----------------------------------------------------------------------------------------

def log_notes(actor: Actor | None, session: ProgrammeSession, body: str | None, attendance: list | None,
              lessons: list | None, actions: list | None, now: datetime) -> LoggedNotes:
    """Record what happened in a session in one go; on any invalid field nothing is written."""
    ensure_writable(actor, session)
    programme = session.programme
    data = _load(SessionNotes(), {"body": body, "attendance": _without_blanks(attendance),
                                  "lessons": _without_blanks(lessons), "actions": _without_blanks(actions)},
                 programme, {"attendance": "city", "actions": "owner_city"})
    body = data.get("body") or ""
    people = [{"name": row["name"], "city": _programme_city(row.get("city"), programme),
               "agency": row.get("agency") or ""} for row in data.get("attendance") or []]
    lesson_data = [{"text": row["text"], "outcome_type": row["outcome"],
                    "topic": row.get("topic") or programme.topic} for row in data.get("lessons") or []]
    action_data = [_action_data(row, programme) for row in data.get("actions") or []]
    if not (body or people or lesson_data or action_data):
        raise invalid([("body", _("isi catatan, kehadiran, pelajaran atau tindak lanjut"))])

    logged = LoggedNotes()
    author_id = actor.id if actor else None
    if body:
        logged.note = SessionNote(session_id=session.id, author_id=author_id, body_markdown=body,
                                  created_at=now, updated_at=now)
        db.session.add(logged.note)
    known = {(a.name.casefold(), a.city_id) for a in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id))}
    for person in people:
        city_id = person["city"].id if person["city"] else None
        if (person["name"].casefold(), city_id) in known:
            continue  # the same person logged twice for one session counts once
        known.add((person["name"].casefold(), city_id))
        row = Attendance(session_id=session.id, name=person["name"], city_id=city_id,
                         agency=person["agency"], author_id=author_id, created_at=now)
        db.session.add(row)
        logged.attendance.append(row)
    for data in lesson_data:
        lesson = Lesson(session_id=session.id, programme_id=programme.id, author_id=author_id,
                        created_at=now, updated_at=now, **data)
        db.session.add(lesson)
        logged.lessons.append(lesson)
    for data in action_data:
        city = data.pop("owner_city")
        action = FollowUpAction(session_id=session.id, programme_id=programme.id, owner_city_id=city.id,
                                author_id=author_id, created_at=now, updated_at=now, **data)
        db.session.add(action)
        logged.actions.append(action)
    db.session.flush()
    return logged


def edit_note(actor: Actor | None, note: SessionNote, body: str, now: datetime) -> SessionNote:
    """Replace a note's body; the previous body is kept as a revision."""
    ensure_writable(actor, note.session)
    body = load(NoteEdit(), {"body": body})["body"]
    if body != note.body_markdown:
        db.session.add(NoteRevision(note=note, editor_id=actor.id if actor else None, edited_at=now,
                                    previous_body=note.body_markdown))
        note.body_markdown = body
        note.updated_at = now
    db.session.flush()
    return note


def edit_lesson(actor: Actor | None, lesson: Lesson, record: dict, now: datetime) -> Lesson:
    """Change a lesson's text, topic or outcome type; the previous values are kept as a revision."""
    ensure_writable(actor, lesson.session)
    merged = {"text": lesson.text, "outcome": lesson.outcome_type, "topic": lesson.topic, **_given(record)}
    clean = load(NewLesson(), merged)
    data = {"text": clean["text"], "outcome_type": clean["outcome"], "topic": clean["topic"]}
    previous = {key: getattr(lesson, key) for key in data if getattr(lesson, key) != data[key]}
    if previous:
        db.session.add(LessonRevision(lesson=lesson, editor_id=actor.id if actor else None,
                                      edited_at=now, previous=previous))
        for key in previous:
            setattr(lesson, key, data[key])
        lesson.updated_at = now
    db.session.flush()
    return lesson


def _action_values(action: FollowUpAction) -> dict:
    return {"text": action.text, "owner_city": action.owner_city.code, "owner_person": action.owner_person,
            "due_on": action.due_on.isoformat(), "status": action.status.value}


def edit_action(actor: Actor | None, action: FollowUpAction, record: dict, now: datetime) -> FollowUpAction:
    """Change an action's fields or status; the previous values are kept as a revision."""
    ensure_writable(actor, action.session)
    before = _action_values(action)
    merged = {"text": before["text"], "owner_city": before["owner_city"],
              "owner_person": before["owner_person"], "due": before["due_on"],
              "status": before["status"], **_given(record)}
    data = _action_data(_load(NewAction(), merged, action.programme, {}), action.programme)
    if data["owner_city"] is None:
        raise invalid(_foreign_cities([merged], "actions", "owner_city", action.programme))
    after = {"text": data["text"], "owner_city": data["owner_city"].code,
             "owner_person": data["owner_person"], "due_on": data["due_on"].isoformat(),
             "status": data["status"]}
    previous = {key: value for key, value in before.items() if after[key] != value}
    if previous:
        db.session.add(ActionRevision(action=action, editor_id=actor.id if actor else None,
                                      edited_at=now, previous=previous))
        action.text = data["text"]
        action.owner_city_id = data["owner_city"].id
        action.owner_city = data["owner_city"]
        action.owner_person = data["owner_person"]
        action.due_on = data["due_on"]
        action.status = ActionStatus(data["status"])
        action.updated_at = now
    db.session.flush()
    return action


def set_action_status(actor: Actor | None, action: FollowUpAction, status: str,
                      now: datetime) -> FollowUpAction:
    """Mark an action done, dropped, or open again."""
    return edit_action(actor, action, {"status": status}, now)


def remove_attendance(actor: Actor | None, row: Attendance, now: datetime) -> None:
    """Take a wrongly entered person off a session's attendance."""
    ensure_writable(actor, row.session)
    db.session.delete(row)
    db.session.flush()

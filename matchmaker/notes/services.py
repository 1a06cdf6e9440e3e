"""Writing session notes, attendance, lessons and follow-up actions. Services flush; callers commit.

Who may write, and when, is `notes/access.py`'s `ensure_writable` (see docs/notes.md).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import nh3
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import select

from matchmaker.access import Actor
from matchmaker.cities.models import City
from matchmaker.errors import ValidationError
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
from matchmaker.programmes.models import Programme, ProgrammeSession
from matchmaker.vocab import OUTCOME_TYPES, TOPICS

MAX_BODY = 50_000
MAX_TEXT = 5_000
MAX_NAME = 200
MAX_ROWS = 200
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
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

class _Problems(list):
    def add(self, path: str, message: str) -> None:
        self.append((path, message))

    def raise_if_any(self) -> None:
        if self:
            path, message = self[0]
            raise ValidationError(f"{path}: {message}", field=path,
                                  errors=[{"field": f, "message": m} for f, m in self])


def _text(value, path: str, problems: _Problems, *, required: bool, limit: int) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.add(path, _("harus berupa teks"))
        return ""
    value = value.strip()
    if required and not value:
        problems.add(path, _("wajib diisi"))
    elif len(value) > limit:
        problems.add(path, _("paling panjang %(n)s karakter", n=limit))
    return value


def _rows(value, path: str, problems: _Problems) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(path, _("harus berupa daftar"))
        return []
    if len(value) > MAX_ROWS:
        problems.add(path, _("paling banyak %(n)s baris", n=MAX_ROWS))
        return []
    good = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            good.append((index, item))
        else:
            problems.add(f"{path}[{index}]", _("harus berupa objek"))
    return good


def _city(code, path: str, programme: Programme, problems: _Problems, *, required: bool) -> City | None:
    if code in (None, ""):
        if required:
            problems.add(path, _("wajib diisi"))
        return None
    for city in (programme.mentee, programme.mentor):
        if code == city.code:
            return city
    problems.add(path, _("harus salah satu kota program: %(a)s atau %(b)s",
                         a=programme.mentee.code, b=programme.mentor.code))
    return None


def _date(value, path: str, problems: _Problems) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.match(value.strip()):
        problems.add(path, _("tanggal wajib berformat TTTT-BB-HH"))
        return None
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        problems.add(path, _("bukan tanggal yang ada"))
        return None
    if not 2000 <= parsed.year <= 2100:
        problems.add(path, _("tahun harus antara 2000 dan 2100"))
        return None
    return parsed


def _choice(value, path: str, table: dict, problems: _Problems, default: str | None = None) -> str:
    if value in (None, "") and default is not None:
        return default
    if value not in table:
        problems.add(path, _("harus salah satu dari: %(keys)s", keys=", ".join(table)))
        return ""
    return value


def _clean_lesson(item: dict, path: str, programme: Programme, problems: _Problems) -> dict:
    return {"text": _text(item.get("text"), f"{path}.text", problems, required=True, limit=MAX_TEXT),
            "outcome_type": _choice(item.get("outcome", item.get("outcome_type")), f"{path}.outcome",
                                    OUTCOME_TYPES, problems),
            "topic": _choice(item.get("topic"), f"{path}.topic", TOPICS, problems, programme.topic)}


def _clean_action(item: dict, path: str, programme: Programme, problems: _Problems) -> dict:
    data = {"text": _text(item.get("text"), f"{path}.text", problems, required=True, limit=MAX_TEXT),
            "owner_city": _city(item.get("owner_city"), f"{path}.owner_city", programme, problems,
                                required=True),
            "owner_person": _text(item.get("owner_person"), f"{path}.owner_person", problems,
                                  required=False, limit=MAX_NAME),
            "due_on": _date(item.get("due", item.get("due_on")), f"{path}.due", problems)}
    if "status" in item:
        data["status"] = _choice(item["status"], f"{path}.status", {s.value: s for s in ActionStatus},
                                 problems)
    return data


# Writing ----------------------------------------------------------------------------------------

def log_notes(actor: Actor | None, session: ProgrammeSession, body: str | None, attendance: list | None,
              lessons: list | None, actions: list | None, now: datetime) -> LoggedNotes:
    """Record what happened in a session in one go; on any invalid field nothing is written."""
    ensure_writable(actor, session)
    programme = session.programme
    problems = _Problems()
    body = _text(body, "body", problems, required=False, limit=MAX_BODY)
    people: list[dict[str, Any]] = []
    for index, item in _rows(attendance, "attendance", problems):
        path = f"attendance[{index}]"
        people.append({"name": _text(item.get("name"), f"{path}.name", problems, required=True,
                                     limit=MAX_NAME),
                       "city": _city(item.get("city"), f"{path}.city", programme, problems,
                                     required=False),
                       "agency": _text(item.get("agency"), f"{path}.agency", problems, required=False,
                                       limit=MAX_NAME)})
    lesson_data = [_clean_lesson(item, f"lessons[{i}]", programme, problems)
                   for i, item in _rows(lessons, "lessons", problems)]
    action_data = [_clean_action(item, f"actions[{i}]", programme, problems)
                   for i, item in _rows(actions, "actions", problems)]
    if not problems and not (body or people or lesson_data or action_data):
        problems.add("body", _("isi catatan, kehadiran, pelajaran atau tindak lanjut"))
    problems.raise_if_any()

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
    problems = _Problems()
    body = _text(body, "body", problems, required=True, limit=MAX_BODY)
    problems.raise_if_any()
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
    problems = _Problems()
    merged = {"text": lesson.text, "outcome": lesson.outcome_type, "topic": lesson.topic, **record}
    data = _clean_lesson(merged, "lesson", lesson.programme, problems)
    problems.raise_if_any()
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
    problems = _Problems()
    before = _action_values(action)
    merged = {**before, "due": before["due_on"], **record}
    merged.setdefault("status", before["status"])
    data = _clean_action(merged, "action", action.programme, problems)
    problems.raise_if_any()
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

"""Use cases on session notes, attendance, lessons and follow-up actions. Services flush; callers commit.

Who: the facilitators and the Pokja members of either city of the programme log and edit
(`ensure_participant`); every signed-in user reads lessons. When: any time on a session that
is not cancelled, of a programme that is not cancelled or declined (see docs/notes.md).
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime

import nh3
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlalchemy import exists, or_, select

from matchmaker.auth.models import User
from matchmaker.cities.models import City
from matchmaker.errors import Conflict, NotFound, ValidationError
from matchmaker.extensions import db
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
from matchmaker.programmes.models import Programme, ProgrammeSession, ProgrammeStatus, SessionStatus
from matchmaker.programmes.services import ensure_participant
from matchmaker.timeutils import as_utc, utcnow
from matchmaker.vocab import OUTCOME_TYPES, TOPICS

MAX_BODY = 50_000
MAX_TEXT = 5_000
MAX_NAME = 200
MAX_ROWS = 200
CLOSED_PROGRAMME = (ProgrammeStatus.CANCELLED, ProgrammeStatus.DECLINED)
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


# Reading ----------------------------------------------------------------------------------------

def get_note(note_id: int) -> SessionNote:
    note = db.session.get(SessionNote, note_id)
    if note is None:
        raise NotFound(_("Catatan tidak ditemukan."))
    return note


def get_lesson(lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        raise NotFound(_("Pelajaran tidak ditemukan."))
    return lesson


def get_action(action_id: int) -> FollowUpAction:
    action = db.session.get(FollowUpAction, action_id)
    if action is None:
        raise NotFound(_("Tindak lanjut tidak ditemukan."))
    return action


def get_attendance(attendance_id: int) -> Attendance:
    row = db.session.get(Attendance, attendance_id)
    if row is None:
        raise NotFound(_("Data kehadiran tidak ditemukan."))
    return row


@dataclass
class SessionRecord:
    notes: list[SessionNote]
    attendance: list[Attendance]
    lessons: list[Lesson]
    actions: list[FollowUpAction]


def session_record(actor: User | None, session: ProgrammeSession) -> SessionRecord:
    """Everything logged for a session, for a participant of its programme."""
    ensure_participant(actor, session.programme)
    sid = session.id
    return SessionRecord(
        notes=list(db.session.scalars(select(SessionNote).where(SessionNote.session_id == sid)
                                      .order_by(SessionNote.created_at, SessionNote.id))),
        attendance=list(db.session.scalars(select(Attendance).where(Attendance.session_id == sid)
                                           .order_by(Attendance.city_id, Attendance.name))),
        lessons=list(db.session.scalars(select(Lesson).where(Lesson.session_id == sid)
                                        .order_by(Lesson.created_at, Lesson.id))),
        actions=list(db.session.scalars(select(FollowUpAction).where(FollowUpAction.session_id == sid)
                                        .order_by(FollowUpAction.due_on, FollowUpAction.id))),
    )


def programme_record(actor: User | None, programme: Programme) -> dict[int, SessionRecord]:
    """Everything logged for each session of a programme (session id -> record), for its report."""
    ensure_participant(actor, programme)
    records = {s.id: SessionRecord([], [], [], []) for s in programme.sessions}
    for kind, model, order in (("notes", SessionNote, SessionNote.created_at),
                               ("attendance", Attendance, Attendance.name),
                               ("lessons", Lesson, Lesson.created_at),
                               ("actions", FollowUpAction, FollowUpAction.due_on)):
        rows = db.session.scalars(
            select(model).join(ProgrammeSession, ProgrammeSession.id == model.session_id)
            .where(ProgrammeSession.programme_id == programme.id).order_by(order, model.id))
        for row in rows:
            getattr(records[row.session_id], kind).append(row)
    return records


def has_notes_clause(session_id):
    """SQL condition: anything (notes, attendance, a lesson or an action) was logged for the session.

    `session_id` is a value or a column, so queries over many sessions use the same rule.
    """
    return or_(*(exists().where(model.session_id == session_id)
                 for model in (SessionNote, Attendance, Lesson, FollowUpAction)))


def session_has_notes(session_id: int) -> bool:
    """True once anything (notes, attendance, a lesson or an action) was logged for the session."""
    return bool(db.session.scalar(select(has_notes_clause(session_id))))


def notes_summary(programme_ids, now: datetime | None = None) -> dict[int, dict]:
    """Per programme: ids of sessions with anything logged, open and overdue action counts."""
    now = now or utcnow()
    ids = list(programme_ids)
    result = {pid: {"sessions_with_notes": set(), "open_actions": 0, "overdue_actions": 0}
              for pid in ids}
    if not ids:
        return result
    logged = or_(*(exists().where(model.session_id == ProgrammeSession.id)
                   for model in (SessionNote, Attendance, Lesson, FollowUpAction)))
    for programme_id, session_id in db.session.execute(
            select(ProgrammeSession.programme_id, ProgrammeSession.id)
            .where(ProgrammeSession.programme_id.in_(ids), logged)):
        result[programme_id]["sessions_with_notes"].add(session_id)
    open_actions = db.session.scalars(select(FollowUpAction).where(
        FollowUpAction.programme_id.in_(ids), FollowUpAction.status == ActionStatus.OPEN))
    for action in open_actions:
        result[action.programme_id]["open_actions"] += 1
        if action.is_overdue(now):
            result[action.programme_id]["overdue_actions"] += 1
    return result


def due_actions(on_date: date) -> list[FollowUpAction]:
    """Open actions due on that date, of programmes that were not cancelled or declined."""
    return list(db.session.scalars(
        select(FollowUpAction).join(Programme, Programme.id == FollowUpAction.programme_id)
        .where(FollowUpAction.due_on == on_date, FollowUpAction.status == ActionStatus.OPEN,
               Programme.status.not_in(CLOSED_PROGRAMME))
        .order_by(FollowUpAction.id)))


def programme_actions(actor: User | None, programme: Programme) -> list[FollowUpAction]:
    ensure_participant(actor, programme)
    return list(db.session.scalars(select(FollowUpAction).where(
        FollowUpAction.programme_id == programme.id).order_by(FollowUpAction.due_on, FollowUpAction.id)))


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


def _ensure_writable(actor: User | None, session: ProgrammeSession) -> None:
    ensure_participant(actor, session.programme)
    if session.programme.status in CLOSED_PROGRAMME:
        raise Conflict(_("Program ini sudah %(status)s; catatan tidak dapat ditambah atau diubah.",
                         status=session.programme.status.value))
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("Sesi ini dibatalkan; catatan tidak dapat ditambah atau diubah."))


# Writing ----------------------------------------------------------------------------------------

def log_notes(actor: User | None, session: ProgrammeSession, body: str | None, attendance: list | None,
              lessons: list | None, actions: list | None, now: datetime) -> LoggedNotes:
    """Record what happened in a session in one go; on any invalid field nothing is written."""
    _ensure_writable(actor, session)
    programme = session.programme
    problems = _Problems()
    body = _text(body, "body", problems, required=False, limit=MAX_BODY)
    people = []
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


def edit_note(actor: User | None, note: SessionNote, body: str, now: datetime) -> SessionNote:
    """Replace a note's body; the previous body is kept as a revision."""
    _ensure_writable(actor, note.session)
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


def edit_lesson(actor: User | None, lesson: Lesson, record: dict, now: datetime) -> Lesson:
    """Change a lesson's text, topic or outcome type; the previous values are kept as a revision."""
    _ensure_writable(actor, lesson.session)
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


def edit_action(actor: User | None, action: FollowUpAction, record: dict, now: datetime) -> FollowUpAction:
    """Change an action's fields or status; the previous values are kept as a revision."""
    _ensure_writable(actor, action.session)
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


def set_action_status(actor: User | None, action: FollowUpAction, status: str,
                      now: datetime) -> FollowUpAction:
    """Mark an action done, dropped, or open again."""
    return edit_action(actor, action, {"status": status}, now)


def remove_attendance(actor: User | None, row: Attendance, now: datetime) -> None:
    """Take a wrongly entered person off a session's attendance."""
    _ensure_writable(actor, row.session)
    db.session.delete(row)
    db.session.flush()


# Shapes for the API -----------------------------------------------------------------------------

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

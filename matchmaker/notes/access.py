"""Who reads and writes notes, lessons and actions, and getters that load and authorise.

Participants of a programme (its cities' Pokja, facilitators) read and log its notes. Lessons of
agreed, active and completed programmes are shared with every signed-in user through the
knowledge base; lessons of proposed, declined or cancelled programmes stay with the programme's
participants, since such programmes are internal.
"""

from flask_babel import gettext as _
from sqlalchemy import or_

from matchmaker.access import Actor, Role, has_role, is_facilitator, is_signed_in
from matchmaker.errors import Conflict, Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.notes.models import Attendance, FollowUpAction, Lesson, NoteAttachment, SessionNote
from matchmaker.notes.queries import CLOSED_PROGRAMME
from matchmaker.programmes.access import ensure_participant, is_participant
from matchmaker.programmes.models import PUBLIC_STATUSES, Programme, ProgrammeSession, SessionStatus


def can_read_lesson(actor: Actor | None, lesson: Lesson) -> bool:
    if lesson.programme.status in PUBLIC_STATUSES:
        return is_signed_in(actor)
    return is_participant(actor, lesson.programme)


def lesson_visible_clause(actor: Actor | None):
    """SQL condition (on a query joined to Programme): the lessons the actor may read."""
    if is_facilitator(actor):
        return Programme.id.isnot(None)
    shared = Programme.status.in_(PUBLIC_STATUSES)
    if has_role(actor, Role.POKJA) and actor.city_id:
        return or_(shared, Programme.mentor_city_id == actor.city_id,
                   Programme.mentee_city_id == actor.city_id)
    return shared


def ensure_writable(actor: Actor | None, session: ProgrammeSession) -> None:
    """Participants log notes any time on a session that is not cancelled, of a programme that
    is not cancelled or declined."""
    ensure_participant(actor, session.programme)
    if session.programme.status in CLOSED_PROGRAMME:
        raise Conflict(_("Program ini sudah %(status)s; catatan tidak dapat ditambah atau diubah.",
                         status=session.programme.status.value))
    if session.status == SessionStatus.CANCELLED:
        raise Conflict(_("Sesi ini dibatalkan; catatan tidak dapat ditambah atau diubah."))


def _load(model, row_id: int, message: str):
    row = db.session.get(model, row_id)
    if row is None:
        raise NotFound(message)
    return row


def get_note(actor: Actor | None, note_id: int) -> SessionNote:
    note = _load(SessionNote, note_id, _("Catatan tidak ditemukan."))
    ensure_participant(actor, note.session.programme)
    return note


def get_lesson(actor: Actor | None, lesson_id: int) -> Lesson:
    lesson = _load(Lesson, lesson_id, _("Pelajaran tidak ditemukan."))
    if not can_read_lesson(actor, lesson):
        raise Forbidden(_("Pelajaran ini hanya untuk peserta programnya."))
    return lesson


def get_action(actor: Actor | None, action_id: int) -> FollowUpAction:
    action = _load(FollowUpAction, action_id, _("Tindak lanjut tidak ditemukan."))
    ensure_participant(actor, action.programme)
    return action


def get_attendance(actor: Actor | None, attendance_id: int) -> Attendance:
    row = _load(Attendance, attendance_id, _("Data kehadiran tidak ditemukan."))
    ensure_participant(actor, row.session.programme)
    return row


def get_attachment(actor: Actor | None, attachment_id: int) -> NoteAttachment:
    """A file of a session's notes: only for those who may read the notes (the participants)."""
    attachment = _load(NoteAttachment, attachment_id, _("Lampiran tidak ditemukan."))
    ensure_participant(actor, attachment.session.programme)
    return attachment

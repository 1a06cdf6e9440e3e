"""Use cases on learning programmes and their sessions. Services flush; callers commit."""

from flask_babel import gettext as _

from matchmaker.auth.models import User
from matchmaker.errors import Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.programmes.models import Programme, ProgrammeSession


def get_programme(programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(_("Program tidak ditemukan."))
    return programme


def get_session(session_id: int) -> ProgrammeSession:
    session = db.session.get(ProgrammeSession, session_id)
    if session is None:
        raise NotFound(_("Sesi tidak ditemukan."))
    return session


def is_participant(user: User | None, programme: Programme) -> bool:
    """Facilitators, and Pokja members of either city, take part in a programme."""
    if user is None or not user.is_authenticated or not user.is_enabled:
        return False
    if user.is_facilitator:
        return True
    return user.role == "pokja" and user.city_id in (programme.mentor_city_id,
                                                     programme.mentee_city_id)


def ensure_participant(user: User | None, programme: Programme) -> None:
    """Raise unless the user may read the programme's notes and log their own."""
    if not is_participant(user, programme):
        raise Forbidden(_("Anda bukan peserta program ini."))

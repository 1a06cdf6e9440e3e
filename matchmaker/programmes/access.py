"""Who takes part in a programme, what they may do, and getters that load and authorise.

- facilitators (and admins) create programmes, plan and change sessions, record agreements,
  cancel and complete programmes, and read everything;
- a Pokja member reads the programmes of their own city and answers for that city; anything of
  another city's programme is 403;
- a time poll is seen by the programme's participants and answered by the Pokja of its two
  cities only;
- viewers read no programme (city profiles show everyone the public summary).

A programme's *members* are its own facilitator and both cities' Pokja: they get its e-mail.
"""

from flask_babel import gettext as _
from sqlalchemy import and_, false, or_, select, true

from matchmaker.access import Actor, Role, ensure_facilitator, has_role, is_facilitator, is_pokja_of
from matchmaker.auth.models import User
from matchmaker.errors import Conflict, Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.programmes.models import PLANNABLE_STATUSES, Poll, Programme, ProgrammeSession


def is_participant(actor: Actor | None, programme: Programme) -> bool:
    """Facilitators, and Pokja members of either city, take part in (and read) a programme."""
    return is_facilitator(actor) or is_pokja_of(actor, programme.city_ids)


def ensure_participant(actor: Actor | None, programme: Programme) -> None:
    """Raise unless the actor may read the programme's notes and log their own."""
    if not is_participant(actor, programme):
        raise Forbidden(_("Anda bukan peserta program ini."))


def city_side(actor: Actor | None, programme: Programme) -> str | None:
    """'mentor' or 'mentee' when the actor is a Pokja member of that city of the programme."""
    if not has_role(actor, Role.POKJA):
        return None
    if actor.city_id == programme.mentor_city_id:
        return "mentor"
    if actor.city_id == programme.mentee_city_id:
        return "mentee"
    return None


def ensure_can_manage(actor: Actor | None) -> None:
    """Creating programmes and planning their sessions is the facilitators' job."""
    ensure_facilitator(actor)


def ensure_can_plan(actor: Actor | None, programme: Programme) -> None:
    ensure_facilitator(actor)
    if programme.status not in PLANNABLE_STATUSES:
        raise Conflict(_("Program ini sudah ditutup; sesinya tidak bisa diubah."))


def can_plan(actor: Actor | None, programme: Programme) -> bool:
    return is_facilitator(actor) and programme.status in PLANNABLE_STATUSES


def visible_clause(actor: Actor | None):
    """SQL condition on Programme: what the actor may open."""
    if is_facilitator(actor):
        return true()
    if has_role(actor, Role.POKJA) and actor.city_id:
        return or_(Programme.mentor_city_id == actor.city_id,
                   Programme.mentee_city_id == actor.city_id)
    return false()


def members_clause(programme: Programme, *, pokja_only: bool = False):
    """SQL condition on User: the programme's own people (both cities' Pokja and its facilitator)."""
    pokja = and_(User.role == Role.POKJA, User.city_id.in_(list(programme.city_ids)))
    if pokja_only or programme.facilitator_id is None:
        return pokja
    return or_(pokja, User.id == programme.facilitator_id)


def is_member(user: User, programme: Programme) -> bool:
    """The same people as `members_clause`, checked on one user."""
    return user.id == programme.facilitator_id or is_pokja_of(user, programme.city_ids)


def pokja_members(programme: Programme) -> list[User]:
    """Enabled Pokja accounts of both cities: the calendar attendees."""
    return list(db.session.scalars(select(User).where(
        members_clause(programme, pokja_only=True), User.is_enabled.is_(True)).order_by(User.email)))


def get_programme(actor: Actor | None, programme_id: int) -> Programme:
    """The programme, if it exists (404) and the actor takes part in it (403)."""
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(_("Program tidak ditemukan."))
    ensure_participant(actor, programme)
    return programme


def get_session(actor: Actor | None, session_id: int) -> ProgrammeSession:
    """The session, if it exists (404) and the actor takes part in its programme (403)."""
    session = db.session.get(ProgrammeSession, session_id)
    if session is None:
        raise NotFound(_("Sesi tidak ditemukan."))
    ensure_participant(actor, session.programme)
    return session


def get_poll(actor: Actor | None, poll_id: int) -> Poll:
    """The time poll, if it exists (404) and the actor takes part in its programme (403)."""
    poll = db.session.get(Poll, poll_id)
    if poll is None:
        raise NotFound(_("Jajak waktu tidak ditemukan."))
    ensure_participant(actor, poll.programme)
    return poll


def can_answer_poll(actor: Actor | None, poll: Poll) -> bool:
    return is_pokja_of(actor, poll.programme.city_ids)


def ensure_can_answer_poll(actor: Actor | None, poll: Poll) -> Actor:
    """Only the Pokja of the poll's two cities answer it; returns the answering account."""
    if actor is None or not can_answer_poll(actor, poll):
        raise Forbidden(_("Hanya Pokja kedua kota yang menjawab jajak waktu ini."))
    return actor

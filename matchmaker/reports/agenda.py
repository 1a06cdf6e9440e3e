"""What waits on one user: the home page of a Pokja member, `GET /api/v1/me/agenda`, the navbar badge.

Above `programmes` and `notes`: it reads proposals, sessions, notes and actions together.
A Pokja member's agenda covers their city's programmes; a facilitator's the programmes they
facilitate (an admin's: all); a viewer takes part in none, so theirs is empty.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import joinedload

from matchmaker.access import Actor, Role, has_role, is_admin, is_facilitator
from matchmaker.extensions import db
from matchmaker.notes.models import ActionStatus, FollowUpAction
from matchmaker.notes.queries import CLOSED_PROGRAMME, sessions_missing_notes
from matchmaker.programmes.models import (
    OPEN_STATUSES,
    Poll,
    PollAnswer,
    PollStatus,
    Programme,
    ProgrammeSession,
    ProgrammeStatus,
    SessionStatus,
)
from matchmaker.timeutils import as_utc, labelled_times

# How far back a session without notes still counts as waiting on its people.
NOTES_LOOKBACK = timedelta(days=60)
NEXT_SESSIONS = 5


@dataclass
class PollToAnswer:
    poll: Poll
    answered: bool


@dataclass
class Agenda:
    now: datetime
    proposals: list[Programme] = field(default_factory=list)
    polls: list[PollToAnswer] = field(default_factory=list)
    next_sessions: list[ProgrammeSession] = field(default_factory=list)
    notes_missing: list[ProgrammeSession] = field(default_factory=list)
    open_actions: list[FollowUpAction] = field(default_factory=list)

    @property
    def overdue_actions(self) -> list[FollowUpAction]:
        return [a for a in self.open_actions if a.is_overdue(self.now)]

    @property
    def waiting_count(self) -> int:
        """The navbar badge: proposals and time polls to answer, notes to log, overdue actions."""
        unanswered = sum(not item.answered for item in self.polls)
        return len(self.proposals) + unanswered + len(self.notes_missing) + len(self.overdue_actions)


def home_endpoint(actor: Actor | None) -> str | None:
    """Where `/` sends a user: facilitators to the dashboard, viewers to the knowledge base;
    None for a Pokja member, whose home is their agenda."""
    if is_facilitator(actor):
        return "reports.dashboard"
    if has_role(actor, Role.POKJA) and actor.city_id:
        return None
    return "notes.knowledge"


def _scope(actor: Actor | None):
    """SQL condition on Programme: the programmes whose work waits on this actor."""
    if has_role(actor, Role.POKJA) and actor.city_id:
        return or_(Programme.mentor_city_id == actor.city_id,
                   Programme.mentee_city_id == actor.city_id)
    if is_admin(actor):
        return true()
    if is_facilitator(actor):
        return Programme.facilitator_id == actor.id
    return false()


def _proposals(actor: Actor | None) -> list[Programme]:
    """Proposals the actor's city has not answered yet (only a Pokja member answers)."""
    if not (has_role(actor, Role.POKJA) and actor.city_id):
        return []
    city = actor.city_id
    unanswered = or_(and_(Programme.mentor_city_id == city, Programme.mentor_accepted_at.is_(None)),
                     and_(Programme.mentee_city_id == city, Programme.mentee_accepted_at.is_(None)))
    return list(db.session.scalars(
        select(Programme).where(Programme.status == ProgrammeStatus.PROPOSED, unanswered)
        .options(joinedload(Programme.mentor), joinedload(Programme.mentee))
        .order_by(Programme.created_at, Programme.id)))


def _polls(actor: Actor | None, scope) -> list[PollToAnswer]:
    """Open time polls of the Pokja member's city's programmes, and whether they answered."""
    if not (has_role(actor, Role.POKJA) and actor.city_id):
        return []
    polls = list(db.session.scalars(
        select(Poll).join(Programme, Programme.id == Poll.programme_id)
        .where(scope, Poll.status == PollStatus.OPEN, Programme.status.in_(OPEN_STATUSES))
        .order_by(Poll.id)))
    answered = set(db.session.scalars(select(PollAnswer.poll_id).where(
        PollAnswer.user_id == actor.id, PollAnswer.poll_id.in_([p.id for p in polls])))) if polls else set()
    return [PollToAnswer(poll, poll.id in answered) for poll in polls]


def _next_sessions(scope, now: datetime) -> list[ProgrammeSession]:
    rows = db.session.scalars(
        select(ProgrammeSession).join(Programme)
        .where(scope, Programme.status.in_(OPEN_STATUSES),
               ProgrammeSession.status == SessionStatus.PLANNED,
               ProgrammeSession.starts_at >= now - timedelta(hours=12))
        .order_by(ProgrammeSession.starts_at, ProgrammeSession.id).limit(NEXT_SESSIONS * 2))
    return [s for s in rows if s.ends_at >= now][:NEXT_SESSIONS]


def _open_actions(actor: Actor | None, scope) -> list[FollowUpAction]:
    """Open actions: a Pokja member's city's own; a facilitator's programmes' all."""
    owner = (FollowUpAction.owner_city_id == actor.city_id
             if has_role(actor, Role.POKJA) and actor.city_id else true())
    return list(db.session.scalars(
        select(FollowUpAction).join(Programme, Programme.id == FollowUpAction.programme_id)
        .where(scope, owner, FollowUpAction.status == ActionStatus.OPEN,
               Programme.status.not_in(CLOSED_PROGRAMME))
        .options(joinedload(FollowUpAction.owner_city))
        .order_by(FollowUpAction.due_on, FollowUpAction.id)))


def agenda_for(actor: Actor | None, now: datetime) -> Agenda:
    """Everything that waits on the actor at `now`, soonest first in each list."""
    scope = _scope(actor)
    return Agenda(now=now, proposals=_proposals(actor), polls=_polls(actor, scope),
                  next_sessions=_next_sessions(scope, now),
                  notes_missing=sessions_missing_notes(now, scope, lookback=NOTES_LOOKBACK),
                  open_actions=_open_actions(actor, scope))


def session_times(session: ProgrammeSession, zone: str) -> str:
    """'2027-01-04 09:00 WIB / 10:00 WITA': the day in the reader's zone, then the time in it
    and in both cities' zones."""
    day = as_utc(session.starts_at).astimezone(ZoneInfo(zone)).date().isoformat()
    return f"{day} {labelled_times(session.starts_at, [zone, *session.programme.zones])}"

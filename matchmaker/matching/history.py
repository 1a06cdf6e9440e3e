"""What a mentor city already did on a topic: the programmes it completed, and their outcomes.

Read live on every recommendation (like the exclusions), never from the model cache: a
programme completed a minute ago changes the list at once.
"""

from dataclasses import dataclass

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.programmes.models import Programme, ProgrammeStatus, ReplicationOutcome

# DOMAIN.md: the mentee adopted the practice once it is in its plan, budget, regulation or
# operations; "none" is a completed programme without adoption.
ADOPTED_OUTCOMES = frozenset(o.value for o in ReplicationOutcome if o != ReplicationOutcome.NONE)


@dataclass(frozen=True)
class MentorRecord:
    """Completed programmes of a mentor on a topic: distinct mentees, and how many adopted."""

    mentees: int
    adopted: int

    @property
    def adoption_share(self) -> float:
        return self.adopted / self.mentees if self.mentees else 0.0


def is_adopted(programme: Programme) -> bool:
    return programme.outcome in ADOPTED_OUTCOMES


def completed_with(mentee_id: int, topic: str) -> dict[int, Programme]:
    """Mentor city id -> its latest completed programme with this mentee on this topic."""
    programmes = db.session.scalars(
        select(Programme).where(Programme.mentee_city_id == mentee_id, Programme.topic == topic,
                                Programme.status == ProgrammeStatus.COMPLETED)
        .order_by(Programme.closed_at, Programme.id))
    return {p.mentor_city_id: p for p in programmes}  # the latest one wins


def mentor_records(topic: str, mentor_ids: set[int]) -> dict[int, MentorRecord]:
    """Mentor city id -> its record of completed programmes on the topic (any mentee)."""
    if not mentor_ids:
        return {}
    mentees: dict[int, set[int]] = {}
    adopted: dict[int, set[int]] = {}
    for mentor_id, mentee_id, outcome in db.session.execute(
            select(Programme.mentor_city_id, Programme.mentee_city_id, Programme.outcome)
            .where(Programme.topic == topic, Programme.status == ProgrammeStatus.COMPLETED,
                   Programme.mentor_city_id.in_(mentor_ids))):
        mentees.setdefault(mentor_id, set()).add(mentee_id)
        if outcome in ADOPTED_OUTCOMES:
            adopted.setdefault(mentor_id, set()).add(mentee_id)
    return {m: MentorRecord(len(cities), len(adopted.get(m, ()))) for m, cities in mentees.items()}


def adopted_pairs(topics: set[str]) -> set[tuple[int, str, int]]:
    """(mentee city id, topic, mentor city id) of completed programmes whose practice was adopted."""
    return {tuple(row) for row in db.session.execute(
        select(Programme.mentee_city_id, Programme.topic, Programme.mentor_city_id)
        .where(Programme.topic.in_(topics), Programme.status == ProgrammeStatus.COMPLETED,
               Programme.outcome.in_(ADOPTED_OUTCOMES)))}

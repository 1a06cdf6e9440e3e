"""What a mentor city already did on a topic: the programmes it completed, and their outcomes.

Read live on every recommendation (like the exclusions), never from the model cache: a
programme completed a minute ago changes the list at once. One query per topic.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from matchmaker.extensions import db
from matchmaker.programmes.models import Programme, ProgrammeStatus, ReplicationOutcome

# DOMAIN.md: the mentee adopted the practice once it is in its plan, budget, regulation or
# operations; "none" is a completed programme without adoption.
ADOPTED_OUTCOMES = frozenset(o.value for o in ReplicationOutcome if o != ReplicationOutcome.NONE)


class PastProgramme(NamedTuple):
    """A completed programme on the topic."""

    id: int
    mentor_id: int
    mentee_id: int
    outcome: str | None
    closed_at: datetime | None

    @property
    def is_adopted(self) -> bool:
        return self.outcome in ADOPTED_OUTCOMES

    @property
    def replication_outcome(self) -> ReplicationOutcome:
        return ReplicationOutcome(self.outcome or ReplicationOutcome.NONE)


@dataclass(frozen=True)
class MentorRecord:
    """Completed programmes of a mentor on a topic: distinct mentees, and how many adopted."""

    mentees: int
    adopted: int

    @property
    def adoption_share(self) -> float:
        return self.adopted / self.mentees if self.mentees else 0.0


@dataclass(frozen=True)
class TopicHistory:
    programmes: list[PastProgramme]  # completed on the topic, oldest first

    def with_mentee(self, mentee_id: int) -> dict[int, PastProgramme]:
        """Mentor city id -> its latest completed programme with this mentee."""
        return {p.mentor_id: p for p in self.programmes if p.mentee_id == mentee_id}

    def records(self) -> dict[int, MentorRecord]:
        """Mentor city id -> its record on the topic (a mentee adopted if any programme did)."""
        mentees: dict[int, set[int]] = {}
        adopted: dict[int, set[int]] = {}
        for p in self.programmes:
            mentees.setdefault(p.mentor_id, set()).add(p.mentee_id)
            if p.is_adopted:
                adopted.setdefault(p.mentor_id, set()).add(p.mentee_id)
        return {m: MentorRecord(len(cities), len(adopted.get(m, ()))) for m, cities in mentees.items()}


def topic_history(topic: str) -> TopicHistory:
    """The completed programmes on a topic (declined and cancelled ones never ran)."""
    return TopicHistory([PastProgramme(*row) for row in db.session.execute(
        select(Programme.id, Programme.mentor_city_id, Programme.mentee_city_id, Programme.outcome,
               Programme.closed_at)
        .where(Programme.topic == topic, Programme.status == ProgrammeStatus.COMPLETED)
        .order_by(Programme.closed_at, Programme.id))])


def adopted_pairs(topics: set[str]) -> set[tuple[int, str, int]]:
    """(mentee city id, topic, mentor city id) of completed programmes whose practice was adopted."""
    return {(mentee, topic, mentor) for mentee, topic, mentor in db.session.execute(
        select(Programme.mentee_city_id, Programme.topic, Programme.mentor_city_id)
        .where(Programme.topic.in_(topics), Programme.status == ProgrammeStatus.COMPLETED,
               Programme.outcome.in_(ADOPTED_OUTCOMES)))}

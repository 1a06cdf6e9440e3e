"""Matching's own records: accepted cohort pairs, facilitators' "not a good match" feedback, and
the glossary groups an admin added in the app."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.dbtypes import UTCDateTime, str_enum
from matchmaker.extensions import Model
from matchmaker.timeutils import utcnow

if TYPE_CHECKING:
    from matchmaker.auth.models import User
    from matchmaker.cities.models import City, Need, Practice



class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"


class CohortProposal(Model):
    """A (need, mentor) pair kept until it becomes a programme (then programme_id is set)."""

    __tablename__ = "cohort_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    mentor_city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id", ondelete="SET NULL"))
    score: Mapped[float] = mapped_column()
    status: Mapped[ProposalStatus] = mapped_column(
        str_enum(ProposalStatus, "proposal_status"), default=ProposalStatus.PROPOSED, index=True)
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    need: Mapped["Need"] = relationship("Need")
    mentor: Mapped["City"] = relationship("City")
    practice: Mapped["Practice | None"] = relationship("Practice")
    created_by: Mapped["User | None"] = relationship("User")


class FeedbackReason(enum.StrEnum):
    NOT_COMPARABLE = "not_comparable"
    UNWILLING = "unwilling"
    ALREADY_TRIED = "already_tried"
    OTHER = "other"


FEEDBACK_LABELS = {
    FeedbackReason.NOT_COMPARABLE: _l("Praktiknya tidak sebanding"),
    FeedbackReason.UNWILLING: _l("Kota tidak bersedia"),
    FeedbackReason.ALREADY_TRIED: _l("Sudah pernah dicoba"),
    FeedbackReason.OTHER: _l("Lainnya"),
}


class MatchFeedback(Model):
    """A facilitator's "not a good match" on one recommended mentor for a mentee's need.

    With a need, the pair is excluded for that need; without one (a free-text search), for
    every search of the mentee on the topic.
    """

    __tablename__ = "match_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    mentee_city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    mentor_city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    topic: Mapped[str] = mapped_column(String(30))
    need_id: Mapped[int | None] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"))
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id", ondelete="SET NULL"))
    reason: Mapped[FeedbackReason] = mapped_column(str_enum(FeedbackReason, "feedback_reason"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentee: Mapped["City"] = relationship("City", foreign_keys=[mentee_city_id])
    mentor: Mapped["City"] = relationship("City", foreign_keys=[mentor_city_id])
    need: Mapped["Need | None"] = relationship("Need")
    practice: Mapped["Practice | None"] = relationship("Practice")
    created_by: Mapped["User | None"] = relationship("User")


class GlossaryEntry(Model):
    """A concept group an admin added in the app; merged with glossary.toml when the model is
    built. A group id the shipped glossary knows adds wordings to that group."""

    __tablename__ = "glossary_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[str] = mapped_column(String(64), index=True)
    label_id: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    # kind ("id", "acronym", "colloquial", "en") -> wordings, as in glossary.toml
    terms: Mapped[dict] = mapped_column(JSON)
    topics: Mapped[list] = mapped_column(JSON, default=list)
    broader: Mapped[list] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped["User | None"] = relationship("User")

    def as_dict(self) -> dict:
        """The group in the shape of a glossary.toml [[group]] table."""
        return {"id": self.group_id, "label": {"id": self.label_id, "en": self.label_en},
                "terms": self.terms, "topics": list(self.topics), "broader": list(self.broader),
                "sources": [self.source]}

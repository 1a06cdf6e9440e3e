"""Cohort proposals: pairs a facilitator accepted from a cohort assignment."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey
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

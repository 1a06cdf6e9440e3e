"""Who uses the matching tools: recommendations, cohorts and accepted pairs are the facilitators'."""

from matchmaker.access import Actor, ensure_facilitator


def ensure_can_match(actor: Actor | None) -> None:
    """Facilitators (and admins) ask for mentors, run cohorts and accept pairs."""
    ensure_facilitator(actor)

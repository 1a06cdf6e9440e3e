"""Who uses the matching tools: recommendations, cohorts, accepted pairs and feedback are the
facilitators'; the glossary groups added in the app are the admins'."""

from matchmaker.access import Actor, ensure_admin, ensure_facilitator


def ensure_can_match(actor: Actor | None) -> None:
    """Facilitators (and admins) ask for mentors, run cohorts, accept pairs and give feedback."""
    ensure_facilitator(actor)


def ensure_can_edit_glossary(actor: Actor | None) -> None:
    """Admins add concept groups to the sector glossary in the app."""
    ensure_admin(actor)

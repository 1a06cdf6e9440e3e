"""JSON API under /api/v1: the same services as the pages, with JSON errors and an OpenAPI document.

Each module below adds its routes to the one blueprint; importing them here registers them.
"""

from matchmaker.api import agenda, candidates, cities, matching, notes, polls, programmes
from matchmaker.api.base import CONVERTERS, bp
from matchmaker.api.docs import docs_bp

# The groups of the OpenAPI document, in the order a reader meets them.
TAGS = [
    {"name": "cities", "description": "The 514 kabupaten/kota: profiles, indicators, practices, needs."},
    {"name": "matching", "description": "Mentor recommendations, and who needs a practice, with reasons."},
    {"name": "programmes", "description": "Learning programmes, their lifecycle and sessions."},
    {"name": "notes", "description": "Session notes, attendance, lessons learned, follow-up actions."},
]

__all__ = ["CONVERTERS", "TAGS", "agenda", "bp", "candidates", "cities", "docs_bp", "matching", "notes",
           "polls", "programmes"]

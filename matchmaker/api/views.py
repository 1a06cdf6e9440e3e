"""JSON API under /api/v1: the same services as the pages, with JSON errors.

Each module below adds its routes to the one blueprint; importing them here registers them.
"""

from matchmaker.api import cities, matching, notes, programmes
from matchmaker.api.base import bp

__all__ = ["bp", "cities", "matching", "notes", "programmes"]

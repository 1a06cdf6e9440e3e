"""JSON API under /api/v1: the same services as the pages, with JSON errors and an OpenAPI document.

Each module below adds its routes to the one blueprint; importing them here registers them.
"""

from matchmaker.api import cities, matching, notes, programmes
from matchmaker.api.base import CONVERTERS, bp
from matchmaker.api.docs import docs_bp

__all__ = ["CONVERTERS", "bp", "cities", "docs_bp", "matching", "notes", "programmes"]

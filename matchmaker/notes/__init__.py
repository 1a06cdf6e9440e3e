"""Session notes, attendance, lessons learned, follow-up actions and the knowledge base."""

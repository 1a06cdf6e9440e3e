"""Words of a lesson for the full-text index and of a search query: surface forms and stems."""

import re

from markupsafe import Markup, escape
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

from matchmaker.matching.text import stem

_TOKEN = re.compile(r"[^\W_]+")
MAX_TERM = 60
# The shortest half of a word written as one ('wali' + 'kota') that search looks for apart.
MIN_PART = 3
# Stems shorter than this are not marked inside other words (too many false marks).
MIN_MARKED_STEM = 4
# Sastrawi's plain list only: domain words such as "daerah" stay searchable here.
STOP_WORDS = frozenset(StopWordRemoverFactory().get_stop_words())


def tokens(text: str) -> list[str]:
    return [t[:MAX_TERM] for t in _TOKEN.findall(text.lower())]


def index_terms(text: str) -> list[str]:
    """Every word as written plus its Sastrawi stem, so both 'memperkuat' and 'kuat' find it."""
    terms = []
    for token in tokens(text):
        terms.append(token)
        root = stem(token)
        if root and root != token:
            terms.append(root[:MAX_TERM])
    return terms


def query_terms(query: str) -> list[tuple[str, str]]:
    """(word, stem) pairs a lesson must all contain; stop words drop out unless nothing else is left."""
    words = list(dict.fromkeys(tokens(query)))
    kept = [w for w in words if w not in STOP_WORDS] or words
    return [(w, stem(w) or w) for w in kept]


def split_points(word: str) -> list[tuple[str, str]]:
    """A word written as one that may be two: 'walikota' -> ('wali', 'kota'), …"""
    return [(word[:k], word[k:]) for k in range(MIN_PART, len(word) - MIN_PART + 1)]


def highlight(text: str, query: str) -> Markup:
    """The text, escaped, with the words a search for `query` matched wrapped in <mark>."""
    patterns = []
    for word, root in query_terms(query):
        patterns.append(re.escape(word) + r"\w*")
        patterns += [re.escape(a) + r"\s+" + re.escape(b) + r"\w*" for a, b in split_points(word)]
        if len(root) >= MIN_MARKED_STEM:
            patterns.append(r"\w*" + re.escape(root) + r"\w*")
    if not patterns:
        return escape(text)
    found = re.compile(r"\b(?:" + "|".join(sorted(patterns, key=len, reverse=True)) + ")", re.IGNORECASE)
    parts, last = [], 0
    for match in found.finditer(text):
        parts += [escape(text[last:match.start()]), Markup("<mark>%s</mark>") % match.group()]
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)

"""Words of a lesson for the full-text index and of a search query: surface forms and stems."""

import re

from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

from matchmaker.matching.text import stem

_TOKEN = re.compile(r"[^\W_]+")
MAX_TERM = 60
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

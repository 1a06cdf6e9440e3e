"""Indonesian text normalisation for matching: tokenise, drop stop words, stem."""

import re
from functools import lru_cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

_TOKEN = re.compile(r"[a-z0-9]+")
_STEMMER = StemmerFactory().create_stemmer()

# Sastrawi's list plus words that appear in almost every practice or need and so
# carry no signal about *which* practice fits.
STOP_WORDS = frozenset(StopWordRemoverFactory().get_stop_words()) | {
    "kota", "kabupaten", "kab", "pemerintah", "pemkot", "pemkab", "daerah", "program",
}


@lru_cache(maxsize=200_000)  # bounded: need texts come from users
def stem(token: str) -> str:
    """Return the Sastrawi root of one lower-case token; acronyms with digits stay as they are."""
    if any(ch.isdigit() for ch in token) or len(token) <= 3:
        return token
    return _STEMMER.stem(token) or token


def terms(text: str, *, use_stemming: bool = True) -> list[tuple[str, str]]:
    """Split text into (surface word, normalised term) pairs, stop words removed."""
    pairs = []
    for token in _TOKEN.findall(text.lower()):
        if token in STOP_WORDS:
            continue
        term = stem(token) if use_stemming else token
        if term not in STOP_WORDS:
            pairs.append((token, term))
    return pairs


def normalise(text: str, *, use_stemming: bool = True) -> str:
    """Return the text as space-separated normalised terms, ready for a vectoriser."""
    return " ".join(term for _, term in terms(text, use_stemming=use_stemming))

"""Indonesian text normalisation for matching: tokenise, expand short forms, drop stop words, stem.

Facilitators write needs the way they write messages: SMS forms ("utk", "blm", "yg"),
run-together words ("walikota", "banksampah"), colloquial verbs ("nyedot", "bersihin"),
acronyms and English. `terms` turns all of these into the same terms as the formal text,
so that needs and practices meet on their roots:

1. tokens are lower-cased runs of letters and digits;
2. a token listed under `[word_forms]` in `matchmaker/data/glossary.toml` is replaced by its
   standard words ("utk" -> "untuk", "walikota" -> "wali kota");
3. stop words go; a negation ("tidak", "tak", "non") is joined to the word after it;
4. acronyms and English words of the shipped glossary are kept as written (Sastrawi would
   turn "perwali" into "wali" and "sewerage" into "wage"); English plurals lose their "s";
5. other tokens get their Sastrawi root; a colloquial form that has no root of its own is
   tried as its formal form ("nyedot" -> "menyedot" -> "sedot"); an unknown run-together
   token is split into two known words ("airminum" -> "air", "minum").
"""

import re
import tomllib
from functools import lru_cache
from importlib import resources

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

# Runs of letters and digits; a single letter after a hyphen stays on ("spald-s", read "spalds").
_TOKEN = re.compile(r"[a-z0-9]{2,}-[a-z](?![a-z0-9])|[a-z0-9]+")
_FACTORY = StemmerFactory()
_STEMMER = _FACTORY.create_stemmer()
_ROOTS = frozenset(word for word in _FACTORY.get_words() if word)

GLOSSARY_FILE = "glossary.toml"

# Sastrawi's list plus words that appear in almost every practice or need and so
# carry no signal about *which* practice fits.
STOP_WORDS = frozenset(StopWordRemoverFactory().get_stop_words()) | {
    "kota", "kabupaten", "kab", "pemerintah", "pemkot", "pemkab", "daerah", "program",
}
# English function words, for needs written in English or mixed; content words stay.
EN_STOP_WORDS = frozenset({
    "a", "an", "the", "and", "or", "of", "for", "to", "in", "on", "at", "by", "from", "with",
    "into", "about", "as", "than", "so", "is", "are", "be", "been", "being", "was", "were",
    "do", "does", "did", "can", "could", "should", "would", "will", "shall", "may", "might",
    "must", "i", "we", "our", "us", "my", "you", "your", "they", "their", "them", "he", "she",
    "it", "its", "this", "that", "these", "those", "there", "here", "how", "what", "which",
    "who", "whom", "when", "where", "why", "want", "wants", "need", "needs", "like", "learn",
    "learning", "have", "has", "had", "get", "gets", "getting", "help", "please", "also",
    "very", "more", "most", "some", "any", "all", "each",
})
# Sastrawi stop words that are content words in this sector: "buang air besar" (open
# defecation), "mata air" (spring), "SPALD setempat" (on-site), "tempat pembuangan akhir" /
# "sementara" (landfill / collection point), "kelompok kerja" (Pokja), "kerja sama".
SECTOR_WORDS = frozenset({"besar", "mata", "setempat", "akhir", "sementara", "kerja"})
STOP_WORDS = (STOP_WORDS | EN_STOP_WORDS) - SECTOR_WORDS

# A negation binds to the content word right after it, which becomes its own term
# ("air tak berekening" -> "air", "tidak_rekening"; "rumah tidak layak huni"), so that
# non-revenue water does not read as a water bill. After a stop word it is dropped.
NEGATIONS = frozenset({"tidak", "tak", "bukan", "non"})
NEGATED = "tidak_"

# Run-together tokens shorter than this are left alone; each part must be a known word of
# at least COMPOUND_MIN_PART letters that is not a stop word (or a kept acronym or English
# word of the glossary), so that "kendari" is not read as "ken" + "dari".
COMPOUND_MIN_LENGTH = 7
COMPOUND_MIN_PART = 4


def read_glossary_file() -> dict:
    """Return the shipped glossary file (matchmaker/data/glossary.toml) as parsed TOML."""
    text = resources.files("matchmaker.data").joinpath(GLOSSARY_FILE).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _tokens(text: str) -> list[str]:
    return [token.replace("-", "") for token in _TOKEN.findall(text.lower())]


def _shipped_words() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """The word forms table and the words never stemmed, both from the shipped glossary."""
    data = read_glossary_file()
    forms = {word.lower(): tuple(_tokens(standard)) for word, standard in data["word_forms"].items()}
    kept = set()
    for group in data["group"]:
        for kind in ("acronym", "en"):
            for member in group.get("terms", {}).get(kind, []):
                kept.update(_tokens(member))
    return forms, frozenset(kept - STOP_WORDS)


WORD_FORMS, KEPT_WORDS = _shipped_words()


@lru_cache(maxsize=200_000)  # bounded: need texts come from users
def stem(token: str) -> str:
    """Return the Sastrawi root of one lower-case token; acronyms with digits stay as they are."""
    if any(ch.isdigit() for ch in token) or len(token) <= 3:
        return token
    return _STEMMER.stem(token) or token


def _colloquial_root(token: str) -> str | None:
    """The root of a colloquial verb ("nyedot", "ngolah", "bersihin") through its formal form."""
    if token.endswith("in") and len(token) > 5:  # "-in" is colloquial "-kan": "bersihin"
        token = token[:-2]
        if token in _ROOTS:
            return token
    root = stem(f"me{token}")  # a dropped "me-": "nyedot" -> "menyedot" -> "sedot"
    return root if root in _ROOTS and root != token else None


def _is_part(part: str) -> bool:
    """Whether a piece of a run-together token is a word on its own (stop words are not)."""
    if part in KEPT_WORDS:
        return True
    return (len(part) >= COMPOUND_MIN_PART and part not in STOP_WORDS
            and (part in _ROOTS or stem(part) in _ROOTS))


def _split_compound(token: str) -> tuple[str, str] | None:
    """Two known words that a run-together token is made of ("banksampah"), longest first part."""
    for cut in range(len(token) - 2, 1, -1):
        head, tail = token[:cut], token[cut:]
        if _is_part(head) and _is_part(tail):
            return head, tail
    return None


@lru_cache(maxsize=200_000)
def roots(token: str) -> tuple[str, ...]:
    """Return the normalised terms of one token that is not a stop word (usually one)."""
    if len(token) > 3 and token.endswith("s") and token[:-1] in KEPT_WORDS:
        return (token[:-1],)  # English plural of a glossary word: "tanks", "latrines"
    if token in KEPT_WORDS:
        return (token,)
    root = stem(token)
    if root in STOP_WORDS:
        return (token,)  # a content word whose root is a function word: "berkala", "pendapatan"
    if root in _ROOTS or any(ch.isdigit() for ch in token) or len(token) <= 3:
        return (root,)
    colloquial = _colloquial_root(token)
    if colloquial:
        return (colloquial,)
    if len(token) >= COMPOUND_MIN_LENGTH:
        parts = _split_compound(token)
        if parts:
            return tuple(term for part in parts if part not in STOP_WORDS for term in roots(part))
    return (root,)


def terms(text: str, *, use_stemming: bool = True) -> list[tuple[str, str]]:
    """Split text into (surface word, normalised term) pairs, stop words removed.

    A token expanded into several words ("walikota") gives one pair per word, each with the
    token as written as its surface word.
    """
    pairs = []
    negated = False
    for token in _tokens(text):
        for word in WORD_FORMS.get(token, (token,)):
            if word in NEGATIONS:
                negated = True
                continue
            if word in STOP_WORDS:
                negated = False
                continue
            for term in (roots(word) if use_stemming else (word,)):
                if term not in STOP_WORDS:
                    pairs.append((token, NEGATED + term if negated else term))
                    negated = False
            negated = False
    return pairs


def normalise(text: str, *, use_stemming: bool = True) -> str:
    """Return the text as space-separated normalised terms, ready for a vectoriser."""
    return " ".join(term for _, term in terms(text, use_stemming=use_stemming))

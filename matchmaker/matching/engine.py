"""Rank mentor cities for a mentee's need, and pair a cohort of needs with mentors.

Pure NumPy / scikit-learn: city profiles and practice texts in, ranked candidates out.
The model is built once (TF-IDF matrices, scaled context matrix, per-topic indexes) so
that a recommendation is one sparse gather (the need's terms) plus vector arithmetic over
the practices of one topic.

Relevance measures meaning, not wording (docs/matching.md, "Relevance"):

- concepts: the sector glossary (`matching/glossary.py`) finds the concepts a need and a
  practice mention, whatever the wording (L2T2 = LLTT = "sedot WC berkala" = scheduled
  desludging); the concept part is the IDF-weighted share of the need's concepts that the
  practice covers;
- words: a TF-IDF cosine over Sastrawi-stemmed terms (float32, one matrix per topic), after
  the same normalisation of SMS forms, run-together words and colloquial verbs (`text.py`);
- character n-grams: indexed only for the distinct terms, practice words and glossary
  words, to map a misspelt or unseen need word onto its closest known term (document-level
  character n-grams cost ~1 GB and ~80 % of build time at 100,000 cities);
- near-ties: practices whose relevance is within NEAR_TIE of a better one share its value,
  so that between practices on the same subject maturity and then context decide.
"""

import math
from array import array
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from matchmaker.matching.glossary import Glossary, Mention
from matchmaker.matching.text import terms

MATURITY_LEVELS = ("idea", "pilot", "operational", "institutionalised")
MATURITY_SCORES = {"idea": 0.0, "pilot": 0.4, "operational": 0.75, "institutionalised": 1.0}
FISCAL_LEVELS = ("very_low", "low", "medium", "high", "very_high")

# DOMAIN.md order: relevance > maturity > context > complementarity.
WEIGHTS = {"relevance": 0.45, "maturity": 0.25, "context": 0.20, "complementarity": 0.10}
FACTORS = tuple(WEIGHTS)
_WEIGHT_VECTOR = np.array(list(WEIGHTS.values()))

# A running practice scores at least this much (its maturity term alone); idea-stage
# practices are scaled below it, so a mere plan never outranks a running practice.
RUNNING_FLOOR = WEIGHTS["maturity"] * MATURITY_SCORES["pilot"]
IDEA_SCALE = 0.9 * RUNNING_FLOOR

# Relevance = CONCEPT_SHARE x concept coverage + the rest x word cosine, when the need names
# a concept of the glossary other than the topic itself; the word cosine alone otherwise.
CONCEPT_SHARE = 0.7
# A concept the need only implies (L2T2 implies desludging) weighs this much of one it names.
IMPLIED_WEIGHT = 0.5
# Near-ties: taking practices from the most relevant down, every practice whose relevance is
# at least NEAR_TIE x the group's best joins its group and takes that best value. With
# NEAR_TIE = CONCEPT_SHARE, two practices that both cover every concept of the need are
# always tied, however differently they are worded (relevance 0.7 to 1.0). Below
# RELEVANCE_FLOOR relevance is noise and stays as it is.
NEAR_TIE = CONCEPT_SHARE
RELEVANCE_FLOOR = 0.05
TIE_TOLERANCE = 1e-6  # float32 sums of concept weights may fall a hair short of 1

# A need word missing from the practice vocabulary (typo, unseen inflection) counts as its
# closest vocabulary term when their character n-gram cosine reaches SPELLING_MIN, weighted
# by that cosine. Shorter words are too ambiguous to correct.
SPELLING_MIN = 0.5
SPELLING_MIN_LENGTH = 4

# Context similarity = exp(-distance / CONTEXT_SCALE) over weighted standardised features.
CONTEXT_SCALE = 3.0
CONTEXT_FEATURES = {  # feature: weight in the context distance
    "log_population": 1.5,
    "log_density": 1.0,
    "fiscal_capacity": 1.0,
    "sanitation_access_pct": 0.5,
    "drinking_water_access_pct": 0.5,
    "log_slum_area": 0.5,
    "utc_offset": 0.75,
    "latitude": 0.5,
    "longitude": 0.5,
}
KIND_WEIGHT = 1.5

# Indicator behind complementarity, by topic; higher_is_stronger is False for slum area.
COMPLEMENT_INDICATOR = {"wastewater": "sanitation", "hygiene_behaviour": "sanitation",
                        "drinking_water": "water"}
DEFAULT_COMPLEMENT_INDICATOR = "slum"

CONTEXT_TRAITS = ("same_kind", "similar_population", "similar_density", "similar_fiscal",
                  "same_timezone", "same_province")
SIMILAR_RATIO = np.log(2.5)  # population / density within a factor of 2.5: the same scale class

UNPAIRED_REASONS = ("no_practice", "below_min_score", "duplicate_topic", "capacity")


@dataclass(frozen=True)
class CityProfile:
    code: str
    name: str
    kind: str
    province_code: str
    utc_offset: int
    latitude: float | None
    longitude: float | None
    population: int | None
    area_km2: float | None
    fiscal_capacity: str | None
    sanitation_access_pct: float | None
    drinking_water_access_pct: float | None
    slum_area_ha: float | None


@dataclass(frozen=True)
class PracticeDoc:
    id: int
    city_code: str
    topic: str
    title: str
    description: str
    maturity: str
    started_year: int | None


@dataclass(frozen=True)
class NeedDoc:
    id: int
    city_code: str
    topic: str
    title: str
    description: str
    priority: str


class ConceptMatch(NamedTuple):
    """A glossary concept that both the need and the practice mention, in their own words."""

    concept: str  # glossary group id; Glossary.groups[concept].label(language) names it
    need_words: str  # as the need wrote it, lower case ("sedot wc berkala")
    practice_words: str  # as the practice wrote it ("layanan lumpur tinja terjadwal")


@dataclass
class Candidate:
    code: str
    practice_id: int
    score: float
    factors: dict[str, float]  # relevance here is the calibrated value (near-ties share one)
    matched_terms: list[str]
    similar_traits: list[str]
    concepts: list[ConceptMatch] = field(default_factory=list)  # most weighty first
    near_tie: bool = False  # relevance was a near-tie with another city's practice
    relevance_raw: float = 0.0  # before near-ties
    concept_coverage: float = 0.0  # share of the need's concepts the practice covers
    word_similarity: float = 0.0  # TF-IDF cosine of the stemmed words


@dataclass
class CohortResult:
    pairs: list[tuple[NeedDoc, Candidate]]
    unpaired: list[tuple[NeedDoc, str]]
    total: float
    greedy_total: float


@dataclass
class _Query:
    """A need text, vectorised once."""

    # Rows of a topic's (words + concepts) x practices matrix: the text's word columns, then
    # n_words + the columns of its concepts; with the words' L2-normalised TF-IDF weights and
    # the concepts' shares of the need's concept weight (sum 1).
    rows: np.ndarray
    weights: np.ndarray
    word_weight_of: dict[int, float]  # word column -> weight
    surface: dict[str, str]  # normalised term -> first word of the text it came from
    concept_rank: dict[int, int]  # concept column -> its place, weightiest first (ties: by id)
    mentions: dict[str, Mention]  # concept id -> how the need mentions it

    @property
    def has_concepts(self) -> bool:
        """Whether the need names a concept of the glossary besides the topic itself."""
        return bool(self.mentions)


@dataclass
class _Ranking:
    """All candidates of one query, one row per mentor city, best first."""

    mentee: int
    practices: np.ndarray  # practice row indices
    cities: np.ndarray  # city row indices
    factors: np.ndarray  # (n, 4) in FACTORS order
    scores: np.ndarray
    raw: np.ndarray  # relevance before near-ties
    near_tie: np.ndarray  # bool
    coverage: np.ndarray
    words: np.ndarray


def _value(x) -> float:
    return np.nan if x is None else float(x)


def _log(values: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(values > 0, np.log(values), np.nan)


def _percentile(values: np.ndarray) -> np.ndarray:
    """Rank known values into [0, 1]; unknown stays NaN."""
    out = np.full(values.shape, np.nan)
    known = ~np.isnan(values)
    if known.sum() == 1:
        out[known] = 0.5
    elif known.any():
        out[known] = (rankdata(values[known]) - 1) / (known.sum() - 1)
    return out


def practice_text(practice: PracticeDoc) -> str:
    """Return the text a practice is matched on."""
    return f"{practice.title}\n{practice.description}"


def need_text(need: NeedDoc) -> str:
    """Return the text a need is matched on."""
    return f"{need.title}\n{need.description}"


class MatchModel:
    """Precomputed matrices for mentor recommendation; build once, query many times."""

    glossary: Glossary

    @classmethod
    def build(cls, cities: list[CityProfile], practices: list[PracticeDoc],
              glossary: Glossary | None = None) -> "MatchModel":
        """Build the model from every city profile and every recorded practice.

        `glossary` defaults to the shipped one; pass `Glossary.shipped().extended(groups)` to
        add the groups an admin recorded in the app.
        """
        model = cls()
        model.glossary = glossary if glossary is not None else Glossary.shipped()
        model._build_cities(cities)
        model._build_practices([p for p in practices if p.city_code in model._index])
        return model

    def _build_cities(self, cities: list[CityProfile]) -> None:
        self.codes = np.array([c.code for c in cities], dtype=object)
        self._index = {code: i for i, code in enumerate(self.codes)}
        self._code_rank = rankdata(self.codes, method="ordinal")  # tie-break by code
        self._kind = np.array([c.kind for c in cities], dtype=object)
        self._province = np.array([c.province_code for c in cities], dtype=object)
        self._utc = np.array([c.utc_offset for c in cities], dtype=float)
        population = np.array([_value(c.population) for c in cities])
        area = np.array([_value(c.area_km2) for c in cities])
        self._log_population = _log(population)
        with np.errstate(divide="ignore", invalid="ignore"):
            self._log_density = _log(population / area)
        fiscal_rank = {level: i for i, level in enumerate(FISCAL_LEVELS)}
        self._fiscal = np.array([fiscal_rank.get(c.fiscal_capacity or "", np.nan) for c in cities])
        sanitation = np.array([_value(c.sanitation_access_pct) for c in cities])
        water = np.array([_value(c.drinking_water_access_pct) for c in cities])
        slum = np.array([_value(c.slum_area_ha) for c in cities])

        features = {
            "log_population": self._log_population,
            "log_density": self._log_density,
            "fiscal_capacity": self._fiscal,
            "sanitation_access_pct": sanitation,
            "drinking_water_access_pct": water,
            "log_slum_area": np.log1p(slum),
            "utc_offset": self._utc,
            "latitude": np.array([_value(c.latitude) for c in cities]),
            "longitude": np.array([_value(c.longitude) for c in cities]),
        }
        numeric = np.column_stack([features[name] for name in CONTEXT_FEATURES])
        # A column with no known value at all would be dropped by the imputer: make it 0.
        numeric[:, np.isnan(numeric).all(axis=0)] = 0.0
        # Scale on known values only (StandardScaler ignores NaN), then fill the gaps: imputing
        # first would shrink the spread of sparse indicators and exaggerate the few known ones.
        scaled = make_pipeline(StandardScaler(), SimpleImputer(strategy="median")).fit_transform(
            numeric)
        # Two one-hot columns: scaled so that a kota/kabupaten mismatch adds KIND_WEIGHT.
        kind = OneHotEncoder(sparse_output=False).fit_transform(self._kind.reshape(-1, 1))
        weights = np.array(list(CONTEXT_FEATURES.values()))
        self._context = np.hstack([scaled * weights, kind * KIND_WEIGHT / np.sqrt(2)])

        # Strength in [0, 1] relative to all cities; NaN when unknown.
        self._strength = {
            "sanitation": _percentile(sanitation),
            "water": _percentile(water),
            "slum": 1.0 - _percentile(slum),
        }

    def _build_practices(self, practices: list[PracticeDoc]) -> None:
        self._practice_ids = np.array([p.id for p in practices], dtype=np.int64)
        self._practice_city = np.array([self._index[p.city_code] for p in practices], dtype=np.int64)
        self._maturity = np.array([MATURITY_SCORES[p.maturity] for p in practices])
        self._is_running = self._maturity > 0
        self._words = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, dtype=np.float32)
        self._concept_ids = sorted(self.glossary.groups)
        # (topic, group) pairs where the group names the topic itself: never a concept there.
        self._roots = {(topic, g.id) for g in self.glossary.groups.values() if g.topic_root
                       for topic in g.topics}
        self._concept_column = {cid: i for i, cid in enumerate(self._concept_ids)}
        self._topics: dict[str, tuple] = {}
        self._columns: dict[str, int] = {}
        if not practices:
            return
        spellings: dict[str, str] = {}  # every practice word -> its term
        concepts = _ConceptRows()

        def documents():  # a generator: the normalised texts are never all held at once
            for practice in practices:
                pairs = terms(practice_text(practice))
                spellings.update(pairs)
                concepts.add(self._practice_mentions(pairs, practice.topic))
                yield " ".join(term for _, term in pairs)

        self._word_matrix = self._words.fit_transform(documents()).tocsr()
        self._vocabulary = self._words.get_feature_names_out()
        self._columns = self._words.vocabulary_
        self._idf = self._words.idf_.astype(np.float32)
        self._idf_values = self._idf.tolist()
        # Concepts: one binary row per practice; the words of each mention, interned.
        self._concept_matrix = concepts.matrix(len(self._concept_ids))
        self._concept_phrase_ids = np.frombuffer(concepts.phrase_ids, dtype=np.int32)
        self._concept_phrases = concepts.phrases
        counts = np.bincount(self._concept_matrix.indices, minlength=len(self._concept_ids))
        self._concept_idf = (np.log((1 + len(practices)) / (1 + counts)) + 1).astype(np.float32)
        self._concept_idf_values = self._concept_idf.tolist()
        # Spelling index: character n-grams of every term, every practice word and every
        # glossary term (so that "terjadwl" finds "terjadwal" -> "jadwal"), transposed
        # (n-grams x spellings) so that a query word only reads the rows of its own n-grams.
        spellings.update((term, term) for term in self._vocabulary)
        spellings.update((term, term) for term in self.glossary.vocabulary)
        known = sorted(spellings)
        self._spelling_term = np.array([spellings[w] for w in known], dtype=object)
        self._spelling = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False,
                                         dtype=np.float32)
        self._spelling_index = self._spelling.fit_transform(known).T.tocsr()
        topics = np.array([p.topic for p in practices], dtype=object)
        for topic in sorted(set(topics)):
            rows = np.flatnonzero(topics == topic)
            self._topics[topic] = (rows, self._topic_features(rows))

    def _topic_features(self, rows: np.ndarray) -> sparse.csr_matrix:
        """The (words + concepts) x (2 x practices) matrix of one topic's practices.

        Transposed, so that a query only reads the rows of its own words and concepts; the
        concept rows point at columns n..2n, so one gather gives the word cosine (columns
        0..n) and the concept coverage (n..2n) of every practice.
        """
        n = len(rows)
        words = self._word_matrix[rows].T.tocsr()
        concepts = self._concept_matrix[rows].T.tocsr()
        return sparse.vstack([
            sparse.csr_matrix((words.data, words.indices, words.indptr), shape=(words.shape[0], 2 * n)),
            sparse.csr_matrix((concepts.data, concepts.indices + n, concepts.indptr),
                              shape=(concepts.shape[0], 2 * n))], format="csr")

    def _practice_mentions(self, pairs: list[tuple[str, str]], topic: str) -> list[tuple[int, str]]:
        """(concept column, words) of a practice's concepts, the topic itself left out."""
        return [(self._concept_column[m.concept], m.words)
                for m in self.glossary.find(pairs, topic) if (topic, m.concept) not in self._roots]

    def _city(self, code: str) -> int:
        try:
            return self._index[code]
        except KeyError:
            raise KeyError(f"unknown city code {code!r}") from None

    def _queries(self, texts: list[str], topics: list[str]) -> list[_Query]:
        return [self._query(text, topic) for text, topic in zip(texts, topics, strict=True)]

    def _query(self, text: str, topic: str) -> _Query:
        """Vectorise a need like the practices (sublinear TF-IDF, L2), correcting spelling,
        and weigh the concepts it mentions by their IDF.

        Plain Python floats: for a need of a dozen terms NumPy's per-call overhead dominates.
        """
        pairs = terms(text)
        columns_of, glossary_terms = self._columns, self.glossary.vocabulary
        unknown: dict[str, set[str]] = {}  # unknown term -> its spellings in the text
        for word, term in pairs:
            if (term not in columns_of and term not in glossary_terms
                    and len(term) >= SPELLING_MIN_LENGTH):
                unknown.setdefault(term, {term}).add(word)
        corrected = self._correct(unknown)  # unknown term -> (known term, similarity)
        counts: dict[str, int] = {}
        for _, term in pairs:
            counts[term] = counts.get(term, 0) + 1
        weights: dict[int, float] = {}
        for term, count in counts.items():
            known, similarity = corrected.get(term, (term, 1.0))
            column = columns_of.get(known)
            if column is not None:
                weight = (1.0 + math.log(count)) * self._idf_values[column] * similarity
                weights[column] = weights.get(column, 0.0) + weight
        if corrected:
            pairs = [(word, corrected[term][0] if term in corrected else term) for word, term in pairs]
        surface: dict[str, str] = {}
        for word, term in pairs:
            if term in columns_of:
                surface.setdefault(term, word)
        columns = sorted(weights)
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        values = [weights[c] / norm for c in columns]

        mentions = {m.concept: m for m in self.glossary.find(pairs, topic)
                    if (topic, m.concept) not in self._roots}
        concept_columns = sorted(self._concept_column[c] for c in mentions) if self._topics else []
        concept_weights = [self._concept_idf_values[c] * (
            IMPLIED_WEIGHT if mentions[self._concept_ids[c]].implied else 1.0) for c in concept_columns]
        total = sum(concept_weights) or 1.0
        concept_weights = [w / total for w in concept_weights]
        order = sorted(range(len(concept_columns)),
                       key=lambda k: (-concept_weights[k], self._concept_ids[concept_columns[k]]))
        n_words = len(self._idf_values)
        return _Query(
            rows=np.array(columns + [n_words + c for c in concept_columns], dtype=np.int32),
            weights=np.array(values + concept_weights, dtype=np.float32),
            word_weight_of=dict(zip(columns, values, strict=True)),
            surface=surface,
            concept_rank={concept_columns[k]: place for place, k in enumerate(order)},
            mentions=mentions)

    def _correct(self, unknown: dict[str, set[str]]) -> dict[str, tuple[str, float]]:
        """Map unknown terms to their closest known term (practice vocabulary or glossary).

        Each unknown term is compared through itself and its surface words with every term,
        practice word and glossary term; the best character n-gram cosine must reach
        SPELLING_MIN.
        """
        if not unknown or not self._topics:
            return {}
        owners, spellings = [], []
        for term, words in unknown.items():
            for word in sorted(words):
                owners.append(term)
                spellings.append(word)
        similarity = (self._spelling.transform(spellings) @ self._spelling_index).tocsr()
        best: dict[str, tuple[str, float]] = {}
        for i, term in enumerate(owners):
            start, end = similarity.indptr[i:i + 2]
            if start == end:
                continue
            values = similarity.data[start:end]
            indices = similarity.indices[start:end]
            top = np.lexsort((indices, -values))[0]  # ties: first spelling in sorted order
            candidate = (str(self._spelling_term[indices[top]]), float(values[top]))
            if candidate[1] >= SPELLING_MIN and candidate[1] > best.get(term, ("", 0.0))[1]:
                best[term] = candidate
        return best

    def _rank(self, mentee: int, topic: str, query: _Query, exclude: frozenset[str]) -> _Ranking:
        """Score every city that runs a practice on the topic, best practice per city."""
        no_rows, no_values = np.empty(0, int), np.empty(0)
        empty = _Ranking(mentee, no_rows, no_rows, np.empty((0, 4)), no_values, no_values,
                         np.empty(0, bool), no_values, no_values)
        if topic not in self._topics:
            return empty
        rows, features = self._topics[topic]
        cities = self._practice_city[rows]
        keep = cities != mentee
        excluded = [self._index[code] for code in exclude if code in self._index]
        if excluded:
            keep &= ~np.isin(cities, excluded)
        if not keep.any():
            return empty
        both = _gather(query.rows, query.weights, features)
        words, coverage = both[:len(rows)][keep], both[len(rows):][keep]
        rows, cities = rows[keep], cities[keep]
        raw = CONCEPT_SHARE * coverage + (1.0 - CONCEPT_SHARE) * words if query.has_concepts else words
        relevance, tied = _near_ties(raw, cities)

        gap = self._context[cities] - self._context[mentee]
        distance = np.sqrt(np.einsum("ij,ij->i", gap, gap))
        strength = self._strength[COMPLEMENT_INDICATOR.get(topic, DEFAULT_COMPLEMENT_INDICATOR)]
        complement = 0.5 + 0.5 * (strength[cities] - strength[mentee])
        factors = np.empty((len(rows), len(FACTORS)))
        factors[:, 0] = relevance
        factors[:, 1] = self._maturity[rows]
        factors[:, 2] = np.exp(-distance / CONTEXT_SCALE)
        factors[:, 3] = np.where(np.isnan(complement), 0.5, complement)  # unknown: neutral
        np.clip(factors, 0.0, 1.0, out=factors)
        scores = factors @ _WEIGHT_VECTOR
        scores = np.where(self._is_running[rows], scores, IDEA_SCALE * scores)

        # Keep each city's best practice (ties: lower practice id), then order best first.
        by_city = np.lexsort((self._practice_ids[rows], -scores, cities))
        first = np.ones(len(by_city), bool)
        first[1:] = cities[by_city][1:] != cities[by_city][:-1]
        best = by_city[first]
        best = best[np.lexsort((self._code_rank[cities[best]], -scores[best]))]
        return _Ranking(mentee, rows[best], cities[best], factors[best], scores[best],
                        raw[best], tied[best], coverage[best], words[best])

    def _candidate(self, ranking: _Ranking, i: int, query: _Query) -> Candidate:
        row, city = ranking.practices[i], ranking.cities[i]
        return Candidate(
            code=str(self.codes[city]),
            practice_id=int(self._practice_ids[row]),
            score=float(ranking.scores[i]),
            factors=dict(zip(FACTORS, ranking.factors[i].tolist(), strict=True)),
            matched_terms=self._matched_terms(query, row),
            similar_traits=self._similar_traits(ranking.mentee, city),
            concepts=self._matched_concepts(query, row),
            near_tie=bool(ranking.near_tie[i]),
            relevance_raw=float(ranking.raw[i]),
            concept_coverage=float(ranking.coverage[i]),
            word_similarity=float(ranking.words[i]),
        )

    def _matched_terms(self, query: _Query, row: int) -> list[str]:
        """Surface words of the need shared with the practice, biggest TF-IDF share first."""
        start, end = self._word_matrix.indptr[row:row + 2]
        weight_of = query.word_weight_of
        # Plain Python over a dozen columns: cheaper than np.intersect1d's sorting.
        shared = [(-weight_of[column] * value, column) for column, value in zip(
            self._word_matrix.indices[start:end].tolist(),
            self._word_matrix.data[start:end].tolist(), strict=True) if column in weight_of]
        return [query.surface[self._vocabulary[column]] for _, column in sorted(shared)[:5]]

    def _matched_concepts(self, query: _Query, row: int) -> list[ConceptMatch]:
        """Concepts of the need the practice covers, weightiest first; a broader concept is
        left out when a narrower one it covers is listed (LLTT says desludging already)."""
        rank = query.concept_rank
        if not rank:
            return []
        start, end = self._concept_matrix.indptr[row:row + 2]
        # (place in the need, concept column, entry of the practice's row)
        shared = sorted((rank[c], c, start + k) for k, c in enumerate(
            self._concept_matrix.indices[start:end].tolist()) if c in rank)
        ids = [self._concept_ids[c] for _, c, _ in shared]
        implied = {a for cid in ids for a in self.glossary.ancestors(cid)}
        return [ConceptMatch(cid, query.mentions[cid].words,
                             self._concept_phrases[self._concept_phrase_ids[entry]])
                for cid, (_, _, entry) in zip(ids, shared, strict=True) if cid not in implied]

    def _similar_traits(self, mentee: int, mentor: int) -> list[str]:
        def close(values: np.ndarray, tolerance: float) -> bool:
            return bool(abs(values[mentee] - values[mentor]) <= tolerance)  # NaN: False

        traits = {
            "same_kind": self._kind[mentee] == self._kind[mentor],
            "similar_population": close(self._log_population, SIMILAR_RATIO),
            "similar_density": close(self._log_density, SIMILAR_RATIO),
            "similar_fiscal": close(self._fiscal, 1),
            "same_timezone": self._utc[mentee] == self._utc[mentor],
            "same_province": self._province[mentee] == self._province[mentor],
        }
        return [name for name in CONTEXT_TRAITS if traits[name]]

    def recommend(self, mentee_code: str, topic: str, need_text: str, limit: int = 10,
                  exclude: frozenset[str] = frozenset()) -> list[Candidate]:
        """Return the best mentor candidates for a mentee's need on a topic, best first."""
        mentee = self._city(mentee_code)
        if topic not in self._topics:
            return []
        (query,) = self._queries([need_text], [topic])
        ranking = self._rank(mentee, topic, query, exclude)
        return [self._candidate(ranking, i, query) for i in range(min(limit, len(ranking.scores)))]

    def context_similarity(self, code: str) -> dict[str, float]:
        """The context factor between this city and every city, by code (itself: 1.0).

        The same distance `_rank` uses, so "comparable context" means the same in mentor
        recommendations and in the reverse question, who needs a city's practice.
        """
        gap = self._context - self._context[self._city(code)]
        similarity = np.exp(-np.sqrt(np.einsum("ij,ij->i", gap, gap)) / CONTEXT_SCALE)
        return dict(zip(self.codes.tolist(), similarity.tolist(), strict=True))

    def similar_traits(self, code: str, other: str) -> list[str]:
        """The context traits two cities share (same kind, similar population, ...)."""
        return self._similar_traits(self._city(code), self._city(other))

    def score_need(self, need: NeedDoc, exclude: frozenset[str] = frozenset()) -> list[Candidate]:
        """Return every mentor candidate for a need, best first."""
        return self.recommend(need.city_code, need.topic, need_text(need),
                              limit=len(self.codes), exclude=exclude)

    def rank_among_mentors(self, mentor_code: str, needs: list[NeedDoc]) -> list[tuple | None]:
        """Where one city ranks for each need: (rank, of, score, practice id), or None if absent.

        Ranks all needs' queries in one batch and builds no explanations, so it costs a fraction
        of `score_need` per need.
        """
        mentor = self._index.get(mentor_code)
        if mentor is None or not needs:
            return [None] * len(needs)
        queries = self._queries([need_text(n) for n in needs], [n.topic for n in needs])
        found: list[tuple | None] = []
        for need, query in zip(needs, queries, strict=True):
            ranking = self._rank(self._city(need.city_code), need.topic, query, frozenset())
            hit = np.flatnonzero(ranking.cities == mentor)
            if not len(hit):
                found.append(None)
                continue
            i = int(hit[0])
            found.append((i + 1, len(ranking.scores), float(ranking.scores[i]),
                          int(self._practice_ids[ranking.practices[i]])))
        return found

    def assign_cohort(self, needs: list[NeedDoc], capacity: dict[str, int],
                      default_capacity: int = 2, min_score: float = 0.0,
                      exclude: dict[int, frozenset[str]] | None = None) -> CohortResult:
        """Pair needs with mentors to maximise the total score under mentor capacity.

        A mentee gets at most one mentor per topic: needs of one city on one topic share a
        row of the assignment, represented by whichever need scores best with each mentor.
        `exclude`: need id -> mentor codes never paired with that need.
        """
        exclude = exclude or {}
        if not self._topics:
            return CohortResult([], [(n, "no_practice") for n in needs], 0.0, 0.0)
        queries = self._queries([need_text(n) for n in needs], [n.topic for n in needs])
        rankings = [self._rank(self._city(n.city_code), n.topic, query, exclude.get(n.id, frozenset()))
                    for n, query in zip(needs, queries, strict=True)]
        group_of: dict[tuple[str, str], int] = {}
        for need in needs:
            group_of.setdefault((need.city_code, need.topic), len(group_of))
        groups = [group_of[(n.city_code, n.topic)] for n in needs]
        mentors, best, chosen = self._group_scores(rankings, groups, len(group_of), min_score)

        slots = [capacity.get(str(self.codes[m]), default_capacity) for m in mentors]
        slot_mentor = np.repeat(np.arange(len(mentors)), np.maximum(np.array(slots, int), 0))
        profit = best[:, slot_mentor]
        feasible = np.isfinite(profit)
        # Unpairable cells are worth 0, so the optimum maximises the total score itself
        # (a large penalty would instead maximise the number of pairs first).
        group_rows, slot_cols = linear_sum_assignment(np.where(feasible, profit, 0.0),
                                                      maximize=True)
        paired: dict[int, int] = {}  # need index -> mentor column
        for g, s in zip(group_rows, slot_cols, strict=True):
            if feasible[g, s]:
                paired[int(chosen[g, slot_mentor[s]])] = int(slot_mentor[s])

        pairs, unpaired = [], []
        paired_groups = {groups[i] for i in paired}
        for i, need in enumerate(needs):
            ranking = rankings[i]
            if i in paired:
                position = int(np.flatnonzero(ranking.cities == mentors[paired[i]])[0])
                pairs.append((need, self._candidate(ranking, position, queries[i])))
            elif not len(ranking.scores):
                unpaired.append((need, "no_practice"))
            elif not (ranking.scores >= min_score).any():
                unpaired.append((need, "below_min_score"))
            elif groups[i] in paired_groups:
                unpaired.append((need, "duplicate_topic"))
            else:
                unpaired.append((need, "capacity"))
        return CohortResult(
            pairs=pairs,
            unpaired=unpaired,
            total=float(sum(c.score for _, c in pairs)),
            greedy_total=_greedy_total(best, slots),
        )

    def _group_scores(self, rankings: list[_Ranking], groups: list[int], n_groups: int,
                      min_score: float) -> tuple[list[int], np.ndarray, np.ndarray]:
        """Return the eligible mentors, the best score per (group, mentor) and its need."""
        mentors = sorted({int(c) for r in rankings for c in r.cities[r.scores >= min_score]},
                         key=lambda c: self._code_rank[c])
        column = np.full(len(self.codes), -1)
        column[mentors] = np.arange(len(mentors))
        best = np.full((n_groups, len(mentors)), -np.inf)  # -inf: cannot be paired
        chosen = np.full(best.shape, -1)
        for i, (group, ranking) in enumerate(zip(groups, rankings, strict=True)):
            eligible = ranking.scores >= min_score
            cols, scores = column[ranking.cities[eligible]], ranking.scores[eligible]
            better = scores > best[group, cols]
            best[group, cols[better]] = scores[better]
            chosen[group, cols[better]] = i
        return mentors, best, chosen


def _gather(columns: np.ndarray, weights: np.ndarray, features: sparse.csr_matrix) -> np.ndarray:
    """Return the weighted sum of the given rows of a (terms x practices) matrix, per column.

    Reads only the rows of the query's terms (or concepts); cheaper than a SciPy sparse
    product, whose per-call overhead dominates for a query of a dozen terms.
    """
    starts = features.indptr[columns]
    lengths = features.indptr[columns + 1] - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(features.shape[1])
    positions = np.arange(total) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    values = features.data[positions] * np.repeat(weights, lengths)
    return np.bincount(features.indices[positions], weights=values, minlength=features.shape[1])


def _near_ties(raw: np.ndarray, cities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calibrated relevance of every practice, and whether it is tied with another city's.

    From the most relevant down: the best remaining practice opens a group, every practice
    within NEAR_TIE of it joins and takes its value. Values below RELEVANCE_FLOOR stay alone.
    """
    ordered = np.sort(raw)  # values only: cheaper than an argsort at 100,000 cities
    leaders, thresholds = [], []
    top = len(ordered)
    while top and ordered[top - 1] >= RELEVANCE_FLOOR:
        leader = float(ordered[top - 1])
        leaders.append(leader)
        thresholds.append(NEAR_TIE * leader - TIE_TOLERANCE)
        top = int(np.searchsorted(ordered, thresholds[-1], side="left"))
    relevance = raw.astype(float)
    tied = np.zeros(len(raw), bool)
    if not leaders:
        return relevance, tied
    # Group k holds the values in [thresholds[k], leaders[k]]; thresholds fall from group to group.
    group = len(leaders) - np.searchsorted(thresholds[::-1], raw, side="right")
    grouped = group < len(leaders)
    relevance[grouped] = np.array(leaders)[group[grouped]]
    # A group is a near-tie when it holds practices of two cities: some city differs from
    # one (any) city of the group.
    members, member_cities = group[grouped], cities[grouped]
    some_city = np.zeros(len(leaders), cities.dtype)
    some_city[members] = member_cities
    mixed = np.bincount(members[member_cities != some_city[members]], minlength=len(leaders)) > 0
    tied[grouped] = mixed[members]
    return relevance, tied


class _ConceptRows:
    """Concept mentions of the practices, collected row by row into a binary CSR matrix."""

    def __init__(self) -> None:
        self.indptr = array("q", [0])
        self.indices = array("i")
        self.phrase_ids = array("i")  # per entry: index into phrases of the practice's words
        self.phrases: list[str] = []
        self._phrase: dict[str, int] = {}

    def add(self, mentions: list[tuple[int, str]]) -> None:
        for column, words in sorted(dict(reversed(mentions)).items()):  # first mention wins
            self.indices.append(column)
            if words not in self._phrase:
                self._phrase[words] = len(self.phrases)
                self.phrases.append(words)
            self.phrase_ids.append(self._phrase[words])
        self.indptr.append(len(self.indices))

    def matrix(self, n_columns: int) -> sparse.csr_matrix:
        indices = np.frombuffer(self.indices, dtype=np.int32)
        data = np.ones(len(indices), dtype=np.float32)
        return sparse.csr_matrix((data, indices, np.frombuffer(self.indptr, dtype=np.int64)),
                                 shape=(len(self.indptr) - 1, n_columns))


def _greedy_total(best: np.ndarray, slots: list[int]) -> float:
    """Total of taking the best remaining (group, mentor) pair while capacity allows."""
    groups, mentors = np.nonzero(np.isfinite(best))
    scores = best[groups, mentors]
    left, done, total = list(slots), set(), 0.0
    for k in np.lexsort((mentors, groups, -scores)):
        g, m = groups[k], mentors[k]
        if g not in done and left[m] > 0:
            done.add(g)
            left[m] -= 1
            total += scores[k]
    return float(total)

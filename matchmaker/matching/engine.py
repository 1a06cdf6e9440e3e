"""Rank mentor cities for a mentee's need, and pair a cohort of needs with mentors.

Pure NumPy / scikit-learn: city profiles and practice texts in, ranked candidates out.
The model is built once (TF-IDF matrices, scaled context matrix, per-topic indexes) so
that a recommendation is one sparse gather (the need's terms) plus vector arithmetic over
the practices of one topic.

Memory: relevance is a word-level TF-IDF cosine over stemmed terms (float32, one matrix
per topic). Character n-grams are indexed only for the distinct terms and practice words,
to map a misspelt or unseen need word onto its closest known term; document-level
character n-grams cost ~1 GB and ~80 % of build time at 100,000 cities, and ranked
verbatim needs no better (docs/matching-benchmark.md).
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from matchmaker.matching.text import terms

MATURITY_LEVELS = ("idea", "pilot", "operational", "institutionalised")
MATURITY_SCORES = {"idea": 0.0, "pilot": 0.4, "operational": 0.75, "institutionalised": 1.0}
FISCAL_LEVELS = ("very_low", "low", "medium", "high", "very_high")

# DOMAIN.md order: relevance > maturity > context > complementarity.
WEIGHTS = {"relevance": 0.45, "maturity": 0.25, "context": 0.20, "complementarity": 0.10}
FACTORS = tuple(WEIGHTS)

# A running practice scores at least this much (its maturity term alone); idea-stage
# practices are scaled below it, so a mere plan never outranks a running practice.
RUNNING_FLOOR = WEIGHTS["maturity"] * MATURITY_SCORES["pilot"]
IDEA_SCALE = 0.9 * RUNNING_FLOOR

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


@dataclass
class Candidate:
    code: str
    practice_id: int
    score: float
    factors: dict[str, float]
    matched_terms: list[str]
    similar_traits: list[str]


@dataclass
class CohortResult:
    pairs: list[tuple[NeedDoc, Candidate]]
    unpaired: list[tuple[NeedDoc, str]]
    total: float
    greedy_total: float


@dataclass
class _Query:
    """A need text, vectorised once."""

    word_columns: np.ndarray  # word-vocabulary columns of the text, sorted
    word_weights: np.ndarray  # their L2-normalised TF-IDF weights
    surface: dict[str, str]  # normalised term -> first word of the text it came from


@dataclass
class _Ranking:
    """All candidates of one query, one row per mentor city, best first."""

    mentee: int
    practices: np.ndarray  # practice row indices
    cities: np.ndarray  # city row indices
    factors: np.ndarray  # (n, 4) in FACTORS order
    scores: np.ndarray


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

    @classmethod
    def build(cls, cities: list[CityProfile], practices: list[PracticeDoc]) -> "MatchModel":
        """Build the model from every city profile and every recorded practice."""
        model = cls()
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
        self._fiscal = np.array([fiscal_rank.get(c.fiscal_capacity, np.nan) for c in cities])
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
        self._topics: dict[str, tuple] = {}
        if not practices:
            return
        spellings: dict[str, str] = {}  # every practice word -> its term

        def documents():  # a generator: the normalised texts are never all held at once
            for practice in practices:
                pairs = terms(practice_text(practice))
                spellings.update(pairs)
                yield " ".join(term for _, term in pairs)

        self._word_matrix = self._words.fit_transform(documents()).tocsr()
        self._vocabulary = self._words.get_feature_names_out()
        self._columns = self._words.vocabulary_
        self._idf = self._words.idf_.astype(np.float32)
        # Spelling index: character n-grams of every term and every practice word (so that
        # "terjadwl" finds "terjadwal" -> "jadwal"), transposed (n-grams x spellings) so that a
        # query word only reads the rows of its own n-grams.
        spellings.update((term, term) for term in self._vocabulary)
        known = sorted(spellings)
        self._spelling_column = np.array([self._columns[spellings[w]] for w in known], dtype=np.int64)
        self._spelling = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), lowercase=False,
                                         dtype=np.float32)
        self._spelling_index = self._spelling.fit_transform(known).T.tocsr()
        topics = np.array([p.topic for p in practices], dtype=object)
        for topic in sorted(set(topics)):
            rows = np.flatnonzero(topics == topic)
            # Transposed (terms x practices): a query only reads the rows of its own terms.
            self._topics[topic] = (rows, self._word_matrix[rows].T.tocsr())

    def _city(self, code: str) -> int:
        try:
            return self._index[code]
        except KeyError:
            raise KeyError(f"unknown city code {code!r}") from None

    def _queries(self, texts: list[str]) -> list[_Query]:
        return [self._query(text) for text in texts]

    def _query(self, text: str) -> _Query:
        """Vectorise a need like the practices (sublinear TF-IDF, L2), correcting spelling."""
        pairs = terms(text)
        counts: dict[str, int] = {}
        for _, term in pairs:
            counts[term] = counts.get(term, 0) + 1
        unknown: dict[str, set[str]] = {}  # unknown term -> its spellings in the text
        for word, term in pairs:
            if term not in self._columns and len(term) >= SPELLING_MIN_LENGTH:
                unknown.setdefault(term, {term}).add(word)
        corrected = self._correct(unknown)
        surface: dict[str, str] = {}
        weights: dict[int, float] = {}
        for term, count in counts.items():
            if term in self._columns:
                column, similarity = self._columns[term], 1.0
            elif term in corrected:
                column, similarity = corrected[term]
            else:
                continue
            weight = (1.0 + np.log(count)) * self._idf[column] * similarity
            weights[column] = weights.get(column, 0.0) + weight
        for word, term in pairs:
            column = self._columns[term] if term in self._columns else corrected.get(term, (None,))[0]
            if column is not None:
                surface.setdefault(str(self._vocabulary[column]), word)
        columns = np.array(sorted(weights), dtype=np.int32)
        values = np.array([weights[c] for c in columns], dtype=np.float32)
        norm = np.sqrt(np.dot(values, values))
        if norm > 0:
            values /= norm
        return _Query(columns, values, surface)

    def _correct(self, unknown: dict[str, set[str]]) -> dict[str, tuple[int, float]]:
        """Map unknown terms to the vocabulary column of their closest known spelling.

        Each unknown term is compared through itself and its surface words with every term
        and practice word; the best character n-gram cosine must reach SPELLING_MIN.
        """
        if not unknown:
            return {}
        owners, spellings = [], []
        for term, words in unknown.items():
            for word in sorted(words):
                owners.append(term)
                spellings.append(word)
        similarity = (self._spelling.transform(spellings) @ self._spelling_index).tocsr()
        best: dict[str, tuple[int, float]] = {}
        for i, term in enumerate(owners):
            start, end = similarity.indptr[i:i + 2]
            if start == end:
                continue
            values = similarity.data[start:end]
            columns = self._spelling_column[similarity.indices[start:end]]
            top = np.lexsort((columns, -values))[0]  # ties: first vocabulary column
            candidate = (int(columns[top]), float(values[top]))
            if candidate[1] >= SPELLING_MIN and candidate[1] > best.get(term, (-1, 0.0))[1]:
                best[term] = candidate
        return best

    def _rank(self, mentee: int, topic: str, query: _Query, exclude: frozenset[str]) -> _Ranking:
        """Score every city that runs a practice on the topic, best practice per city."""
        empty = _Ranking(mentee, np.empty(0, int), np.empty(0, int), np.empty((0, 4)),
                         np.empty(0))
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
        relevance = _cosine(query, features)
        rows, cities, relevance = rows[keep], cities[keep], relevance[keep]

        distance = np.linalg.norm(self._context[cities] - self._context[mentee], axis=1)
        strength = self._strength[COMPLEMENT_INDICATOR.get(topic, DEFAULT_COMPLEMENT_INDICATOR)]
        complement = np.nan_to_num(0.5 + 0.5 * (strength[cities] - strength[mentee]), nan=0.5)
        factors = np.column_stack([
            relevance, self._maturity[rows], np.exp(-distance / CONTEXT_SCALE), complement])
        factors = np.clip(factors, 0.0, 1.0)
        scores = factors @ np.array(list(WEIGHTS.values()))
        scores = np.where(self._is_running[rows], scores, IDEA_SCALE * scores)

        # Keep each city's best practice (ties: lower practice id), then order best first.
        by_city = np.lexsort((self._practice_ids[rows], -scores, cities))
        first = np.ones(len(by_city), bool)
        first[1:] = cities[by_city][1:] != cities[by_city][:-1]
        best = by_city[first]
        best = best[np.lexsort((self._code_rank[cities[best]], -scores[best]))]
        return _Ranking(mentee, rows[best], cities[best], factors[best], scores[best])

    def _candidate(self, ranking: _Ranking, i: int, query: _Query) -> Candidate:
        row, city = ranking.practices[i], ranking.cities[i]
        return Candidate(
            code=str(self.codes[city]),
            practice_id=int(self._practice_ids[row]),
            score=float(ranking.scores[i]),
            factors={name: float(v) for name, v in zip(FACTORS, ranking.factors[i], strict=True)},
            matched_terms=self._matched_terms(query, row),
            similar_traits=self._similar_traits(ranking.mentee, city),
        )

    def _matched_terms(self, query: _Query, row: int) -> list[str]:
        """Surface words of the need shared with the practice, biggest TF-IDF share first."""
        start, end = self._word_matrix.indptr[row:row + 2]
        shared, in_query, in_practice = np.intersect1d(
            query.word_columns, self._word_matrix.indices[start:end], assume_unique=True,
            return_indices=True)
        weight = query.word_weights[in_query] * self._word_matrix.data[start:end][in_practice]
        best = shared[np.lexsort((shared, -weight))[:5]]
        return [query.surface[self._vocabulary[column]] for column in best]

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
        (query,) = self._queries([need_text])
        ranking = self._rank(mentee, topic, query, exclude)
        return [self._candidate(ranking, i, query) for i in range(min(limit, len(ranking.scores)))]

    def score_need(self, need: NeedDoc, exclude: frozenset[str] = frozenset()) -> list[Candidate]:
        """Return every mentor candidate for a need, best first."""
        return self.recommend(need.city_code, need.topic, need_text(need),
                              limit=len(self.codes), exclude=exclude)

    def assign_cohort(self, needs: list[NeedDoc], capacity: dict[str, int],
                      default_capacity: int = 2, min_score: float = 0.0) -> CohortResult:
        """Pair needs with mentors to maximise the total score under mentor capacity.

        A mentee gets at most one mentor per topic: needs of one city on one topic share a
        row of the assignment, represented by whichever need scores best with each mentor.
        """
        if not self._topics:
            return CohortResult([], [(n, "no_practice") for n in needs], 0.0, 0.0)
        queries = self._queries([need_text(n) for n in needs])
        rankings = [self._rank(self._city(n.city_code), n.topic, query, frozenset())
                    for n, query in zip(needs, queries, strict=True)]
        group_of = {}
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


def _cosine(query: _Query, features: sparse.csr_matrix) -> np.ndarray:
    """Return query . practice for every column of a (terms x practices) matrix.

    Reads only the rows of the query's terms; cheaper than a SciPy sparse product, whose
    per-call overhead dominates for a query of a dozen terms.
    """
    starts = features.indptr[query.word_columns]
    lengths = features.indptr[query.word_columns + 1] - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(features.shape[1])
    positions = np.arange(total) + np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    weights = features.data[positions] * np.repeat(query.word_weights, lengths)
    return np.bincount(features.indices[positions], weights=weights, minlength=features.shape[1])


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

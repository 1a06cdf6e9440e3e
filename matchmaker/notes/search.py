"""The knowledge base: full-text search over lessons and "similar lessons".

One index serves SQLite and PostgreSQL alike: `lesson_terms` holds every word of a lesson as
written and its Sastrawi stem (kept in step by `Lesson.text`'s validator). A query word
matches a lesson that holds its stem, or a word that starts with it ("advok" finds
"advokasi"); "walikota" and "wali kota" find each other. A lesson matching any query word is a
hit; hits holding more of the query's words come first, then by TF-IDF over that index.
Similar lessons are TF-IDF cosine neighbours over the stemmed lesson texts (scikit-learn).
"""

import math
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import linear_kernel
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import aliased, joinedload

from matchmaker.access import Actor
from matchmaker.cities.models import City
from matchmaker.extensions import db
from matchmaker.matching.text import normalise
from matchmaker.notes.access import lesson_visible_clause
from matchmaker.notes.models import Lesson, LessonTerm
from matchmaker.notes.text import query_terms, split_points
from matchmaker.programmes.models import Programme, ProgrammeSession

SIMILAR_MIN_SCORE = 0.05


@dataclass
class LessonFilters:
    q: str = ""
    topic: str = ""
    outcome: str = ""
    city: str = ""  # a city code: lessons of programmes that city took part in
    year: int | None = None  # the year the session was held

    def as_args(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


def _filtered(actor: Actor | None, filters: LessonFilters):
    stmt = (select(Lesson).join(ProgrammeSession, ProgrammeSession.id == Lesson.session_id)
            .join(Programme, Programme.id == Lesson.programme_id)
            .where(lesson_visible_clause(actor)))
    if filters.topic:
        stmt = stmt.where(Lesson.topic == filters.topic)
    if filters.outcome:
        stmt = stmt.where(Lesson.outcome_type == filters.outcome)
    if filters.city:
        mentor, mentee = aliased(City), aliased(City)
        stmt = (stmt.join(mentor, mentor.id == Programme.mentor_city_id)
                .join(mentee, mentee.id == Programme.mentee_city_id)
                .where(or_(mentor.code == filters.city, mentee.code == filters.city)))
    if filters.year:
        # A range on the stored UTC instant works the same on both databases and uses the index.
        stmt = stmt.where(ProgrammeSession.starts_at >= datetime(filters.year, 1, 1, tzinfo=UTC),
                          ProgrammeSession.starts_at < datetime(filters.year + 1, 1, 1, tzinfo=UTC))
    return stmt


def _word_count(word: str, root: str, terms: dict[str, int]) -> int:
    """How often a lesson holds a query word: its stem, a word it starts, or its two halves
    written apart ('walikota' in 'wali kota')."""
    found = [count for term, count in terms.items() if term == root or term.startswith(word)]
    if found:
        return max(found)
    halves = [min(terms[a], terms[b]) for a, b in split_points(word) if a in terms and b in terms]
    return max(halves, default=0)


def text_scores(query: str) -> dict[int, tuple[int, float]]:
    """Lesson id -> (query words it holds, TF-IDF score) for lessons holding any word of the query.

    Two query words written apart also match a lesson that writes them as one ('wali kota' finds
    'walikota'), and one word matches its two halves written apart.
    """
    words = query_terms(query)
    if not words:
        return {}
    joined = [words[i][0] + words[i + 1][0] for i in range(len(words) - 1)]
    halves = {part for word, _root in words for pair in split_points(word) for part in pair}
    conditions: list[ColumnElement[bool]] = [LessonTerm.term.in_(halves)] if halves else []
    for word, root in words:
        conditions += [LessonTerm.term == root, LessonTerm.term.startswith(word, autoescape=True)]
    conditions += [LessonTerm.term.startswith(pair, autoescape=True) for pair in joined]
    terms: dict[int, dict[str, int]] = {}
    for lesson_id, term, count in db.session.execute(
            select(LessonTerm.lesson_id, LessonTerm.term, LessonTerm.count).where(or_(*conditions))):
        terms.setdefault(lesson_id, {})[term] = count
    counts: dict[int, dict[int, int]] = {}
    for lesson_id, held in terms.items():
        per_word = {i: n for i, (word, root) in enumerate(words) if (n := _word_count(word, root, held))}
        for i, pair in enumerate(joined):
            n = max((c for term, c in held.items() if term.startswith(pair)), default=0)
            if n:
                per_word[i] = max(per_word.get(i, 0), n)
                per_word[i + 1] = max(per_word.get(i + 1, 0), n)
        if per_word:
            counts[lesson_id] = per_word
    total = db.session.scalar(select(func.count()).select_from(Lesson)) or 1
    idf = [math.log(1 + total / max(sum(i in per_word for per_word in counts.values()), 1))
           for i in range(len(words))]
    return {lesson_id: (len(per_word), sum((1 + math.log(n)) * idf[i] for i, n in per_word.items()))
            for lesson_id, per_word in counts.items()}


def search_lessons(actor: Actor | None, filters: LessonFilters, limit: int = 200) -> list[Lesson]:
    """Lessons the actor may read that match the filters: best text match first, else the most
    recent sessions first."""
    stmt = _filtered(actor, filters).options(
        joinedload(Lesson.session), joinedload(Lesson.author),
        joinedload(Lesson.programme).options(joinedload(Programme.mentor),
                                             joinedload(Programme.mentee)))
    if filters.q.strip():
        scores = text_scores(filters.q)
        if not scores:
            return []
        found = list(db.session.scalars(stmt.where(Lesson.id.in_(scores))))
        found.sort(key=lambda lesson: (-scores[lesson.id][0], -scores[lesson.id][1], -lesson.id))
        return found[:limit]
    return list(db.session.scalars(stmt.order_by(ProgrammeSession.starts_at.desc(), Lesson.id.desc())
                                   .limit(limit)))


def lesson_years() -> list[int]:
    """Years in which sessions with lessons were held, newest first, for the year filter."""
    starts = db.session.scalars(select(ProgrammeSession.starts_at).join(
        Lesson, Lesson.session_id == ProgrammeSession.id).distinct())
    return sorted({value.year for value in starts}, reverse=True)


def lesson_cities() -> list[City]:
    """Cities that took part in a programme with lessons, for the city filter."""
    ids = select(Programme.mentor_city_id).join(Lesson, Lesson.programme_id == Programme.id).union(
        select(Programme.mentee_city_id).join(Lesson, Lesson.programme_id == Programme.id))
    return list(db.session.scalars(select(City).where(City.id.in_(ids)).order_by(City.name)))


def similar_lessons(actor: Actor | None, lesson: Lesson, limit: int = 5) -> list[tuple[Lesson, float]]:
    """The lessons the actor may read whose stemmed text is closest to this one's (TF-IDF
    cosine), best first."""
    rows = db.session.execute(
        select(Lesson.id, Lesson.text).join(Programme, Programme.id == Lesson.programme_id)
        .where(or_(Lesson.id == lesson.id, lesson_visible_clause(actor))).order_by(Lesson.id)).all()
    if len(rows) < 2:
        return []
    ids = [row.id for row in rows]
    texts = [normalise(row.text) for row in rows]
    if not texts[ids.index(lesson.id)].strip():
        return []
    try:
        matrix = TfidfVectorizer(sublinear_tf=True).fit_transform(texts)
    except ValueError:  # every text empty after normalising
        return []
    target = ids.index(lesson.id)
    scores = linear_kernel(matrix[target], matrix).ravel()
    ranked = sorted(((score, ids[i]) for i, score in enumerate(scores)
                     if i != target and score >= SIMILAR_MIN_SCORE), reverse=True)[:limit]
    by_id = {item.id: item for item in db.session.scalars(
        select(Lesson).where(Lesson.id.in_([lesson_id for _s, lesson_id in ranked])))}
    return [(by_id[lesson_id], float(score)) for score, lesson_id in ranked]

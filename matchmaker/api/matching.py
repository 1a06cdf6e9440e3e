"""Matching endpoints of the JSON API, and the recommendation shape of INTERFACES.md."""

from flask_login import current_user
from marshmallow import Schema, fields

from matchmaker.api.base import bp, documented_errors
from matchmaker.cities.access import get_city
from matchmaker.matching import services
from matchmaker.matching.schemas import RecommendationQuery
from matchmaker.timeutils import utcnow


class MenteeRef(Schema):
    code = fields.String()
    name = fields.String()


class RecommendationReason(Schema):
    factor = fields.String(metadata={"enum": ["relevance", "maturity", "context", "complementarity",
                                              "history"]})
    value = fields.Float()
    text = fields.String()


class PracticeRef(Schema):
    id = fields.Integer()
    title = fields.String()
    maturity = fields.String()
    started_year = fields.Integer(allow_none=True)


class PastProgramme(Schema):
    programme_id = fields.Integer()
    outcome = fields.String()
    outcome_label = fields.String()
    adopted = fields.Boolean()
    closed_at = fields.String(allow_none=True)


class SharedConcept(Schema):
    id = fields.String(metadata={"description": "glossary group id"})
    label = fields.String(metadata={"description": "the concept, in the viewer's language"})
    need_words = fields.String()
    practice_words = fields.String()


class Recommendation(Schema):
    rank = fields.Integer()
    code = fields.String()
    name = fields.String()
    score = fields.Float(metadata={"minimum": 0, "maximum": 1})
    practice = fields.Nested(PracticeRef)
    factors = fields.Dict(keys=fields.String(), values=fields.Float())
    matched_terms = fields.List(fields.String())
    similar_traits = fields.List(fields.String())
    concepts = fields.List(fields.Nested(SharedConcept), metadata={
        "description": "glossary concepts the need and the practice share, weightiest first"})
    near_tie = fields.Boolean(metadata={
        "description": "relevance was shared with another city's practice (wording-only difference)"})
    reasons = fields.List(fields.Nested(RecommendationReason))
    history = fields.Nested(PastProgramme, metadata={
        "description": "the programme this mentor already completed with the mentee on the topic"})


class Excluded(Schema):
    code = fields.String()
    name = fields.String()
    reason = fields.String()
    reason_key = fields.String()
    feedback_id = fields.Integer(metadata={"description": "with reason_key feedback: the feedback row"})


class Recommendations(Schema):
    mentee = fields.Nested(MenteeRef)
    topic = fields.String()
    need_text = fields.String()
    recommendations = fields.List(fields.Nested(Recommendation))
    excluded = fields.List(fields.Nested(Excluded))


@bp.route("/cities/<code:code>/recommendations", tags=["matching"])
@bp.arguments(RecommendationQuery, location="query")
@bp.response(200, Recommendations)
@documented_errors(403, 404)
def recommendations(query: dict, code: str):
    """Mentor recommendations for mentee CODE on a topic, best first, each with its reasons (facilitators)."""
    mentee = get_city(code)
    return services.recommend_mentors(current_user, mentee, query["topic"], query.get("text"), query["limit"],
                                      utcnow())

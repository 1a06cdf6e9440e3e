"""Who needs this practice? The candidates endpoint and its shape (INTERFACES.md)."""

from flask_login import current_user
from marshmallow import Schema, fields

from matchmaker.api.base import IdSchema, bp, documented_errors
from matchmaker.cities.access import get_city, get_practice
from matchmaker.extensions import db
from matchmaker.matching import candidates
from matchmaker.matching.schemas import CandidateProposal, CandidatesQuery, CityCandidatesQuery
from matchmaker.timeutils import utcnow


class CandidatePractice(Schema):
    id = fields.Integer()
    city = fields.String(metadata={"description": "the mentor city's code"})
    city_name = fields.String()
    title = fields.String()
    topic = fields.String()
    maturity = fields.String()


class CandidateReason(Schema):
    factor = fields.String(metadata={"enum": list(candidates.FACTORS)})
    value = fields.Float(metadata={"minimum": 0, "maximum": 1})
    text = fields.String()


class CandidateFigure(Schema):
    key = fields.String()
    value = fields.Float(allow_none=True)
    year = fields.Integer()
    source = fields.String()


class CandidateNeed(Schema):
    id = fields.Integer()
    title = fields.String()
    priority = fields.String()


class Candidate(Schema):
    rank = fields.Integer()
    code = fields.String()
    name = fields.String()
    score = fields.Float(metadata={"minimum": 0, "maximum": 1})
    province = fields.String()
    kind = fields.String()
    figure = fields.Nested(CandidateFigure, allow_none=True,
                           metadata={"description": "the city's figure on the topic's indicator"})
    need = fields.Nested(CandidateNeed, allow_none=True,
                         metadata={"description": "the city's own most urgent need on the topic"})
    reasons = fields.List(fields.Nested(CandidateReason))


class CandidateExcluded(Schema):
    code = fields.String()
    name = fields.String()
    reason = fields.String()


class MentorCapacity(Schema):
    open = fields.Integer(metadata={"description": "open programmes and accepted proposals"})
    capacity = fields.Integer()
    is_full = fields.Boolean()


class Indicator(Schema):
    key = fields.String()
    label = fields.String()


class Candidates(Schema):
    practice = fields.Nested(CandidatePractice)
    indicator = fields.Nested(Indicator)
    mentor_capacity = fields.Nested(MentorCapacity)
    candidates = fields.List(fields.Nested(Candidate))
    excluded = fields.List(fields.Nested(CandidateExcluded))


@bp.route("/practices/<id:practice_id>/candidates", tags=["matching"])
@bp.arguments(CandidatesQuery, location="query")
@bp.response(200, Candidates)
@documented_errors(403, 404)
def list_candidates(query: dict, practice_id: int):
    """Cities that would benefit from this practice, best first, with reasons (facilitators)."""
    practice = get_practice(practice_id)
    return candidates.rank_candidates(current_user, practice, query["limit"], utcnow())


@bp.route("/cities/<code:code>/candidates", tags=["matching"])
@bp.arguments(CityCandidatesQuery, location="query")
@bp.response(200, Candidates)
@documented_errors(403, 404)
def list_city_candidates(query: dict, code: str):
    """Cities that would benefit from CODE's most mature practice on a topic (facilitators);
    404 when the city has no practice on it."""
    practice = candidates.practice_of(get_city(code), query["topic"])
    return candidates.rank_candidates(current_user, practice, query["limit"], utcnow())


@bp.route("/practices/<id:practice_id>/candidates", methods=["POST"], tags=["matching"])
@bp.arguments(CandidateProposal)
@bp.response(201, IdSchema)
@documented_errors(403, 404, 409)
def propose_to_candidate(body: dict, practice_id: int):
    """Propose a programme to a candidate city: records its need on the topic if it has none,
    marked as proposed by the facilitator (facilitators). Answers with the programme's id."""
    practice = get_practice(practice_id)
    programme = candidates.propose_programme(current_user, practice, get_city(body["mentee"]),
                                             utcnow())
    db.session.commit()
    return programme

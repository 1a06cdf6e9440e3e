"""Matching endpoints of the JSON API."""

from flask import jsonify, request
from flask_login import current_user

from matchmaker.api.base import bp, int_arg
from matchmaker.cities.access import get_city
from matchmaker.matching import services
from matchmaker.timeutils import utcnow


@bp.get("/cities/<code>/recommendations")
def recommendations(code: str):
    """Mentor recommendations for mentee CODE on ?topic= (facilitators only)."""
    mentee = get_city(code)
    topic = services.check_topic(request.args.get("topic", "").strip())
    limit = int_arg("limit", services.DEFAULT_LIMIT, 1, services.MAX_LIMIT)
    return jsonify(services.recommend_mentors(current_user, mentee, topic, request.args.get("text"), limit,
                                              utcnow()))

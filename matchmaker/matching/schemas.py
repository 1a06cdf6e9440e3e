"""Declared input of matching: the recommendations query string."""

from matchmaker.validation import Choice, KemendagriCode, QuerySchema, Schema, Text, Whole
from matchmaker.vocab import TOPICS

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
NEED_TEXT_MAX = 2_000


class RecommendationQuery(QuerySchema):
    topic = Choice(TOPICS, required=True)
    limit = Whole(minimum=1, maximum=MAX_LIMIT, from_text=True, load_default=DEFAULT_LIMIT)
    text = Text(max_length=NEED_TEXT_MAX, multiline=True,
                metadata={"description": "the need in the facilitator's words; default: the mentee's "
                                         "recorded needs on the topic"})


class CandidatesQuery(QuerySchema):
    """`GET /practices/ID/candidates`: how many candidate cities to list."""

    limit = Whole(minimum=1, maximum=MAX_LIMIT, from_text=True, load_default=DEFAULT_LIMIT)


class CityCandidatesQuery(CandidatesQuery):
    """`GET /cities/CODE/candidates`: start from the city's most mature practice on the topic."""

    topic = Choice(TOPICS, required=True)


class CandidateProposal(Schema):
    """`POST /practices/ID/candidates`: propose a programme to one candidate city."""

    mentee = KemendagriCode(required=True)

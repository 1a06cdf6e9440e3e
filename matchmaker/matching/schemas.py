"""Declared input of matching: the recommendations query string."""

from matchmaker.validation import Choice, QuerySchema, Text, Whole
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

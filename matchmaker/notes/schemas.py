"""Declared input of session notes: the notes body (attendance, lessons, actions), edits of a
note, lesson or action, and the knowledge base's query string.

Which cities an action may belong to depends on the session's programme: the service checks that.
"""

from matchmaker.notes.models import ActionStatus
from matchmaker.validation import (
    Choice,
    Day,
    KemendagriCode,
    List,
    Nested,
    QuerySchema,
    Schema,
    Text,
    Whole,
)
from matchmaker.vocab import OUTCOME_TYPES, TOPICS

MAX_BODY = 50_000
MAX_TEXT = 5_000
MAX_NAME = 200
MAX_ROWS = 200
MAX_RESULTS = 500
MIN_YEAR, MAX_YEAR = 2000, 2100


class AttendanceRow(Schema):
    name = Text(max_length=MAX_NAME, allow_blank=False, required=True)
    city = KemendagriCode(allow_none=True, metadata={"description": "a code of the programme's cities"})
    agency = Text(max_length=MAX_NAME, allow_none=True)


class LessonFields(Schema):
    text = Text(max_length=MAX_TEXT, multiline=True, allow_blank=False)
    outcome = Choice(OUTCOME_TYPES)
    topic = Choice(TOPICS, metadata={"description": "default: the programme's topic"})


class NewLesson(LessonFields):
    text = Text(max_length=MAX_TEXT, multiline=True, allow_blank=False, required=True)
    outcome = Choice(OUTCOME_TYPES, required=True)


class ActionFields(Schema):
    text = Text(max_length=MAX_TEXT, multiline=True, allow_blank=False)
    owner_city = KemendagriCode(metadata={"description": "a code of the programme's cities"})
    owner_person = Text(max_length=MAX_NAME, allow_none=True)
    due = Day()
    status = Choice([s.value for s in ActionStatus])


class NewAction(ActionFields):
    text = Text(max_length=MAX_TEXT, multiline=True, allow_blank=False, required=True)
    owner_city = KemendagriCode(required=True, metadata={"description": "a code of the programme's cities"})
    due = Day(required=True)


class SessionNotes(Schema):
    """What happened in a session, logged in one go; at least one part must be given."""

    body = Text(max_length=MAX_BODY, multiline=True, allow_none=True, metadata={"description": "Markdown"})
    attendance = List(Nested(AttendanceRow), max_items=MAX_ROWS, allow_none=True)
    lessons = List(Nested(NewLesson), max_items=MAX_ROWS, allow_none=True)
    actions = List(Nested(NewAction), max_items=MAX_ROWS, allow_none=True)


class NoteEdit(Schema):
    body = Text(max_length=MAX_BODY, multiline=True, allow_blank=False, required=True)


class LessonQuery(QuerySchema):
    q = Text(max_length=200)
    topic = Choice(TOPICS)
    outcome = Choice(OUTCOME_TYPES)
    city = KemendagriCode()
    year = Whole(minimum=MIN_YEAR, maximum=MAX_YEAR, from_text=True)
    limit = Whole(minimum=1, maximum=MAX_RESULTS, from_text=True, load_default=100)

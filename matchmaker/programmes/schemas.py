"""Declared input of programmes and sessions: create and transition bodies, series, one session,
a session patch, and the programme list's query string."""

from matchmaker.programmes.models import ProgrammeStatus, ReplicationOutcome, SessionStatus
from matchmaker.validation import (
    Choice,
    Day,
    Flag,
    Id,
    KemendagriCode,
    List,
    LocalDateTime,
    QuerySchema,
    Schema,
    Text,
    Url,
    Whole,
    Zone,
)
from matchmaker.vocab import TOPICS

# The ranges the planning service enforces, declared so clients see them in the document.
MAX_SESSIONS = 24
MAX_INTERVAL_DAYS = 90
MIN_DURATION, MAX_DURATION = 15, 600
TITLE_MAX = 200
REASON_MAX = 2_000
AGENDA_MAX = 2_000


class ProgrammeCreate(Schema):
    mentor = KemendagriCode(required=True)
    mentee = KemendagriCode(required=True)
    topic = Choice(TOPICS, required=True)
    title = Text(max_length=TITLE_MAX, allow_none=True)
    need_id = Id(allow_none=True)
    practice_id = Id(allow_none=True)


class NoBody(Schema):
    """Accept and activate take no fields (an empty body or `{}`)."""


class ReasonBody(Schema):
    """Decline or cancel: the reason is required by the service, which says so."""

    reason = Text(max_length=REASON_MAX, multiline=True, allow_none=True)


class Agreement(Schema):
    note = Text(max_length=REASON_MAX, multiline=True, allow_none=True)


class Completion(Schema):
    outcome = Choice([o.value for o in ReplicationOutcome], required=True)
    outcome_on = Day(allow_none=True)
    evidence = Text(max_length=REASON_MAX, multiline=True, allow_none=True)


class SessionFields(Schema):
    """What a planned session carries besides its start."""

    timezone = Zone(allow_none=True, metadata={"description": "default: the mentee city's zone"})
    duration_minutes = Whole(minimum=MIN_DURATION, maximum=MAX_DURATION)
    meeting_url = Url(allow_none=True)
    generate_meeting_url = Flag(metadata={
        "description": "fill an empty meeting_url from MEETING_LINK_TEMPLATE (a typed one is kept)"})
    allow_past = Flag(metadata={"description": "record sessions that already took place"})


class Series(SessionFields):
    count = Whole(minimum=1, maximum=MAX_SESSIONS, required=True)
    first_start = LocalDateTime(required=True, metadata={"description": "local time in `timezone`"})
    interval_days = Whole(minimum=0, maximum=MAX_INTERVAL_DAYS)
    agendas = List(Text(max_length=AGENDA_MAX, multiline=True), max_items=MAX_SESSIONS, allow_none=True)


class NewSession(SessionFields):
    starts_at = LocalDateTime(required=True, metadata={"description": "local time in `timezone`"})
    agenda = Text(max_length=AGENDA_MAX, multiline=True, allow_none=True)


class SessionPatch(Schema):
    """Reschedule or edit (`starts_at`, …), or `{"status": "cancelled" | "held"}`."""

    starts_at = LocalDateTime(metadata={
        "description": "local time in the session's zone, or with a UTC offset / Z"})
    timezone = Zone()
    duration_minutes = Whole(minimum=MIN_DURATION, maximum=MAX_DURATION)
    meeting_url = Url()
    generate_meeting_url = Flag()
    agenda = Text(max_length=AGENDA_MAX, multiline=True)
    status = Choice([SessionStatus.CANCELLED.value, SessionStatus.HELD.value])
    reason = Text(max_length=REASON_MAX, multiline=True)


class ProgrammeQuery(QuerySchema):
    status = Choice([s.value for s in ProgrammeStatus])


class PollCreate(Schema):
    options = List(LocalDateTime(), max_items=8, required=True, metadata={
        "description": "2–8 candidate starts, local times in `timezone`"})
    timezone = Zone(allow_none=True, metadata={"description": "default: the mentee city's zone"})
    duration_minutes = Whole(minimum=MIN_DURATION, maximum=MAX_DURATION)
    session_id = Id(allow_none=True, metadata={
        "description": "poll for moving this session of a running series instead of a first session"})


class PollAnswerBody(Schema):
    available = List(Id(), max_items=8, required=True, metadata={
        "description": "the ids of the options this user can attend (may be empty)"})


class PollChoice(Schema):
    option = Id(required=True)
    count = Whole(minimum=1, maximum=MAX_SESSIONS)
    interval_days = Whole(minimum=0, maximum=MAX_INTERVAL_DAYS)
    duration_minutes = Whole(minimum=MIN_DURATION, maximum=MAX_DURATION)
    meeting_url = Url(allow_none=True)
    generate_meeting_url = Flag()

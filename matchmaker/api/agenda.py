"""`GET /api/v1/me/agenda`: what waits on the signed-in user (the home page as JSON)."""

from flask_login import current_user
from marshmallow import Schema, fields

from matchmaker.api.base import bp, documented_errors
from matchmaker.reports.agenda import agenda_for, session_times
from matchmaker.timeutils import iso_utc, utcnow


def _string(func, **metadata):
    return fields.Function(func, metadata={"type": "string", **metadata})


class AgendaProposalOut(Schema):
    programme_id = fields.Integer(attribute="id")
    title = fields.String(attribute="display_title")
    mentor = _string(lambda p: p.mentor.code)
    mentee = _string(lambda p: p.mentee.code)
    topic = fields.String()
    proposed_at = _string(lambda p: iso_utc(p.created_at), format="date-time")


class AgendaPollOut(Schema):
    poll_id = fields.Integer(attribute="poll.id")
    programme_id = fields.Integer(attribute="poll.programme_id")
    answered = fields.Boolean(metadata={"description": "this user has answered"})


class AgendaSessionOut(Schema):
    session_id = fields.Integer(attribute="id")
    programme_id = fields.Integer()
    number = fields.Integer()
    starts_at = _string(lambda s: iso_utc(s.starts_at), format="date-time")
    local_times = _string(lambda s: session_times(s, current_user.display_zone), description=(
        "the day in the user's zone, then the time there and in both cities' zones"))
    status = _string(lambda s: s.status.value, enum=["planned", "held", "cancelled"])
    tentative = fields.Function(lambda s: s.programme.status.value == "proposed", metadata={
        "type": "boolean", "description": "true until both cities agreed to the programme"})
    meeting_url = fields.String()


class AgendaMissingNotesOut(Schema):
    session_id = fields.Integer(attribute="id")
    programme_id = fields.Integer()
    number = fields.Integer()
    starts_at = _string(lambda s: iso_utc(s.starts_at), format="date-time")


class AgendaActionOut(Schema):
    id = fields.Integer()
    text = fields.String()
    programme_id = fields.Integer()
    session_id = fields.Integer()
    owner_city = fields.String()
    due = fields.String(metadata={"format": "date"})
    overdue = fields.Boolean(metadata={"description": "past its due day in the owner city"})


class AgendaOut(Schema):
    proposals = fields.List(fields.Nested(AgendaProposalOut))
    polls = fields.List(fields.Nested(AgendaPollOut), metadata={"description": "time polls to answer"})
    next_sessions = fields.List(fields.Nested(AgendaSessionOut))
    notes_missing = fields.List(fields.Nested(AgendaMissingNotesOut))
    open_actions = fields.List(fields.Nested(AgendaActionOut))
    waiting_count = fields.Integer(metadata={
        "description": "proposals and polls to answer + notes to log + overdue actions (the navbar badge)"})


@bp.route("/me/agenda", tags=["programmes"])
@bp.response(200, AgendaOut)
@documented_errors()
def my_agenda():
    """What waits on this user: proposals to answer, next sessions, notes to log, open actions."""
    now = utcnow()
    agenda = agenda_for(current_user, now)
    overdue = {a.id for a in agenda.overdue_actions}
    return {"proposals": agenda.proposals, "polls": agenda.polls, "next_sessions": agenda.next_sessions,
            "notes_missing": agenda.notes_missing,
            "open_actions": [{"id": a.id, "text": a.text, "programme_id": a.programme_id,
                              "session_id": a.session_id, "owner_city": a.owner_city.code,
                              "due": a.due_on.isoformat(), "overdue": a.id in overdue}
                             for a in agenda.open_actions],
            "waiting_count": agenda.waiting_count}

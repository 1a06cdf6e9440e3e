"""Time poll endpoints of the JSON API: open, read, answer, choose (plans the series), close."""

from flask_login import current_user
from marshmallow import Schema, fields

from matchmaker.api.base import bp, documented_errors
from matchmaker.api.programmes import CheckOut, Planned, iso_utc
from matchmaker.extensions import db
from matchmaker.programmes import access, polls
from matchmaker.programmes.schemas import NoBody, PollAnswerBody, PollChoice, PollCreate
from matchmaker.timeutils import utcnow


class PollOptionOut(Schema):
    id = fields.Integer()
    starts_at = fields.Function(lambda o: iso_utc(o.starts_at), metadata={"type": "string",
                                                                            "format": "date-time"})
    label = fields.String(metadata={"description": "2031-02-03 09:00 WIB / 10:00 WITA"})
    local_times = fields.Dict(keys=fields.String(), values=fields.String(), metadata={
        "description": "start in each city's zone, by city code"})
    checks = fields.List(fields.Nested(CheckOut))
    available = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "by city code, the names of the Pokja members who can attend"})
    fits_both = fields.Boolean(metadata={"description": "someone of each city can attend"})


class PollOut(Schema):
    id = fields.Function(lambda s: s.poll.id, metadata={"type": "integer"})
    programme_id = fields.Function(lambda s: s.poll.programme_id, metadata={"type": "integer"})
    session_id = fields.Function(lambda s: s.poll.session_id, metadata={"type": "integer",
                                                                         "nullable": True})
    status = fields.Function(lambda s: s.poll.status.value, metadata={
        "type": "string", "enum": ["open", "chosen", "closed"]})
    timezone = fields.Function(lambda s: s.poll.timezone, metadata={"type": "string"})
    duration_minutes = fields.Function(lambda s: s.poll.duration_minutes,
                                       metadata={"type": "integer"})
    options = fields.List(fields.Nested(PollOptionOut))
    chosen_option = fields.Function(lambda s: s.poll.chosen_option_id, metadata={
        "type": "integer", "nullable": True})
    waiting = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "by city code, the Pokja members who have not answered"})
    answered = fields.Function(lambda s: s.has_answered, metadata={
        "type": "boolean", "description": "whether this user has answered"})
    my_answer = fields.Function(lambda s: sorted(s.mine), metadata={
        "type": "array", "items": {"type": "integer"}})


def _out(poll):
    return polls.summarise(poll, utcnow(), current_user)


@bp.route("/programmes/<id:programme_id>/polls", methods=["POST"], tags=["programmes"])
@bp.arguments(PollCreate)
@bp.response(201, PollOut)
@documented_errors(403, 404, 409)
def open_poll(body: dict, programme_id: int):
    """Open a time poll: 2–8 candidate starts for the first session, or for moving one session
    (facilitators). The Pokja of both cities get an e-mail."""
    programme = access.get_programme(current_user, programme_id)
    session = (access.get_session(current_user, body["session_id"])
               if body.get("session_id") is not None else None)
    poll = polls.open_poll(current_user, programme, body["options"], utcnow(),
                           timezone=body.get("timezone"),
                           duration_minutes=body.get("duration_minutes"), session=session)
    db.session.commit()
    return _out(poll)


@bp.route("/polls/<id:poll_id>", tags=["programmes"])
@bp.response(200, PollOut)
@documented_errors(403, 404)
def get_poll(poll_id: int):
    """The poll: each option in both zones with its checks and who of each city can come
    (facilitators, or Pokja of either city)."""
    return _out(access.get_poll(current_user, poll_id))


@bp.route("/polls/<id:poll_id>/answer", methods=["PUT"], tags=["programmes"])
@bp.arguments(PollAnswerBody)
@bp.response(200, PollOut)
@documented_errors(403, 404, 409)
def answer_poll(body: dict, poll_id: int):
    """Replace this user's answer: the options they can attend (Pokja of either city)."""
    poll = access.get_poll(current_user, poll_id)
    polls.answer_poll(current_user, poll, body["available"], utcnow())
    db.session.commit()
    return _out(poll)


@bp.route("/polls/<id:poll_id>/choose", methods=["POST"], tags=["programmes"])
@bp.arguments(PollChoice)
@bp.response(201, Planned)
@documented_errors(403, 404, 409)
def choose_poll_option(body: dict, poll_id: int):
    """Plan the series (or move the poll's session) from the chosen slot; the poll closes
    (facilitators)."""
    poll = access.get_poll(current_user, poll_id)
    planned = polls.choose_option(
        current_user, poll, body["option"], utcnow(), count=body.get("count"),
        interval_days=body.get("interval_days"), duration_minutes=body.get("duration_minutes"),
        meeting_url=body.get("meeting_url") or "",
        generate_meeting_url=body.get("generate_meeting_url", False))
    db.session.commit()
    return planned


@bp.route("/polls/<id:poll_id>/close", methods=["POST"], tags=["programmes"])
@bp.arguments(NoBody, required=False)
@bp.response(200, PollOut)
@documented_errors(403, 404, 409)
def close_poll(body: dict, poll_id: int):
    """Close the poll without choosing (facilitators)."""
    poll = access.get_poll(current_user, poll_id)
    polls.close_poll(current_user, poll, utcnow())
    db.session.commit()
    return _out(poll)

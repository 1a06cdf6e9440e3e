"""Programme, series, session and calendar endpoints of the JSON API, and their JSON shapes."""

from flask import Response, jsonify
from flask_login import current_user
from marshmallow import Schema, fields

from matchmaker.api.base import bp, documented_errors
from matchmaker.extensions import db
from matchmaker.programmes import access, queries, services, sessions
from matchmaker.programmes.calendar import session_calendar
from matchmaker.programmes.checks import CODES
from matchmaker.programmes.schemas import (
    Agreement,
    Completion,
    NewSession,
    NoBody,
    ProgrammeCreate,
    ProgrammeQuery,
    ReasonBody,
    Series,
    SessionPatch,
)
from matchmaker.timeutils import as_utc, labelled_times, local_time, utcnow


def iso_utc(value) -> str | None:
    """UTC to the second with a Z: `2027-01-04T02:00:00Z`."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _local_times(session, fmt: str) -> dict[str, str]:
    programme = session.programme
    return {city.code: local_time(session.starts_at, city.timezone, fmt)
            for city in (programme.mentee, programme.mentor)}


class SessionOut(Schema):
    id = fields.Integer()
    programme_id = fields.Integer()
    number = fields.Integer()
    starts_at = fields.Function(lambda s: iso_utc(s.starts_at), metadata={"type": "string",
                                                                            "format": "date-time"})
    ends_at = fields.Function(lambda s: iso_utc(s.ends_at), metadata={"type": "string",
                                                                        "format": "date-time"})
    duration_minutes = fields.Integer()
    timezone = fields.String()
    local_times = fields.Function(lambda s: _local_times(s, "%H:%M"), metadata={
        "type": "object", "additionalProperties": {"type": "string"},
        "description": "start in each city's zone, by city code: {\"74.71\": \"10:00 WITA\"}"})
    local_date_times = fields.Function(lambda s: _local_times(s, "%Y-%m-%d %H:%M"), metadata={
        "type": "object", "additionalProperties": {"type": "string"}})
    label = fields.Function(lambda s: labelled_times(s.starts_at, s.programme.zones), metadata={
        "type": "string", "description": "09:00 WIB / 10:00 WITA"})
    status = fields.Function(lambda s: s.status.value, metadata={
        "type": "string", "enum": ["planned", "held", "cancelled"]})
    agenda = fields.String()
    meeting_url = fields.String()
    uid = fields.String()
    sequence = fields.Integer()
    cancel_reason = fields.String()


class ProgrammeCity(Schema):
    code = fields.String()
    name = fields.String()
    timezone = fields.String()


class ProgrammeSummary(Schema):
    id = fields.Integer()
    title = fields.String(attribute="display_title")
    topic = fields.String()
    mentor = fields.Nested(ProgrammeCity)
    mentee = fields.Nested(ProgrammeCity)
    status = fields.Function(lambda p: p.status.value, metadata={
        "type": "string", "enum": ["proposed", "agreed", "active", "completed", "declined", "cancelled"]})
    status_reason = fields.String()
    need_id = fields.Integer(allow_none=True)
    practice_id = fields.Integer(allow_none=True)
    facilitator = fields.Function(lambda p: p.facilitator.email if p.facilitator else None,
                                  metadata={"type": "string", "nullable": True})
    mentor_accepted_at = fields.Function(lambda p: iso_utc(p.mentor_accepted_at),
                                         metadata={"type": "string", "nullable": True})
    mentee_accepted_at = fields.Function(lambda p: iso_utc(p.mentee_accepted_at),
                                         metadata={"type": "string", "nullable": True})
    agreed_at = fields.Function(lambda p: iso_utc(p.agreed_at), metadata={"type": "string",
                                                                            "nullable": True})
    outcome = fields.String(allow_none=True)
    outcome_on = fields.Function(lambda p: p.outcome_on.date().isoformat() if p.outcome_on else None,
                                 metadata={"type": "string", "format": "date", "nullable": True})
    outcome_evidence = fields.String()
    created_at = fields.Function(lambda p: iso_utc(p.created_at), metadata={"type": "string"})


class ProgrammeOut(ProgrammeSummary):
    sessions = fields.List(fields.Nested(SessionOut))


class ProgrammeList(Schema):
    count = fields.Integer()
    programmes = fields.List(fields.Nested(ProgrammeSummary))


class Created(Schema):
    id = fields.Integer()
    status = fields.Function(lambda p: p.status.value, metadata={"type": "string"})


class CheckOut(Schema):
    """A calendar check on a planned session: a warning, never a refusal."""

    session = fields.Integer(metadata={"description": "the session's number in the programme"})
    session_id = fields.Integer(allow_none=True)
    code = fields.String(metadata={"enum": list(CODES)})
    city = fields.String(allow_none=True, metadata={"description": "the city code it concerns"})
    date = fields.Function(lambda c: c.date.isoformat(), metadata={"type": "string", "format": "date"})
    name = fields.String(allow_none=True, metadata={"description": "the holiday's name"})
    message = fields.String()
    suggestion = fields.Function(lambda c: iso_utc(c.suggestion), metadata={
        "type": "string", "format": "date-time", "nullable": True,
        "description": "the nearest free start (UTC)"})


class Planned(Schema):
    sessions = fields.List(fields.Nested(SessionOut))
    warnings = fields.List(fields.String(), metadata={"description": "overlaps: warnings, not refusals"})
    checks = fields.List(fields.Nested(CheckOut))


class PatchedSession(SessionOut):
    warnings = fields.List(fields.String())
    checks = fields.List(fields.Nested(CheckOut))


@bp.route("/programmes", tags=["programmes"])
@bp.arguments(ProgrammeQuery, location="query")
@bp.response(200, ProgrammeList)
@documented_errors()
def list_programmes(query: dict):
    """The programmes this user may open, newest first."""
    programmes = queries.list_programmes(current_user, query.get("status"))
    return {"count": len(programmes), "programmes": programmes}


@bp.route("/programmes", methods=["POST"], tags=["programmes"])
@bp.arguments(ProgrammeCreate)
@bp.response(201, Created)
@documented_errors(403, 409)
def create_programme(body: dict):
    """Propose a programme: mentor city, mentee city, topic (facilitators)."""
    programme = services.create_programme(
        current_user, body["mentor"], body["mentee"], body["topic"], utcnow(),
        title=body.get("title") or "", need_id=body.get("need_id"), practice_id=body.get("practice_id"))
    db.session.commit()
    return programme


@bp.route("/programmes/<id:programme_id>", tags=["programmes"])
@bp.response(200, ProgrammeOut)
@documented_errors(403, 404)
def get_programme(programme_id: int):
    """A programme with its sessions (facilitators, or Pokja of either city)."""
    return access.get_programme(current_user, programme_id)


def _transition(programme_id: int, action) -> object:
    programme = access.get_programme(current_user, programme_id)
    action(programme)
    db.session.commit()
    return programme


@bp.route("/programmes/<id:programme_id>/accept", methods=["POST"], tags=["programmes"])
@bp.arguments(NoBody, required=False)
@bp.response(200, ProgrammeOut)
@documented_errors(403, 404, 409)
def accept_programme(body: dict, programme_id: int):
    """Accept a proposal for the user's own city (Pokja); both cities accepting makes it agreed."""
    return _transition(programme_id, lambda p: services.respond_to_proposal(
        current_user, p, True, utcnow()))


@bp.route("/programmes/<id:programme_id>/decline", methods=["POST"], tags=["programmes"])
@bp.arguments(ReasonBody, required=False)
@bp.response(200, ProgrammeOut)
@documented_errors(403, 404, 409)
def decline_programme(body: dict, programme_id: int):
    """Decline a proposal for the user's own city, with a reason (Pokja)."""
    return _transition(programme_id, lambda p: services.respond_to_proposal(
        current_user, p, False, utcnow(), body.get("reason") or ""))


@bp.route("/programmes/<id:programme_id>/agreement", methods=["POST"], tags=["programmes"])
@bp.arguments(Agreement, required=False)
@bp.response(200, ProgrammeOut)
@documented_errors(403, 404, 409)
def record_agreement(body: dict, programme_id: int):
    """Record that both cities agreed elsewhere, e.g. by letter (facilitators)."""
    return _transition(programme_id, lambda p: services.record_agreement(
        current_user, p, utcnow(), body.get("note") or ""))


@bp.route("/programmes/<id:programme_id>/activate", methods=["POST"], tags=["programmes"])
@bp.arguments(NoBody, required=False)
@bp.response(200, ProgrammeOut)
@documented_errors(403, 404, 409)
def activate_programme(body: dict, programme_id: int):
    """Start an agreed programme (facilitators)."""
    return _transition(programme_id, lambda p: services.activate_programme(current_user, p, utcnow()))


@bp.route("/programmes/<id:programme_id>/cancel", methods=["POST"], tags=["programmes"])
@bp.arguments(ReasonBody, required=False)
@bp.response(200, ProgrammeOut)
@documented_errors(403, 404, 409)
def cancel_programme(body: dict, programme_id: int):
    """Cancel an open programme with a reason; its planned sessions are cancelled too (facilitators)."""
    return _transition(programme_id, lambda p: services.cancel_programme(
        current_user, p, body.get("reason") or "", utcnow()))


@bp.route("/programmes/<id:programme_id>/complete", methods=["POST"], tags=["programmes"])
@bp.arguments(Completion)
@bp.response(200, ProgrammeOut)
@documented_errors(403, 404, 409)
def complete_programme(body: dict, programme_id: int):
    """Close the programme with its replication outcome (facilitators)."""
    return _transition(programme_id, lambda p: services.complete_programme(
        current_user, p, body["outcome"], utcnow(), outcome_on=body.get("outcome_on"),
        evidence=body.get("evidence") or ""))


@bp.route("/programmes/<id:programme_id>/series", methods=["POST"], tags=["programmes"])
@bp.arguments(Series)
@bp.response(201, Planned)
@documented_errors(403, 404, 409)
def plan_series(body: dict, programme_id: int):
    """Plan a series of sessions from a local first start, stored in UTC (facilitators)."""
    programme = access.get_programme(current_user, programme_id)
    planned = sessions.plan_series(
        current_user, programme, body["count"], body["first_start"], utcnow(),
        timezone=body.get("timezone"),
        interval_days=body.get("interval_days"), duration_minutes=body.get("duration_minutes"),
        meeting_url=body.get("meeting_url") or "", agendas=body.get("agendas"),
        generate_meeting_url=body.get("generate_meeting_url", False),
        allow_past=body.get("allow_past", False))
    db.session.commit()
    return planned


@bp.route("/programmes/<id:programme_id>/sessions", methods=["POST"], tags=["programmes"])
@bp.arguments(NewSession)
@bp.response(201, Planned)
@documented_errors(403, 404, 409)
def add_session(body: dict, programme_id: int):
    """Add one session after the existing ones (facilitators)."""
    programme = access.get_programme(current_user, programme_id)
    planned = sessions.add_session(
        current_user, programme, body["starts_at"], utcnow(), timezone=body.get("timezone"),
        duration_minutes=body.get("duration_minutes"),
        meeting_url=body.get("meeting_url") or "", agenda=body.get("agenda") or "",
        generate_meeting_url=body.get("generate_meeting_url", False),
        allow_past=body.get("allow_past", False))
    db.session.commit()
    return planned


@bp.route("/sessions/<id:session_id>", tags=["programmes"])
@bp.response(200, SessionOut)
@documented_errors(403, 404)
def get_session(session_id: int):
    """One session (facilitators, or Pokja of either city)."""
    return access.get_session(current_user, session_id)


@bp.route("/sessions/<id:session_id>", methods=["PATCH"], tags=["programmes"])
@bp.arguments(SessionPatch)
@bp.response(200, PatchedSession)
@documented_errors(403, 404, 409)
def patch_session(body: dict, session_id: int):
    """Reschedule or edit a session (UID kept, SEQUENCE raised), or cancel it or mark it held."""
    session = access.get_session(current_user, session_id)
    planned = sessions.patch_session(current_user, session, body, utcnow())
    db.session.commit()
    return jsonify({**SessionOut().dump(session), "warnings": planned.warnings,
                    "checks": CheckOut(many=True).dump(planned.checks)})


@bp.route("/sessions/<id:session_id>/calendar.ics", tags=["programmes"])
@bp.response(200, {"type": "string"}, content_type="text/calendar",
             description="the session as one iCalendar VEVENT (stable UID, current SEQUENCE)")
@documented_errors(403, 404)
def session_calendar_file(session_id: int):
    """The session as an iCalendar file (participants)."""
    session = access.get_session(current_user, session_id)
    return Response(session_calendar(session), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="session-{session.id}.ics"'})

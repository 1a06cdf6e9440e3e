"""Programme, series, session and calendar endpoints of the JSON API."""

from flask import Response, jsonify, request
from flask_login import current_user

from matchmaker.api.base import bp, json_body
from matchmaker.cities.models import City
from matchmaker.errors import ValidationError
from matchmaker.extensions import db
from matchmaker.programmes import queries, services, sessions
from matchmaker.programmes.access import get_programme as load_programme
from matchmaker.programmes.access import get_session as load_session
from matchmaker.programmes.calendar import session_calendar
from matchmaker.programmes.models import Programme, ProgrammeSession
from matchmaker.timeutils import iso_utc, labelled_times, utcnow


def session_dict(session: ProgrammeSession) -> dict:
    programme = session.programme
    return {
        "id": session.id, "programme_id": programme.id, "number": session.number,
        "starts_at": iso_utc(session.starts_at), "ends_at": iso_utc(session.ends_at),
        "duration_minutes": session.duration_minutes, "timezone": session.timezone,
        "local_times": queries.session_local_times(session),
        "local_date_times": queries.session_local_times(session, "%Y-%m-%d %H:%M"),
        "label": labelled_times(session.starts_at, programme.zones),
        "status": session.status.value, "agenda": session.agenda,
        "meeting_url": session.meeting_url, "uid": session.uid, "sequence": session.sequence,
        "cancel_reason": session.cancel_reason,
    }


def programme_dict(programme: Programme) -> dict:
    def city(c: City) -> dict:
        return {"code": c.code, "name": c.name, "timezone": c.timezone}

    return {
        "id": programme.id, "title": programme.display_title, "topic": programme.topic,
        "mentor": city(programme.mentor), "mentee": city(programme.mentee),
        "status": programme.status.value, "status_reason": programme.status_reason,
        "need_id": programme.need_id, "practice_id": programme.practice_id,
        "facilitator": programme.facilitator.email if programme.facilitator else None,
        "mentor_accepted_at": iso_utc(programme.mentor_accepted_at),
        "mentee_accepted_at": iso_utc(programme.mentee_accepted_at),
        "agreed_at": iso_utc(programme.agreed_at),
        "outcome": programme.outcome,
        "outcome_on": programme.outcome_on.date().isoformat() if programme.outcome_on else None,
        "outcome_evidence": programme.outcome_evidence,
        "created_at": iso_utc(programme.created_at),
        "sessions": [session_dict(s) for s in programme.sessions],
    }


def _text(data: dict, key: str, default: str = "") -> str:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationError(f"{key} must be a string", field=key)
    return value


def _optional_int(data: dict, key: str) -> int | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{key} must be a whole number", field=key)
    return value


def _whole(data: dict, key: str, default=None):
    """A JSON whole number (not a string, not a boolean), or the default when absent."""
    if key not in data:
        return default
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{key} must be a whole number", field=key)
    return value


@bp.get("/programmes")
def list_programmes():
    programmes = queries.list_programmes(current_user, request.args.get("status") or None)
    return jsonify({"count": len(programmes),
                    "programmes": [{k: v for k, v in programme_dict(p).items()
                                    if k != "sessions"} for p in programmes]})


@bp.post("/programmes")
def create_programme():
    data = json_body()
    programme = services.create_programme(
        current_user, _text(data, "mentor"), _text(data, "mentee"), _text(data, "topic"), utcnow(),
        title=_text(data, "title"), need_id=_optional_int(data, "need_id"),
        practice_id=_optional_int(data, "practice_id"))
    db.session.commit()
    return jsonify({"id": programme.id, "status": programme.status.value}), 201


@bp.get("/programmes/<int:programme_id>")
def get_programme(programme_id: int):
    return jsonify(programme_dict(load_programme(current_user, programme_id)))


def _transition(programme_id: int, action):
    programme = load_programme(current_user, programme_id)
    data = json_body() if _has_body() else {}
    action(programme, data)
    db.session.commit()
    return jsonify(programme_dict(programme))


def _has_body() -> bool:
    return bool(request.get_data())


@bp.post("/programmes/<int:programme_id>/accept")
def accept_programme(programme_id: int):
    return _transition(programme_id, lambda p, d: services.respond_to_proposal(
        current_user, p, True, utcnow()))


@bp.post("/programmes/<int:programme_id>/decline")
def decline_programme(programme_id: int):
    return _transition(programme_id, lambda p, d: services.respond_to_proposal(
        current_user, p, False, utcnow(), _text(d, "reason")))


@bp.post("/programmes/<int:programme_id>/agreement")
def record_agreement(programme_id: int):
    return _transition(programme_id, lambda p, d: services.record_agreement(
        current_user, p, utcnow(), _text(d, "note")))


@bp.post("/programmes/<int:programme_id>/activate")
def activate_programme(programme_id: int):
    return _transition(programme_id, lambda p, d: services.activate_programme(
        current_user, p, utcnow()))


@bp.post("/programmes/<int:programme_id>/cancel")
def cancel_programme(programme_id: int):
    return _transition(programme_id, lambda p, d: services.cancel_programme(
        current_user, p, _text(d, "reason"), utcnow()))


@bp.post("/programmes/<int:programme_id>/complete")
def complete_programme(programme_id: int):
    return _transition(programme_id, lambda p, d: services.complete_programme(
        current_user, p, _text(d, "outcome"), utcnow(), outcome_on=d.get("outcome_on"),
        evidence=_text(d, "evidence")))


def _planned_response(planned: sessions.Planned):
    return jsonify({"sessions": [session_dict(s) for s in planned.sessions],
                    "warnings": planned.warnings})


@bp.post("/programmes/<int:programme_id>/series")
def plan_series(programme_id: int):
    programme = load_programme(current_user, programme_id)
    data = json_body()
    if "count" not in data:
        raise ValidationError("count is required", field="count")
    count = _whole(data, "count")
    if not isinstance(data.get("first_start"), str):
        raise ValidationError("first_start is required: local time YYYY-MM-DDTHH:MM",
                              field="first_start")
    agendas = data.get("agendas")
    planned = sessions.plan_series(
        current_user, programme, count, data["first_start"], utcnow(),
        timezone=_text(data, "timezone") or None,
        interval_days=_whole(data, "interval_days"),
        duration_minutes=_whole(data, "duration_minutes"),
        meeting_url=_text(data, "meeting_url"), agendas=agendas,
        allow_past=data.get("allow_past") is True)
    db.session.commit()
    return _planned_response(planned), 201


@bp.post("/programmes/<int:programme_id>/sessions")
def add_session(programme_id: int):
    programme = load_programme(current_user, programme_id)
    data = json_body()
    if not isinstance(data.get("starts_at"), str):
        raise ValidationError("starts_at is required: local time YYYY-MM-DDTHH:MM",
                              field="starts_at")
    planned = sessions.add_session(
        current_user, programme, data["starts_at"], utcnow(), timezone=_text(data, "timezone") or None,
        duration_minutes=_whole(data, "duration_minutes"),
        meeting_url=_text(data, "meeting_url"), agenda=_text(data, "agenda"),
        allow_past=data.get("allow_past") is True)
    db.session.commit()
    return _planned_response(planned), 201


@bp.get("/sessions/<int:session_id>")
def get_session(session_id: int):
    return jsonify(session_dict(load_session(current_user, session_id)))


@bp.patch("/sessions/<int:session_id>")
def patch_session(session_id: int):
    session = load_session(current_user, session_id)
    planned = sessions.patch_session(current_user, session, json_body(), utcnow())
    db.session.commit()
    body = session_dict(session)
    body["warnings"] = planned.warnings
    return jsonify(body)


@bp.get("/sessions/<int:session_id>/calendar.ics")
def session_calendar_file(session_id: int):
    session = load_session(current_user, session_id)
    return Response(session_calendar(session), mimetype="text/calendar",
                    headers={"Content-Disposition":
                             f'attachment; filename="session-{session.id}.ics"'})

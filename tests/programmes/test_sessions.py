"""The series planner: series, one more session, moves, cancellations, warnings."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from matchmaker import signals
from matchmaker.auth.models import User
from matchmaker.errors import Conflict, Forbidden, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes import queries, services, sessions
from matchmaker.programmes.models import ProgrammeSession, SessionStatus
from matchmaker.timeutils import labelled_times
from tests.programmes.test_services import _race


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_series_starts_at_nine_jakarta_stored_as_two_utc(make_programme, facilitator, now):
    programme = make_programme(agreed=True)
    planned = sessions.plan_series(facilitator, programme, 6, "2027-01-04T09:00", now,
                                   timezone="Asia/Jakarta", interval_days=14)
    first = planned.sessions[0]
    assert first.starts_at == datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    assert labelled_times(first.starts_at, programme.zones) == "09:00 WIB / 10:00 WITA"
    assert [s.starts_at - first.starts_at for s in planned.sessions] == [
        timedelta(days=14 * i) for i in range(6)]
    assert [s.number for s in planned.sessions] == [1, 2, 3, 4, 5, 6]
    assert planned.sessions[3].agenda == "Pembiayaan dan tarif"
    assert len({s.uid for s in planned.sessions}) == 6
    db.session.commit()
    stored = db.session.get(ProgrammeSession, first.id)
    db.session.expire_all()
    assert stored.starts_at == datetime(2027, 1, 4, 2, 0, tzinfo=UTC)
    assert queries.session_local_times(stored) == {"35.72": "09:00 WIB", "74.71": "10:00 WITA"}


def test_series_zone_defaults_to_the_mentee(make_programme, facilitator, now):
    # Blitar mentors Kendari here: the mentee is in WITA, so 09:00 means 01:00 UTC.
    programme = make_programme(mentor="35.72", mentee="74.71")
    planned = sessions.plan_series(facilitator, programme, 1, "2027-01-04T09:00", now)
    assert planned.sessions[0].starts_at == datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
    assert planned.sessions[0].timezone == "Asia/Makassar"


def test_agendas_are_editable(make_programme, facilitator, now):
    programme = make_programme()
    planned = sessions.plan_series(facilitator, programme, 3, "2027-01-04T09:00", now,
                                   agendas=["Kenalan", "", "Kunjungan lapangan virtual"])
    assert [s.agenda for s in planned.sessions] == [
        "Kenalan", "Praktik secara mendalam", "Kunjungan lapangan virtual"]


@pytest.mark.parametrize("kwargs,field", [
    ({"count": 0}, "count"), ({"count": 25}, "count"), ({"count": "six"}, "count"),
    ({"timezone": "Asia/Atlantis"}, "timezone"), ({"first_start": "27/01/2027"}, "first_start"),
    ({"duration_minutes": 0}, "duration_minutes"), ({"meeting_url": "javascript:alert(1)"}, "meeting_url"),
    ({"interval_days": 0}, "interval_days"),
])
def test_bad_series_input_is_refused_and_changes_nothing(make_programme, facilitator, now, kwargs, field):
    programme = make_programme()
    args = {"count": 6, "first_start": "2027-01-04T09:00", **kwargs}
    count, first = args.pop("count"), args.pop("first_start")
    with pytest.raises(ValidationError) as caught:
        sessions.plan_series(facilitator, programme, count, first, now, **args)
    assert caught.value.field == field
    db.session.rollback()
    assert _count(ProgrammeSession) == 0


def test_past_start_is_refused_unless_recording_history(make_programme, facilitator, now):
    programme = make_programme()
    with pytest.raises(ValidationError):
        sessions.plan_series(facilitator, programme, 6, "2020-01-27T09:00", now)
    planned = sessions.plan_series(facilitator, programme, 6, "2020-01-27T09:00", now,
                                   allow_past=True)
    assert all(s.status == SessionStatus.HELD for s in planned.sessions)


@pytest.mark.parametrize("close", ["cancel", "complete"])
def test_planning_on_a_closed_programme_conflicts(make_programme, facilitator, now, close):
    programme = make_programme(agreed=True)
    if close == "cancel":
        services.cancel_programme(facilitator, programme, "Tidak jadi", now)
    else:
        services.complete_programme(facilitator, programme, "none", now)
    with pytest.raises(Conflict):
        sessions.plan_series(facilitator, programme, 6, "2027-01-04T09:00", now)


def test_pokja_cannot_plan(make_programme, pokja_blitar, now):
    programme = make_programme()
    with pytest.raises(Forbidden):
        sessions.plan_series(pokja_blitar, programme, 6, "2027-01-04T09:00", now)


def test_reschedule_keeps_uid_and_raises_sequence(planned, facilitator, now):
    session = planned.sessions[1]
    uid = session.uid
    sessions.update_session(facilitator, session, now, starts_at="2027-01-19T13:30")
    assert session.uid == uid
    assert session.sequence == 1
    assert session.starts_at == datetime(2027, 1, 19, 6, 30, tzinfo=UTC)
    sessions.update_session(facilitator, session, now, agenda="Agenda baru")
    assert session.sequence == 2
    sessions.update_session(facilitator, session, now, agenda="Agenda baru")
    assert session.sequence == 2  # nothing changed, nothing to tell calendars


def test_reschedule_into_the_past_is_refused(planned, facilitator, now):
    with pytest.raises(ValidationError):
        sessions.update_session(facilitator, planned.sessions[0], now, starts_at="2020-01-01T09:00")


def test_cancel_session_marks_it_and_raises_sequence(planned, facilitator, now):
    session = planned.sessions[2]
    sessions.cancel_session(facilitator, session, now, "Libur nasional")
    assert session.status == SessionStatus.CANCELLED
    assert session.sequence == 1
    with pytest.raises(Conflict):
        sessions.cancel_session(facilitator, session, now)
    with pytest.raises(Conflict):
        sessions.update_session(facilitator, session, now, agenda="x")


def test_added_session_is_numbered_after_the_series(planned, facilitator, now):
    added = sessions.add_session(facilitator, planned, "2027-04-01T09:00", now, agenda="Bonus")
    assert added.sessions[0].number == 7
    assert added.sessions[0].agenda == "Bonus"


def test_overlap_with_another_session_of_either_city_warns(planned, make_programme, facilitator, now):
    # Blitar also mentors Jayapura; a session at the same instant is allowed but flagged.
    other = make_programme(mentor="35.72", mentee="91.71", topic="solid_waste")
    result = sessions.plan_series(facilitator, other, 1, "2027-01-04T12:00", now,
                                  timezone="Asia/Jayapura")
    assert result.sessions[0].starts_at == datetime(2027, 1, 4, 3, 0, tzinfo=UTC)
    assert len(result.warnings) == 1
    assert planned.display_title in result.warnings[0]
    # A session that ends right as another starts (07:30–09:00 WIB, then 09:00) is no overlap.
    touching = sessions.add_session(facilitator, planned, "2027-01-04T07:30", now)
    assert touching.warnings == []


def test_every_plan_move_and_cancel_tells_the_reminders(planned, facilitator, now):
    calls = []

    def heard(session, now, calendar_changed=False):
        calls.append((session.id, session.sequence, now, calendar_changed))

    signals.session_changed.connect(heard)
    session = planned.sessions[0]
    sessions.update_session(facilitator, session, now, starts_at="2027-01-05T09:00")
    sessions.cancel_session(facilitator, session, now)
    added = sessions.add_session(facilitator, planned, "2027-05-01T09:00", now)
    signals.session_changed.disconnect(heard)
    assert calls == [(session.id, 1, now, True), (session.id, 2, now, True),
                     (added.sessions[0].id, 0, now, True)]


def _racing(app, session_id: int, facilitator_id: int, *changes) -> list[str]:
    """Run each change of one session in its own thread and database session, at once."""
    def act(change):
        def run(barrier):
            session = db.session.get(ProgrammeSession, session_id)
            actor = db.session.get(User, facilitator_id)
            barrier.wait()
            change(actor, session)
        return run

    return _race(app, *(act(change) for change in changes))


def test_two_moves_from_the_same_version_exactly_one_wins(app, planned, facilitator, now):
    session = planned.sessions[0]
    session_id, version, sequence = session.id, session.version, session.sequence

    def move(day):
        return lambda actor, s: sessions.update_session(actor, s, now, starts_at=f"2027-01-{day:02d}T09:00",
                                                        version=version)

    assert _racing(app, session_id, facilitator.id, move(5), move(6)) == ["conflict", "ok"]
    db.session.expire_all()
    moved = db.session.get(ProgrammeSession, session_id)
    assert (moved.version, moved.sequence) == (version + 1, sequence + 1)


def test_a_move_racing_a_cancel_never_revives_the_session(app, planned, facilitator, now):
    session = planned.sessions[0]
    session_id, sequence = session.id, session.sequence
    outcomes = _racing(app, session_id, facilitator.id,
                       lambda actor, s: sessions.update_session(actor, s, now, starts_at="2027-01-05T09:00"),
                       lambda actor, s: sessions.cancel_session(actor, s, now, "Banjir"))
    db.session.expire_all()
    final = db.session.get(ProgrammeSession, session_id)
    assert final.status == SessionStatus.CANCELLED
    assert final.sequence == sequence + outcomes.count("ok")

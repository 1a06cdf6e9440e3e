"""Programme lifecycle, access and the series planner, called as the pages and the API call them."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from matchmaker.errors import Conflict, Forbidden, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes import services
from matchmaker.programmes.models import Programme, ProgrammeSession, ProgrammeStatus, SessionStatus
from matchmaker.timeutils import labelled_times


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_facilitator_proposes_a_programme(facilitator, now, kendari, blitar):
    programme = services.create_programme(facilitator, "74.71", "35.72", "wastewater", now)
    assert programme.status == ProgrammeStatus.PROPOSED
    assert (programme.mentor, programme.mentee, programme.facilitator) == (kendari, blitar, facilitator)


def test_mentor_equal_to_mentee_is_refused(facilitator, now):
    with pytest.raises(ValidationError):
        services.create_programme(facilitator, "74.71", "74.71", "wastewater", now)
    assert _count(Programme) == 0


@pytest.mark.parametrize("mentor,mentee,topic", [("99.99", "35.72", "wastewater"),
                                                 ("74.71", "35.72", "rockets")])
def test_unknown_city_or_topic_is_refused(facilitator, now, mentor, mentee, topic):
    with pytest.raises(ValidationError):
        services.create_programme(facilitator, mentor, mentee, topic, now)


def test_second_open_programme_for_the_same_pair_and_topic_conflicts(make_programme, facilitator, now):
    first = make_programme()
    with pytest.raises(Conflict) as caught:
        services.create_programme(facilitator, "74.71", "35.72", "wastewater", now)
    assert caught.value.programme_id == first.id
    # Another topic, or the reverse direction, is a different programme.
    services.create_programme(facilitator, "74.71", "35.72", "solid_waste", now)
    services.create_programme(facilitator, "35.72", "74.71", "wastewater", now)


def test_a_closed_programme_frees_the_pair(make_programme, facilitator, now):
    first = make_programme()
    services.cancel_programme(facilitator, first, "Pergantian pejabat", now)
    again = services.create_programme(facilitator, "74.71", "35.72", "wastewater", now)
    assert again.status == ProgrammeStatus.PROPOSED


@pytest.mark.parametrize("role", ["pokja", "viewer"])
def test_only_facilitators_create_programmes(make_user, now, role):
    user = make_user(role, "74.71" if role == "pokja" else None)
    with pytest.raises(Forbidden):
        services.create_programme(user, "74.71", "35.72", "wastewater", now)


def test_both_cities_accepting_makes_it_agreed(make_programme, pokja_kendari, pokja_blitar, now):
    programme = make_programme()
    services.respond_to_proposal(pokja_kendari, programme, True, now)
    assert programme.status == ProgrammeStatus.PROPOSED
    assert [c.code for c in services.waiting_for(programme)] == ["35.72"]
    services.respond_to_proposal(pokja_blitar, programme, True, now)
    assert programme.status == ProgrammeStatus.AGREED
    assert programme.agreed_at == now


def test_a_city_declines_with_a_reason(make_programme, pokja_blitar, now):
    programme = make_programme()
    with pytest.raises(ValidationError):
        services.respond_to_proposal(pokja_blitar, programme, False, now, "")
    services.respond_to_proposal(pokja_blitar, programme, False, now, "Anggaran belum ada")
    assert programme.status == ProgrammeStatus.DECLINED
    assert "Anggaran belum ada" in programme.status_reason
    assert not programme.is_open


def test_pokja_of_an_unrelated_city_cannot_answer_or_read(make_programme, pokja_jayapura, now):
    programme = make_programme()
    with pytest.raises(Forbidden):
        services.respond_to_proposal(pokja_jayapura, programme, True, now)
    with pytest.raises(Forbidden):
        services.ensure_participant(pokja_jayapura, programme)
    assert services.list_programmes(pokja_jayapura) == []


def test_facilitator_records_an_agreement_made_elsewhere(make_programme, facilitator, now):
    programme = make_programme()
    services.record_agreement(facilitator, programme, now, "Rapat 10 Januari")
    assert programme.status == ProgrammeStatus.AGREED
    assert programme.agreement_note == "Rapat 10 Januari"
    with pytest.raises(Conflict):
        services.record_agreement(facilitator, programme, now)


def test_viewers_see_no_programme(make_programme, make_user):
    make_programme()
    assert services.list_programmes(make_user("viewer")) == []


def test_series_starts_at_nine_jakarta_stored_as_two_utc(make_programme, facilitator, now):
    programme = make_programme(agreed=True)
    planned = services.plan_series(facilitator, programme, 6, "2027-01-04T09:00", now,
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
    assert services.session_local_times(stored) == {"35.72": "09:00 WIB", "74.71": "10:00 WITA"}


def test_series_zone_defaults_to_the_mentee(make_programme, facilitator, now):
    # Blitar mentors Kendari here: the mentee is in WITA, so 09:00 means 01:00 UTC.
    programme = make_programme(mentor="35.72", mentee="74.71")
    planned = services.plan_series(facilitator, programme, 1, "2027-01-04T09:00", now)
    assert planned.sessions[0].starts_at == datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
    assert planned.sessions[0].timezone == "Asia/Makassar"


def test_agendas_are_editable(make_programme, facilitator, now):
    programme = make_programme()
    planned = services.plan_series(facilitator, programme, 3, "2027-01-04T09:00", now,
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
        services.plan_series(facilitator, programme, count, first, now, **args)
    assert caught.value.field == field
    db.session.rollback()
    assert _count(ProgrammeSession) == 0


def test_past_start_is_refused_unless_recording_history(make_programme, facilitator, now):
    programme = make_programme()
    with pytest.raises(ValidationError):
        services.plan_series(facilitator, programme, 6, "2020-01-27T09:00", now)
    planned = services.plan_series(facilitator, programme, 6, "2020-01-27T09:00", now,
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
        services.plan_series(facilitator, programme, 6, "2027-01-04T09:00", now)


def test_pokja_cannot_plan(make_programme, pokja_blitar, now):
    programme = make_programme()
    with pytest.raises(Forbidden):
        services.plan_series(pokja_blitar, programme, 6, "2027-01-04T09:00", now)


def test_reschedule_keeps_uid_and_raises_sequence(planned, facilitator, now):
    session = planned.sessions[1]
    uid = session.uid
    services.update_session(facilitator, session, now, starts_at="2027-01-19T13:30")
    assert session.uid == uid
    assert session.sequence == 1
    assert session.starts_at == datetime(2027, 1, 19, 6, 30, tzinfo=UTC)
    services.update_session(facilitator, session, now, agenda="Agenda baru")
    assert session.sequence == 2
    services.update_session(facilitator, session, now, agenda="Agenda baru")
    assert session.sequence == 2  # nothing changed, nothing to tell calendars


def test_reschedule_into_the_past_is_refused(planned, facilitator, now):
    with pytest.raises(ValidationError):
        services.update_session(facilitator, planned.sessions[0], now, starts_at="2020-01-01T09:00")


def test_cancel_session_marks_it_and_raises_sequence(planned, facilitator, now):
    session = planned.sessions[2]
    services.cancel_session(facilitator, session, now, "Libur nasional")
    assert session.status == SessionStatus.CANCELLED
    assert session.sequence == 1
    with pytest.raises(Conflict):
        services.cancel_session(facilitator, session, now)
    with pytest.raises(Conflict):
        services.update_session(facilitator, session, now, agenda="x")


def test_added_session_is_numbered_after_the_series(planned, facilitator, now):
    added = services.add_session(facilitator, planned, "2027-04-01T09:00", now, agenda="Bonus")
    assert added.sessions[0].number == 7
    assert added.sessions[0].agenda == "Bonus"


def test_overlap_with_another_session_of_either_city_warns(planned, make_programme, facilitator, now):
    # Blitar also mentors Jayapura; a session at the same instant is allowed but flagged.
    other = make_programme(mentor="35.72", mentee="91.71", topic="solid_waste")
    result = services.plan_series(facilitator, other, 1, "2027-01-04T12:00", now,
                                  timezone="Asia/Jayapura")
    assert result.sessions[0].starts_at == datetime(2027, 1, 4, 3, 0, tzinfo=UTC)
    assert len(result.warnings) == 1
    assert planned.display_title in result.warnings[0]
    # A session that ends right as another starts (07:30–09:00 WIB, then 09:00) is no overlap.
    touching = services.add_session(facilitator, planned, "2027-01-04T07:30", now)
    assert touching.warnings == []


def test_every_plan_move_and_cancel_syncs_reminders(planned, facilitator, now, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "sync_session_reminders",
                        lambda session, at: calls.append((session.id, session.sequence, at)))
    session = planned.sessions[0]
    services.update_session(facilitator, session, now, starts_at="2027-01-05T09:00")
    services.cancel_session(facilitator, session, now)
    added = services.add_session(facilitator, planned, "2027-05-01T09:00", now)
    assert calls == [(session.id, 1, now), (session.id, 2, now), (added.sessions[0].id, 0, now)]


def test_first_held_session_makes_the_programme_active(planned, pokja_blitar, now):
    session = planned.sessions[0]
    with pytest.raises(ValidationError):
        services.mark_session_held(pokja_blitar, session, now)  # not started yet
    later = session.ends_at + timedelta(minutes=1)
    services.mark_session_held(pokja_blitar, session, later)
    assert session.status == SessionStatus.HELD
    assert planned.status == ProgrammeStatus.ACTIVE


def test_complete_records_the_replication_outcome(planned, facilitator, now):
    with pytest.raises(ValidationError):
        services.complete_programme(facilitator, planned, "adopted", now)
    with pytest.raises(ValidationError):
        services.complete_programme(facilitator, planned, "regulation", now)  # when?
    services.complete_programme(facilitator, planned, "regulation", now, outcome_on="2027-06-01",
                                evidence="Perwali No. 12/2027")
    assert planned.status == ProgrammeStatus.COMPLETED
    assert planned.outcome == "regulation"
    assert planned.outcome_on.date().isoformat() == "2027-06-01"
    # Sessions still ahead are cancelled, so calendars drop them.
    assert all(s.status == SessionStatus.CANCELLED for s in planned.sessions)


def test_cancel_programme_needs_a_reason_and_cancels_planned_sessions(planned, facilitator, now):
    with pytest.raises(ValidationError):
        services.cancel_programme(facilitator, planned, " ", now)
    services.cancel_programme(facilitator, planned, "Kepala daerah berganti", now)
    assert planned.status == ProgrammeStatus.CANCELLED
    assert {s.status for s in planned.sessions} == {SessionStatus.CANCELLED}
    assert {s.sequence for s in planned.sessions} == {1}


def test_pokja_sees_their_next_session(planned, pokja_kendari, pokja_jayapura, now):
    upcoming = services.upcoming_sessions(pokja_kendari, now)
    assert upcoming[0] == planned.sessions[0]
    assert services.upcoming_sessions(pokja_jayapura, now) == []


def test_city_programmes_lists_agreed_to_completed_only(make_programme, planned, kendari, blitar):
    make_programme(mentor="35.72", mentee="74.71")  # proposed: not on the profile yet
    assert services.city_programmes(blitar) == [planned]
    assert services.city_programmes(kendari) == [planned]


def test_calendar_token_can_be_created_and_revoked(pokja_blitar):
    token = services.create_calendar_token(pokja_blitar)
    assert services.user_for_calendar_token(token) == pokja_blitar
    assert services.create_calendar_token(pokja_blitar) != token
    services.revoke_calendar_token(pokja_blitar)
    with pytest.raises(Exception):  # noqa: B017
        services.user_for_calendar_token(token)


def test_partial_unique_index_backs_the_duplicate_check(make_programme, facilitator, now, monkeypatch):
    first = make_programme()
    monkeypatch.setattr(services, "open_programme_for", lambda *args: None)  # a racing request
    with pytest.raises(Conflict):
        services.create_programme(facilitator, "74.71", "35.72", "wastewater", now)
    db.session.rollback()
    assert db.session.scalars(select(Programme)).all() == [first]


def test_declining_cancels_sessions_planned_ahead_of_the_answer(make_programme, facilitator,
                                                                 pokja_blitar, now):
    programme = make_programme()
    services.plan_series(facilitator, programme, 2, "2027-01-04T09:00", now)
    services.respond_to_proposal(pokja_blitar, programme, False, now, "Belum prioritas")
    assert {(s.status, s.sequence) for s in programme.sessions} == {(SessionStatus.CANCELLED, 1)}

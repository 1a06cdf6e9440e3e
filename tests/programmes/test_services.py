"""Programme lifecycle: propose, answer, agree, activate, complete, cancel."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from matchmaker.auth.models import User
from matchmaker.errors import Conflict, Forbidden, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes import access, queries, services, sessions
from matchmaker.programmes.models import Programme, ProgrammeStatus, SessionStatus


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
    assert [c.code for c in queries.waiting_for(programme)] == ["35.72"]
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
        access.ensure_participant(pokja_jayapura, programme)
    assert queries.list_programmes(pokja_jayapura) == []


def test_facilitator_records_an_agreement_made_elsewhere(make_programme, facilitator, now):
    programme = make_programme()
    services.record_agreement(facilitator, programme, now, "Rapat 10 Januari")
    assert programme.status == ProgrammeStatus.AGREED
    assert programme.agreement_note == "Rapat 10 Januari"
    with pytest.raises(Conflict):
        services.record_agreement(facilitator, programme, now)


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
    sessions.plan_series(facilitator, programme, 2, "2027-01-04T09:00", now)
    services.respond_to_proposal(pokja_blitar, programme, False, now, "Belum prioritas")
    assert {(s.status, s.sequence) for s in programme.sessions} == {(SessionStatus.CANCELLED, 1)}


def _race(app, *actions):
    """Run each action in its own thread and app context (its own database session) at once."""
    barrier = threading.Barrier(len(actions))
    outcomes = []

    def run(action):
        with app.app_context():
            try:
                action(barrier)
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return sorted(outcomes)


def test_a_cancel_and_a_decline_at_the_same_moment_exactly_one_wins(app, make_programme, facilitator,
                                                                     pokja_blitar, now):
    programme_id = make_programme().id
    facilitator_id, pokja_id = facilitator.id, pokja_blitar.id

    def cancel(barrier):
        programme = db.session.get(Programme, programme_id)
        actor = db.session.get(User, facilitator_id)
        barrier.wait()
        services.cancel_programme(actor, programme, "Dibatalkan PMU", now)

    def decline(barrier):
        programme = db.session.get(Programme, programme_id)
        actor = db.session.get(User, pokja_id)
        barrier.wait()
        services.respond_to_proposal(actor, programme, False, now, "Belum siap")

    assert _race(app, cancel, decline) == ["conflict", "ok"]
    db.session.expire_all()
    assert db.session.get(Programme, programme_id).status in (ProgrammeStatus.CANCELLED,
                                                              ProgrammeStatus.DECLINED)


def test_both_cities_accepting_at_the_same_moment_makes_it_agreed(app, make_programme, pokja_blitar,
                                                                  pokja_kendari, now):
    programme_id = make_programme().id
    people = [pokja_blitar.id, pokja_kendari.id]

    def accept(user_id):
        def act(barrier):
            programme = db.session.get(Programme, programme_id)
            actor = db.session.get(User, user_id)
            barrier.wait()
            services.respond_to_proposal(actor, programme, True, now)
        return act

    assert _race(app, *(accept(uid) for uid in people)) == ["ok", "ok"]
    db.session.expire_all()
    assert db.session.get(Programme, programme_id).status == ProgrammeStatus.AGREED


def test_a_pokja_cannot_mark_a_session_of_a_proposal_held(make_programme, plan_sessions, pokja_blitar,
                                                          pokja_kendari, now):
    programme = make_programme()
    [session] = plan_sessions(programme, now - timedelta(days=1), now, count=1)
    with pytest.raises(Conflict):
        services.mark_session_held(pokja_kendari, session, now)
    assert programme.status == ProgrammeStatus.PROPOSED
    services.respond_to_proposal(pokja_blitar, programme, False, now, "Belum prioritas")
    assert programme.status == ProgrammeStatus.DECLINED

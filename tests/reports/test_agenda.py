"""What waits on a user: their city's proposals, next sessions, missing notes, open actions."""

from datetime import datetime, timedelta

from matchmaker.extensions import db
from matchmaker.notes import services as notes
from matchmaker.programmes import polls
from matchmaker.programmes import services as programmes
from matchmaker.reports.agenda import agenda_for, home_endpoint, session_times


def test_a_pokja_member_sees_their_citys_unanswered_proposal_until_it_answers(
        make_programme, pokja_blitar, pokja_kendari, pokja_jayapura, now):
    programme = make_programme()
    other = make_programme(mentor="91.71", mentee="74.71", topic="solid_waste")
    assert [p.id for p in agenda_for(pokja_blitar, now).proposals] == [programme.id]
    assert [p.id for p in agenda_for(pokja_kendari, now).proposals] == [programme.id, other.id]
    programmes.respond_to_proposal(pokja_blitar, programme, True, now)
    db.session.commit()
    assert agenda_for(pokja_blitar, now).proposals == []
    assert [p.id for p in agenda_for(pokja_kendari, now).proposals] == [programme.id, other.id]
    assert [p.id for p in agenda_for(pokja_jayapura, now).proposals] == [other.id]


def test_next_sessions_are_the_citys_own_soonest_first_in_the_readers_zone(
        make_programme, plan_sessions, pokja_kendari, pokja_jayapura, now):
    programme = make_programme(agreed=True)
    plan_sessions(programme, datetime(2027, 1, 4, 9, 0), now, count=6, allow_past=False)
    agenda = agenda_for(pokja_kendari, now)
    assert [s.number for s in agenda.next_sessions] == [1, 2, 3, 4, 5]
    assert session_times(agenda.next_sessions[0], pokja_kendari.display_zone) == \
        "2027-01-04 10:00 WITA / 09:00 WIB"
    assert agenda_for(pokja_jayapura, now).next_sessions == []


def test_sessions_without_notes_and_the_citys_open_actions_wait_and_count(
        make_programme, plan_sessions, pokja_blitar, pokja_kendari, now):
    programme = make_programme(agreed=True)
    first, second = plan_sessions(programme, now - timedelta(days=20), now, count=2)
    notes.log_notes(pokja_blitar, first, "Catatan", None, None,
                    [{"text": "Susun draf perwali", "owner_city": "35.72", "due": "2026-11-01"},
                     {"text": "Kirim contoh SOP", "owner_city": "74.71", "due": "2027-03-01"}], now)
    db.session.commit()
    blitar = agenda_for(pokja_blitar, now)
    assert [s.id for s in blitar.notes_missing] == [second.id]
    assert [a.text for a in blitar.open_actions] == ["Susun draf perwali"]
    assert [a.text for a in blitar.overdue_actions] == ["Susun draf perwali"]
    assert blitar.waiting_count == 2  # one session to log, one overdue action
    kendari = agenda_for(pokja_kendari, now)
    assert [a.text for a in kendari.open_actions] == ["Kirim contoh SOP"]
    assert kendari.waiting_count == 1


def test_a_facilitator_sees_their_own_programmes_and_a_viewer_nothing(
        make_programme, plan_sessions, facilitator, make_user, now):
    programme = make_programme(agreed=True)
    plan_sessions(programme, datetime(2027, 1, 4, 9, 0), now, count=2, allow_past=False)
    assert len(agenda_for(facilitator, now).next_sessions) == 2
    assert agenda_for(facilitator, now).proposals == []  # only the cities answer proposals
    assert agenda_for(make_user("facilitator"), now).next_sessions == []
    viewer = agenda_for(make_user("viewer"), now)
    assert (viewer.proposals, viewer.next_sessions, viewer.notes_missing, viewer.open_actions) == \
        ([], [], [], [])


def test_home_is_the_agenda_for_pokja_the_dashboard_for_facilitators_knowledge_for_viewers(
        pokja_blitar, facilitator, make_user):
    assert home_endpoint(pokja_blitar) is None
    assert home_endpoint(facilitator) == "reports.dashboard"
    assert home_endpoint(make_user("admin")) == "reports.dashboard"
    assert home_endpoint(make_user("viewer")) == "notes.knowledge"


def test_open_time_polls_wait_on_the_citys_pokja_until_they_answer(
        make_programme, facilitator, pokja_blitar, pokja_jayapura, now):
    programme = make_programme(agreed=True)
    poll = polls.open_poll(facilitator, programme, ["2027-02-01T09:00", "2027-02-02T09:00"], now,
                           timezone="Asia/Jakarta")
    db.session.commit()
    agenda = agenda_for(pokja_blitar, now)
    assert [(item.poll.id, item.answered) for item in agenda.polls] == [(poll.id, False)]
    assert agenda.waiting_count == 1
    polls.answer_poll(pokja_blitar, poll, [poll.options[0].id], now)
    db.session.commit()
    agenda = agenda_for(pokja_blitar, now)
    assert [(item.poll.id, item.answered) for item in agenda.polls] == [(poll.id, True)]
    assert agenda.waiting_count == 0
    assert agenda_for(pokja_jayapura, now).polls == []

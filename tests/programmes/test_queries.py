"""Reading programmes: who sees which, the next sessions, a city's public programmes."""

from datetime import datetime

from matchmaker.programmes import queries


def test_viewers_see_no_programme(make_programme, make_user):
    make_programme()
    assert queries.list_programmes(make_user("viewer")) == []


def test_pokja_sees_their_next_session(planned, pokja_kendari, pokja_jayapura, now):
    upcoming = queries.upcoming_sessions(pokja_kendari, now)
    assert upcoming[0] == planned.sessions[0]
    assert queries.upcoming_sessions(pokja_jayapura, now) == []


def test_city_programmes_lists_agreed_to_completed_only(make_programme, planned, kendari, blitar):
    make_programme(mentor="35.72", mentee="74.71")  # proposed: not on the profile yet
    assert queries.city_programmes(blitar) == [planned]
    assert queries.city_programmes(kendari) == [planned]


def test_a_session_shares_as_text_with_both_local_times_and_the_meeting_link(planned, make_programme,
                                                                             plan_sessions, now):
    text = queries.session_share_text(planned.sessions[0])
    assert text.splitlines() == [planned.display_title, "Sesi 1: Baseline dan diagnosis",
                                 "Senin, 4 Januari 2027 · 09:00 WIB / 10:00 WITA",
                                 "https://meet.example.id/abc"]
    proposed = make_programme(mentor="91.71", topic="solid_waste")
    session = plan_sessions(proposed, datetime(2027, 1, 5, 9, 0), now, count=1)[0]
    assert "(belum disepakati)" in queries.session_share_text(session)

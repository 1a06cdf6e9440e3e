"""Reading programmes: who sees which, the next sessions, a city's public programmes."""



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

"""Time poll services: opening, answering, choosing (one series), closing, and who may do what."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from matchmaker.errors import Conflict, Forbidden, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes import access, polls
from matchmaker.programmes.models import PollStatus, ProgrammeSession

OPTIONS = ["2027-01-11T09:00", "2027-01-12T09:00", "2027-01-15T11:30"]


def _sessions() -> int:
    return db.session.scalar(select(func.count()).select_from(ProgrammeSession))


@pytest.fixture
def programme(make_programme):
    return make_programme(agreed=True)


@pytest.fixture
def poll(programme, facilitator, now):
    poll = polls.open_poll(facilitator, programme, OPTIONS, now, timezone="Asia/Jakarta")
    db.session.commit()
    return poll


def test_a_poll_has_two_to_eight_future_distinct_options(programme, facilitator, now):
    for options in (OPTIONS[:1], OPTIONS * 3, [OPTIONS[0], OPTIONS[0]], ["2020-01-27T09:00", OPTIONS[1]]):
        with pytest.raises(ValidationError):
            polls.open_poll(facilitator, programme, options, now)
    poll = polls.open_poll(facilitator, programme, OPTIONS[:2], now)
    assert poll.timezone == "Asia/Jakarta" and poll.duration_minutes == 90
    with pytest.raises(Conflict):  # one open poll per programme
        polls.open_poll(facilitator, programme, OPTIONS[:2], now)


def test_only_facilitators_open_polls(programme, pokja_blitar, now):
    with pytest.raises(Forbidden):
        polls.open_poll(pokja_blitar, programme, OPTIONS, now)


def test_only_the_two_cities_pokja_and_facilitators_see_and_only_pokja_answer(
        poll, facilitator, pokja_blitar, pokja_kendari, pokja_jayapura, make_user, now):
    for user in (facilitator, pokja_blitar, pokja_kendari):
        assert access.get_poll(user, poll.id) is poll
    for user in (pokja_jayapura, make_user("viewer")):
        with pytest.raises(Forbidden):
            access.get_poll(user, poll.id)
        with pytest.raises(Forbidden):
            polls.answer_poll(user, poll, [poll.options[0].id], now)
    with pytest.raises(Forbidden):
        polls.answer_poll(facilitator, poll, [poll.options[0].id], now)


def test_answers_are_replaced_and_fits_both_needs_each_city(poll, pokja_blitar, pokja_kendari, now):
    first, second, third = (o.id for o in poll.options)
    polls.answer_poll(pokja_blitar, poll, [first, second], now)
    polls.answer_poll(pokja_blitar, poll, [second, third], now)
    polls.answer_poll(pokja_kendari, poll, [second], now)
    with pytest.raises(ValidationError):
        polls.answer_poll(pokja_kendari, poll, [999_999], now)
    summary = polls.summarise(poll, now, pokja_blitar)
    by_id = {o.id: o for o in summary.options}
    assert by_id[first].available == {"35.72": [], "74.71": []}
    assert by_id[second].available == {"35.72": ["Pokja Blitar"], "74.71": ["Pokja Kendari"]}
    assert [o.id for o in summary.fitting] == [second]
    assert summary.mine == {second, third} and summary.waiting == {"35.72": [], "74.71": []}
    # Friday 15 January 11:30 WIB: the option carries its checks.
    assert {c.code for c in by_id[third].checks} == {"friday_prayer"}
    assert by_id[first].local_times == {"35.72": "2027-01-11 09:00 WIB", "74.71": "2027-01-11 10:00 WITA"}


def test_choosing_plans_exactly_one_series_and_closes_the_poll(poll, facilitator, pokja_blitar, now):
    option = poll.options[1]
    planned = polls.choose_option(facilitator, poll, option.id, now, count=3, interval_days=14)
    db.session.commit()
    assert [s.starts_at for s in planned.sessions][0] == option.starts_at == datetime(
        2027, 1, 12, 2, 0, tzinfo=UTC)
    assert poll.status == PollStatus.CHOSEN and poll.chosen_option_id == option.id
    with pytest.raises(Conflict):
        polls.choose_option(facilitator, poll, option.id, now)
    with pytest.raises(Conflict):
        polls.answer_poll(pokja_blitar, poll, [option.id], now)
    assert _sessions() == 3


def test_a_poll_can_move_one_session_of_a_running_series(programme, facilitator, plan_sessions, now):
    sessions = plan_sessions(programme, datetime(2027, 1, 4, 9, 0), now, count=3, allow_past=False)
    with pytest.raises(Conflict):  # a series exists: a poll is for one of its sessions
        polls.open_poll(facilitator, programme, OPTIONS, now)
    poll = polls.open_poll(facilitator, programme, ["2027-01-19T09:00", "2027-01-20T09:00"], now,
                           session=sessions[1])
    planned = polls.choose_option(facilitator, poll, poll.options[0].id, now)
    assert planned.sessions == [sessions[1]] and sessions[1].sequence == 1
    assert sessions[1].starts_at == datetime(2027, 1, 19, 2, 0, tzinfo=UTC)
    assert _sessions() == 3


def test_closing_a_poll_plans_nothing(poll, facilitator, pokja_blitar, now):
    with pytest.raises(Forbidden):
        polls.close_poll(pokja_blitar, poll, now)
    polls.close_poll(facilitator, poll, now)
    assert poll.status == PollStatus.CLOSED
    with pytest.raises(Conflict):
        polls.choose_option(facilitator, poll, poll.options[0].id, now)
    assert _sessions() == 0

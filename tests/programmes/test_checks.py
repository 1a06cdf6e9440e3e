"""The calendar checks as pure functions: holidays, Friday prayers, office hours, overlaps."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from matchmaker.programmes.checks import (
    Busy,
    Place,
    Rules,
    parse_office_hours,
    parse_window,
    slot_checks,
)

BLITAR = Place("35.72", "Kota Blitar", "Asia/Jakarta")
KENDARI = Place("74.71", "Kota Kendari", "Asia/Makassar")
JAYAPURA = Place("91.71", "Kota Jayapura", "Asia/Jayapura")
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
WIB = "Asia/Jakarta"


@pytest.fixture
def rules():
    return Rules(parse_window("11:30-13:00"),
                 parse_office_hours("mon-thu 07:30-16:00, fri 07:30-16:30"))


def wib(*args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(WIB)).astimezone(UTC)


def check(start, rules, places=(BLITAR, KENDARI), minutes=90, busy=(), number=1):
    return slot_checks(number, start, start + timedelta(minutes=minutes), list(places), rules,
                       list(busy), NOW, WIB)


def test_settings_are_read_into_windows_per_weekday():
    hours = parse_office_hours("mon-thu 07:30-16:00, fri 07:30-16:30")
    assert hours[0] == hours[3] == (time(7, 30), time(16, 0))
    assert hours[4] == (time(7, 30), time(16, 30))
    assert 5 not in hours and 6 not in hours
    with pytest.raises(ValueError):
        parse_window("13:00-11:30")
    with pytest.raises(ValueError):
        parse_office_hours("weekdays 08:00-16:00")


def test_a_quiet_monday_morning_raises_nothing(rules):
    assert check(wib(2027, 1, 4, 9, 0), rules) == []


@pytest.mark.parametrize("year", [2026, 2027, 2028, 2031])
def test_christmas_is_one_holiday_check_with_its_indonesian_name(rules, year):
    found = [c for c in check(wib(year, 12, 25, 9, 0), rules) if c.code == "holiday"]
    assert len(found) == 1
    assert found[0].name == "Hari Raya Natal"
    assert found[0].city is None and found[0].date == date(year, 12, 25)
    suggestion = found[0].suggestion.astimezone(ZoneInfo(WIB))
    assert suggestion.time() == time(9, 0) and suggestion.weekday() < 5
    assert suggestion.date() > date(year, 12, 25)


def test_an_estimated_holiday_says_so(rules):
    (found,) = check(wib(2027, 3, 10, 9, 0), rules)
    assert found.code == "holiday" and "Idul Fitri" in found.name and "perkiraan" in found.name
    assert found.suggestion == wib(2027, 3, 12, 9, 0)  # the 11th is its second day


def test_cuti_bersama_counts_as_a_day_off(rules):
    rules = Rules(rules.friday_prayer, rules.office_hours, {date(2027, 1, 11): "Tahun Baru"})
    (found,) = check(wib(2027, 1, 11, 9, 0), rules)
    assert found.code == "holiday" and found.name == "Cuti bersama: Tahun Baru"
    assert found.suggestion == wib(2027, 1, 12, 9, 0)


def test_friday_1130_wib_clashes_with_friday_prayers_in_both_cities(rules):
    found = check(wib(2027, 1, 8, 11, 30), rules)
    assert {c.code for c in found} == {"friday_prayer"}
    assert {c.city for c in found} == {"35.72", "74.71"}
    # The same time on the next working day is free: Monday.
    assert found[0].suggestion == wib(2027, 1, 11, 11, 30)


def test_1530_wib_is_after_hours_in_jayapura_and_the_check_names_it(rules):
    found = check(wib(2027, 1, 12, 15, 30), rules, places=(BLITAR, JAYAPURA))
    # 90 minutes end after hours in Blitar too; Jayapura is already closed at the start.
    assert [(c.code, c.city) for c in found] == [("outside_office_hours", "35.72"),
                                                 ("outside_office_hours", "91.71")]
    assert "Kota Jayapura" in found[1].message and "17:30 WIT" in found[1].message
    short = check(wib(2027, 1, 12, 15, 30), rules, places=(BLITAR, JAYAPURA), minutes=30)
    assert [(c.code, c.city) for c in short] == [("outside_office_hours", "91.71")]
    # No day at 15:30 WIB fits Jayapura; the nearest time that does on the same day.
    suggestion = found[0].suggestion
    assert suggestion == wib(2027, 1, 12, 12, 30)
    assert check(suggestion, rules, places=(BLITAR, JAYAPURA)) == []


def test_a_weekend_is_outside_office_hours_for_each_city(rules):
    found = check(wib(2027, 1, 9, 9, 0), rules)
    assert sorted(c.city for c in found if c.code == "outside_office_hours") == ["35.72", "74.71"]
    assert found[0].suggestion == wib(2027, 1, 11, 9, 0)


def test_an_overlap_is_named_and_the_suggestion_avoids_it(rules):
    other = Busy(wib(2027, 1, 4, 9, 0), wib(2027, 1, 4, 10, 30), 'sesi 2 program "X"')
    busy_tuesday = Busy(wib(2027, 1, 5, 9, 0), wib(2027, 1, 5, 10, 0), 'sesi 3 program "X"')
    (found,) = check(wib(2027, 1, 4, 10, 0), rules, busy=[other, busy_tuesday])
    assert found.code == "overlap" and found.name == 'sesi 2 program "X"'
    assert found.suggestion == wib(2027, 1, 6, 10, 0)


def test_a_suggestion_is_never_in_the_past(rules):
    late = datetime(2027, 1, 10, tzinfo=UTC)
    found = slot_checks(1, wib(2027, 1, 8, 11, 30), wib(2027, 1, 8, 13, 0), [BLITAR], rules, [],
                        late, WIB)
    assert found[0].suggestion > late

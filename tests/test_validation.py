"""The validation layer: strict types, safe text, bounded numbers and dates, dotted error paths.

Properties run through Hypothesis over arbitrary JSON values and arbitrary Unicode: a field either
returns a value that keeps its promise or raises matchmaker's ValidationError, never anything else.
"""

import re
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchmaker.auth.forms import LoginForm
from matchmaker.errors import ValidationError
from matchmaker.programmes.forms import SeriesForm
from matchmaker.validation import (
    MAX_ID,
    Choice,
    Day,
    Flag,
    Id,
    KemendagriCode,
    List,
    LocalDateTime,
    Nested,
    Number,
    QuerySchema,
    Schema,
    Text,
    Url,
    Whole,
    load,
    load_value,
)

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=8)
ANY_TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=60)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
CONTROL_MULTI = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
FAST = settings(max_examples=300, deadline=None, database=None)


class Row(Schema):
    outcome = Choice(("new_knowledge", "new_action"), required=True)
    due = Day()


class Record(Schema):
    title = Text(max_length=20, allow_blank=False, required=True)
    body = Text(max_length=100, multiline=True)
    count = Whole(minimum=1, maximum=24)
    share = Number(minimum=0, maximum=100)
    need_id = Id(allow_none=True)
    code = KemendagriCode()
    link = Url()
    starts = LocalDateTime()
    past = Flag()
    rows = List(Nested(Row), max_items=3)


def _load_or_invalid(schema, data):
    try:
        return load(schema, data)
    except ValidationError as error:
        assert error.message and error.errors
        assert all(set(item) == {"field", "message"} for item in error.errors)
        return None


@FAST
@given(st.dictionaries(st.sampled_from(["title", "body", "count", "share", "need_id", "code", "link",
                                        "starts", "past", "rows", "other"]), JSON) | JSON)
def test_any_json_either_loads_or_is_a_validation_error(data):
    _load_or_invalid(Record(), data)


@FAST
@given(ANY_TEXT)
def test_single_line_text_never_keeps_control_characters_or_surrogates(text):
    result = _load_or_invalid(Record(), {"title": text})
    if result is not None:
        assert not CONTROL.search(result["title"])
        assert result["title"] == result["title"].strip() and 0 < len(result["title"]) <= 20


@FAST
@given(ANY_TEXT)
def test_multi_line_text_keeps_only_newlines_and_tabs(text):
    result = _load_or_invalid(Record(), {"title": "x", "body": text})
    if result is not None:
        assert not CONTROL_MULTI.search(result["body"]) and "\r" not in result["body"]


@FAST
@given(st.integers() | st.floats() | st.booleans() | st.text(max_size=5))
def test_whole_numbers_and_ids_stay_in_range(value):
    result = _load_or_invalid(Record(), {"title": "x", "count": value, "need_id": value})
    if result is not None:
        assert type(result["count"]) is int and 1 <= result["count"] <= 24
        assert type(result["need_id"]) is int and 1 <= result["need_id"] <= MAX_ID


@FAST
@given(st.text(max_size=30) | st.dates(date(1, 1, 1), date(9999, 12, 31)).map(str)
       | st.datetimes().map(lambda d: d.isoformat(timespec="minutes")))
def test_dates_and_times_stay_in_the_window(value):
    result = _load_or_invalid(Record(), {"title": "x", "starts": value, "rows": [{"outcome": "new_action",
                                                                                   "due": value}]})
    if result is not None:
        assert date(2000, 1, 1) <= result["starts"].date() <= date(2100, 12, 31)
        assert date(2000, 1, 1) <= result["rows"][0]["due"] <= date(2100, 12, 31)


@pytest.mark.parametrize(("data", "field"), [
    ({"title": "x", "count": True}, "count"),
    ({"title": "x", "count": 6.0}, "count"),
    ({"title": "x", "count": "6"}, "count"),
    ({"title": "x", "need_id": 2**31}, "need_id"),
    ({"title": "x", "share": float("nan")}, "share"),
    ({"title": "x", "share": "50"}, "share"),
    ({"title": "x", "past": "yes"}, "past"),
    ({"title": "x", "code": "7471"}, "code"),
    ({"title": "x", "link": "javascript:alert(1)"}, "link"),
    ({"title": "x", "link": "https://"}, "link"),
    ({"title": "x", "starts": "2020-01-27 9:00"}, "starts"),
    ({"title": "x", "starts": "1999-12-31T23:00"}, "starts"),
    ({"title": "   "}, "title"),
    ({"title": ["x"]}, "title"),
    ({}, "title"),
    ({"title": None}, "title"),
    ({"title": "x", "rows": [{"outcome": "new_action"}] * 4}, "rows"),
    ({"title": "x", "rows": {"outcome": "new_action"}}, "rows"),
    ({"title": "x", "rows": [{"outcome": "new_action"}, "row"]}, "rows.1"),
    ({"title": "x", "rows": [{"outcome": "new_action"}, {"outcome": "wisdom", "due": "2020-02-30"}]},
     "rows.1.outcome"),
])
def test_refused_values_name_their_field(data, field):
    with pytest.raises(ValidationError) as caught:
        load(Record(), data)
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")


def test_every_problem_is_listed_with_its_dotted_path():
    with pytest.raises(ValidationError) as caught:
        load(Record(), {"title": "", "rows": [{"outcome": "x", "due": "24-02-2020"}]})
    assert {e["field"] for e in caught.value.errors} == {"title", "rows.0.outcome", "rows.0.due"}


def test_a_body_that_is_not_an_object_has_no_field():
    with pytest.raises(ValidationError) as caught:
        load(Record(), ["title"])
    assert caught.value.field is None and caught.value.errors[0]["field"] is None


def test_good_values_are_cleaned():
    data = load(Record(), {"title": "  L2T2 ", "body": "a\r\nb\tc", "count": 6, "share": 12,
                           "code": "74.71", "link": "https://meet.example.id/x", "past": True,
                           "starts": "2027-01-04T09:00", "unknown": "ignored",
                           "rows": [{"outcome": "new_action", "due": "2027-02-01"}]})
    assert data == {"title": "L2T2", "body": "a\nb\tc", "count": 6, "share": 12.0, "code": "74.71",
                    "link": "https://meet.example.id/x", "past": True,
                    "starts": datetime(2027, 1, 4, 9, 0), "rows": [{"outcome": "new_action",
                                                                    "due": date(2027, 2, 1)}]}


def test_query_strings_drop_blank_parameters_and_read_numbers_from_text():
    class Query(QuerySchema):
        topic = Choice(("wastewater",))
        limit = Whole(minimum=1, maximum=100, from_text=True)

    assert load(Query(), {"topic": "", "limit": "7"}) == {"limit": 7}
    with pytest.raises(ValidationError):
        load(Query(), {"limit": "1" * 40})


def test_messages_are_translated(app):
    from flask_babel import force_locale

    with force_locale("en"), pytest.raises(ValidationError) as caught:
        load(Record(), {"title": "x", "count": 99})
    assert caught.value.message == "count: must be between 1 and 24"
    with force_locale("id"), pytest.raises(ValidationError) as caught:
        load(Record(), {"title": "x", "count": 99})
    assert caught.value.message == "count: harus antara 1 dan 24"


def test_page_form_validator_messages_are_in_the_interface_language(app):
    with app.test_request_context("/", method="POST", data={"count": "100", "email": "x"}):
        series, login = SeriesForm(), LoginForm()
        series.validate()
        login.validate()
    assert series.errors["count"] == ["Angka harus antara 1 dan 24."]
    assert login.errors == {"email": ["Alamat e-mail tidak valid."], "password": ["Isian ini wajib diisi."]}


def test_load_value_names_the_argument_and_the_item_at_fault():
    with pytest.raises(ValidationError) as caught:
        load_value(List(Text(max_length=5)), ["ok", "far too long"], "agendas")
    assert [problem["field"] for problem in caught.value.errors] == ["agendas.1"]
    with pytest.raises(ValidationError) as caught:
        load_value(Whole(minimum=1, maximum=24), 25, "count")
    assert caught.value.field == "count" and "1" in caught.value.message

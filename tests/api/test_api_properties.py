"""Property: no API endpoint answers 500 to any body or query string, and every answer is documented.

Schemathesis reads /api/v1/openapi.json and, for every operation, generates requests that fit the
document (positive) and requests that break it (negative: wrong types, missing fields, values out
of range). Each is sent as a facilitator with a bearer token, once with path ids of a real
programme (so requests reach the services) and once with generated ids. One string of each
generated body or query string also gets a character that once reached the database or an
e-mail header (NUL, CR/LF, a lone surrogate, …): random text rarely contains them, and a valid
request around them is what carries them past the schema to the services. Hypothesis runs with
a fixed seed and a bounded number of examples, so the test is repeatable and quick.
"""

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from matchmaker import validation
from matchmaker.api.views import bp
from matchmaker.auth import services as auth_services
from matchmaker.cities.access import get_city
from matchmaker.cities.services import add_practice
from matchmaker.extensions import db
from matchmaker.notes.services import log_notes
from matchmaker.programmes import polls, sessions
from matchmaker.programmes import services as programmes

# Examples per operation and mode: more with the real programme's ids (they reach the services),
# fewer with generated ids (those mostly end in 404 at the router).
EXAMPLES_REAL_IDS, EXAMPLES_ANY_IDS = 4, 2
SEED = 20260101
CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
NASTY = ["\x00", "\r\n", "\n", "\u2028", "\x7f", "\x85", "\x1b[31m", "\U0001F600", "%_\\", "' OR 1=1 --"]
NASTY_IN_BODIES = NASTY  # lone surrogates: test_bad_input.py sends them as JSON escapes


def _string_paths(value, path=()):
    if isinstance(value, str):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _string_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _string_paths(item, (*path, index))


def _spiced(value, data, nasty: list[str]):
    """The value with one of its strings given a nasty character at a drawn position."""
    paths = list(_string_paths(value))
    if not paths:
        return value
    path = data.draw(st.sampled_from(paths))
    if not path:
        text = value
    else:
        parent = value
        for key in path[:-1]:
            parent = parent[key]
        text = parent[path[-1]]
    at = data.draw(st.integers(0, len(text)))
    spiced = text[:at] + data.draw(st.sampled_from(nasty)) + text[at:]
    if not path:
        return spiced
    parent[path[-1]] = spiced
    return value


@pytest.fixture
def world(app, make_user, now):
    """A facilitator's token and a small programme: sessions, a note, a lesson, an action and a
    time poll."""
    user = make_user("facilitator")
    token = auth_services.issue_api_token(user, now)
    practice = add_practice(user, get_city("74.71"), {"topic": "wastewater", "title": "L2T2",
                                                      "maturity": "institutionalised"}, now)
    programme = programmes.create_programme(user, "74.71", "35.72", "wastewater", now)
    planned = sessions.plan_series(user, programme, 3, now + timedelta(days=7), now)
    session = planned.sessions[0]
    logged = log_notes(user, session, "Catatan", [{"name": "Ibu Sari", "city": "35.72"}],
                       [{"text": "Advokasi kepala daerah", "outcome": "improved_consensus"}],
                       [{"text": "Draf perwali", "owner_city": "35.72", "due": "2027-02-01"}], now)
    poll = polls.open_poll(user, programme, [now + timedelta(days=8), now + timedelta(days=9)], now,
                           session=planned.sessions[1])
    db.session.commit()
    ids = {"code": "74.71", "programme_id": programme.id, "session_id": session.id,
           "poll_id": poll.id,
           "note_id": logged.note.id, "lesson_id": logged.lessons[0].id,
           "action_id": logged.actions[0].id, "practice_id": practice.id}
    return {"Authorization": f"Bearer {token}"}, ids


def _operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


def _assert_documented_error(response) -> None:
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("error"), str) and body.get("message")
    if "errors" in body:
        assert all(set(item) == {"field", "message"} for item in body["errors"])


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_endpoint_answers_500_to_any_body_or_query(app, world, mode):
    headers, ids = world
    problems = []
    for operation in _operations(app):
        names = {p.name for p in operation.path_parameters}
        real_ids = {name: ids[name] for name in names}
        variants = [(real_ids, EXAMPLES_REAL_IDS), (None, EXAMPLES_ANY_IDS)] if names else [
            (None, EXAMPLES_REAL_IDS)]
        for path_parameters, examples in variants:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @seed(SEED)
            @settings(max_examples=examples, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate, Phase.shrink],
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy, data=st.data())
            def check(case, data):
                if data.draw(st.booleans()):
                    if isinstance(case.body, dict | list):
                        case.body = _spiced(case.body, data, NASTY_IN_BODIES)
                    elif case.query:
                        case.query = _spiced(case.query, data, NASTY)
                # The WSGI client does not decompress: ask for the body as it is.
                response = case.call(headers={**headers, "Accept-Encoding": "identity"})
                assert response.status_code < 500, (case.as_curl_command(), response.text)
                if response.status_code >= 400:
                    _assert_documented_error(response)
                case.validate_response(response, checks=CHECKS)

            try:
                check()
            except Exception as error:  # collect every operation's failure, not just the first
                problems.append(f"{operation.label}: {error}")
            db.session.rollback()
    assert problems == [], "\n".join(problems)


VALIDATED = (validation.Text, validation.Whole, validation.Number, validation.Flag, validation.Day,
             validation.LocalDateTime, validation.List, validation.Nested)


def _input_fields(schema, path=""):
    for name, field in schema.fields.items():
        yield f"{path}{name}", field
        inner = field
        while isinstance(inner, validation.List):
            inner = inner.inner
            yield f"{path}{name}[]", inner
        if isinstance(inner, validation.Nested):
            yield from _input_fields(inner.schema, f"{path}{name}.")


def test_every_body_and_query_field_is_a_field_of_the_validation_layer():
    """The fields of validation.py refuse NUL, control characters, lone surrogates and out-of-range
    numbers and dates (tests/test_validation.py); a plain marshmallow field would let them through."""
    declared, loose = 0, []
    for endpoint, methods in bp._docs.items():
        for method, doc in methods.items():
            if method == "parameters":
                continue
            for parameter in doc.get("arguments", {}).get("parameters", []):
                schema = parameter["schema"]
                schema = schema() if isinstance(schema, type) else schema
                assert isinstance(schema, validation.Schema), (endpoint, method)
                for name, field in _input_fields(schema):
                    declared += 1
                    if not isinstance(field, VALIDATED):
                        loose.append(f"{method.upper()} {endpoint}: {name} is {type(field).__name__}")
    assert loose == [] and declared > 80


def test_the_document_describes_every_endpoint_with_its_errors(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"]
        ["bearer"]["description"]}
    operations = [(path, method, op) for path, item in document["paths"].items()
                  for method, op in item.items() if method != "parameters"]
    assert len(operations) == 37  # 27 + five poll + three candidates + me/agenda + GET /notes/ID
    assert {"/api/v1/practices/{practice_id}/candidates", "/api/v1/cities/{code}/candidates"} <= set(
        document["paths"])
    for path, method, op in operations:
        assert "401" in op["responses"], (path, method)
        if method == "patch":
            assert {"409", "412"} <= set(op["responses"]), path
        assert any(code.startswith("2") for code in op["responses"]), (path, method)
        if method in ("post", "put", "patch"):
            assert "requestBody" in op and "400" in op["responses"], (path, method)
    error = document["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"error", "message", "field", "errors"}

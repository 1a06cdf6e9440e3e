"""Idempotency-Key on the API's creating POSTs: a retried request gets the first answer."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from matchmaker.cities.models import Practice
from matchmaker.extensions import db
from matchmaker.programmes.models import Poll, Programme, ProgrammeSession
from tests.api.test_concurrent_edits import bearer, call, server  # noqa: F401

PROGRAMME = {"mentor": "74.71", "mentee": "35.72", "topic": "wastewater"}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_repeat_with_the_same_key_returns_the_first_answer_and_creates_nothing(client, api, make_user):
    facilitator = api(make_user("facilitator"))
    headers = {**facilitator.headers, "Idempotency-Key": "buat-program-1"}
    first = client.post("/api/v1/programmes", json=PROGRAMME, headers=headers)
    again = client.post("/api/v1/programmes", json=PROGRAMME, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert _count(Programme) == 1
    series = {"count": 3, "first_start": "2031-01-06T09:00", "timezone": "Asia/Jakarta"}
    path = f"/api/v1/programmes/{first.json['id']}/series"
    planned = [client.post(path, json=series, headers={**facilitator.headers, "Idempotency-Key": "seri"})
               for _ in range(2)]
    assert planned[0].json == planned[1].json and _count(ProgrammeSession) == 3


def test_the_same_key_with_another_body_is_422_and_changes_nothing(client, api, make_user):
    facilitator = api(make_user("facilitator"))
    headers = {**facilitator.headers, "Idempotency-Key": "k-1"}
    assert client.post("/api/v1/programmes", json=PROGRAMME, headers=headers).status_code == 201
    other = client.post("/api/v1/programmes", json={**PROGRAMME, "mentee": "91.71"}, headers=headers)
    assert other.status_code == 422 and other.json["error"] == "idempotency_key_reused"
    assert _count(Programme) == 1


def test_keys_belong_to_their_user_and_failed_requests_keep_no_key(client, api, make_user):
    city = "74.71"
    record = {"topic": "wastewater", "title": "L2T2", "description": "Sedot tinja terjadwal",
              "maturity": "operational"}
    one, other = api(make_user("pokja", city)), api(make_user("pokja", city))
    bad = client.post(f"/api/v1/cities/{city}/practices", json={**record, "maturity": "x"},
                      headers={**one.headers, "Idempotency-Key": "p"})
    assert bad.status_code == 400
    good = client.post(f"/api/v1/cities/{city}/practices", json=record,
                       headers={**one.headers, "Idempotency-Key": "p"})
    assert good.status_code == 201
    second = client.post(f"/api/v1/cities/{city}/practices", json={**record, "title": "L2T3"},
                         headers={**other.headers, "Idempotency-Key": "p"})
    assert second.status_code == 201 and second.json != good.json
    assert _count(Practice) == 2


def test_simultaneous_repeats_of_one_key_create_one_record(server, make_user):  # noqa: F811
    token = bearer(make_user("facilitator"))
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: call(server, "POST", "/api/v1/programmes", token, PROGRAMME,
                                               {"Idempotency-Key": "sekali"}), range(8)))
    created = [body for status, body in answers if status == 201]
    assert created and all(body == created[0] for body in created)
    assert {status for status, _body in answers} <= {201, 409}
    assert _count(Programme) == 1


def test_a_repeated_poll_opening_opens_one_poll(client, api, make_user):
    facilitator = api(make_user("facilitator"))
    programme_id = facilitator.post("/api/v1/programmes", json=PROGRAMME).json["id"]
    poll = {"options": ["2031-02-03T09:00", "2031-02-04T09:00"], "timezone": "Asia/Jakarta",
            "duration_minutes": 90}
    headers = {**facilitator.headers, "Idempotency-Key": "jajak-1"}
    answers = [client.post(f"/api/v1/programmes/{programme_id}/polls", json=poll, headers=headers)
               for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 201], answers[0].json
    assert answers[0].json == answers[1].json
    assert _count(Poll) == 1

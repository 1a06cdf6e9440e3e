"""The guard against a form sent twice: one nonce, one run of the view."""

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.programmes.models import ProgrammeSession

SESSION = {"starts_at": "2027-01-04T09:00", "timezone": "Asia/Jakarta", "duration_minutes": "90"}


def _sessions() -> int:
    return db.session.scalar(select(func.count()).select_from(ProgrammeSession))


def test_a_form_sent_twice_with_its_nonce_runs_once(client, login, make_programme, facilitator):
    programme = make_programme()
    login(facilitator)
    url = f"/programmes/{programme.id}/sessions"
    first = client.post(url, data={**SESSION, "form_nonce": "n-1"})
    assert first.status_code == 303
    again = client.post(url, data={**SESSION, "form_nonce": "n-1"},
                        headers={"Referer": f"http://localhost/programmes/{programme.id}"})
    assert again.status_code == 303 and again.location == f"/programmes/{programme.id}"
    assert _sessions() == 1
    assert "sudah dikirim" in client.get(again.location).text
    client.post(url, data={**SESSION, "form_nonce": "n-2"})  # a new submission is a new form
    assert _sessions() == 2


def test_a_repeat_is_sent_back_to_this_site_only(client, login, make_programme, facilitator):
    programme = make_programme()
    login(facilitator)
    url = f"/programmes/{programme.id}/sessions"
    client.post(url, data={**SESSION, "form_nonce": "n-1"})
    again = client.post(url, data={**SESSION, "form_nonce": "n-1"},
                        headers={"Referer": "https://evil.example/phish"})
    assert again.location == "/"


def test_json_requests_are_not_touched(api, make_programme, make_user):
    programme = make_programme()
    facilitator = api(make_user("facilitator"))
    body = {"starts_at": "2027-01-04T09:00", "form_nonce": "n-1"}
    for _ in range(2):
        assert facilitator.post(f"/api/v1/programmes/{programme.id}/sessions", json=body).status_code == 201

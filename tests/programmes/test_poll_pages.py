"""The poll pages: the facilitator opens a poll, Pokja mark slots, the facilitator chooses."""

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.programmes.models import Poll, PollStatus, ProgrammeSession


def _open(client, programme, options=("2027-01-11T09:00", "2027-01-12T09:00", "2027-01-15T11:30")):
    data = {"timezone": "Asia/Jakarta", "duration_minutes": 90, "session_id": ""}
    data.update({f"options-{i}": value for i, value in enumerate(options)})
    return client.post(f"/programmes/{programme.id}/polls/new", data=data)


def test_the_poll_flow_through_the_pages(client, login, facilitator, pokja_blitar, pokja_kendari,
                                         pokja_jayapura, make_programme):
    programme = make_programme(agreed=True)
    login(facilitator)
    assert "Buat jajak waktu" in client.get(f"/programmes/{programme.id}").text
    response = _open(client, programme)
    assert response.status_code == 303
    poll = db.session.scalar(select(Poll))
    assert len(poll.options) == 3
    first, second, third = (o.id for o in poll.options)

    login(pokja_jayapura)
    assert client.get(f"/polls/{poll.id}").status_code == 403
    assert client.post(f"/polls/{poll.id}/answer", data={"available": [first]}).status_code == 403

    login(pokja_blitar)
    page = client.get(f"/polls/{poll.id}").text
    assert page.count('name="available"') == 3 and 'data-code="friday_prayer"' in page
    assert "Pilih waktu ini" not in page
    client.post(f"/polls/{poll.id}/answer", data={"available": [first, second]})
    login(pokja_kendari)
    client.post(f"/polls/{poll.id}/answer", data={"available": [second]})
    assert client.post(f"/polls/{poll.id}/choose", data={"option": second}).status_code == 403

    login(facilitator)
    page = client.get(f"/polls/{poll.id}").text
    assert f'data-option="{second}" data-fits-both="true"' in page
    assert f'data-option="{first}" data-fits-both="false"' in page
    assert "Pokja Blitar" in page and "Pokja Kendari" in page
    response = client.post(f"/polls/{poll.id}/choose",
                           data={"option": second, "count": 4, "interval_days": 14})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Poll, poll.id).status == PollStatus.CHOSEN
    assert db.session.scalar(select(func.count()).select_from(ProgrammeSession)) == 4
    client.post(f"/polls/{poll.id}/choose", data={"option": first})
    assert db.session.scalar(select(func.count()).select_from(ProgrammeSession)) == 4


def test_a_poll_needs_two_options_and_pokja_cannot_open_one(client, login, facilitator,
                                                              pokja_blitar, make_programme):
    programme = make_programme(agreed=True)
    login(pokja_blitar)
    assert client.get(f"/programmes/{programme.id}/polls/new").status_code == 403
    login(facilitator)
    response = _open(client, programme, options=("2027-01-11T09:00",))
    assert response.status_code == 200 and "2 sampai 8" in response.text
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0

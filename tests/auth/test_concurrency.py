"""Sign-in and links under real concurrency: a threaded server, real sockets, the real database."""

import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from werkzeug.serving import make_server

from matchmaker.auth import services
from matchmaker.extensions import db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(5)


@pytest.fixture
def counted_checks(monkeypatch):
    """Count password checks; each takes 50 ms, like a real hash, so racing requests overlap."""
    checks = []
    lock = threading.Lock()
    real = services.check_password_hash

    def check(stored, password):
        with lock:
            checks.append(password)
        time.sleep(0.05)
        return real(stored, password)

    monkeypatch.setattr(services, "check_password_hash", check)
    return checks


def post(port: int, path: str, fields: dict, source: str = "127.0.0.1") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=(source, 0))
    try:
        connection.request("POST", path, body=urlencode(fields),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
        return connection.getresponse().status
    finally:
        connection.close()


def test_parallel_wrong_passwords_make_at_most_the_configured_number_of_checks(
        app, server, make_user, counted_checks):
    email = make_user("viewer").email
    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(lambda _: post(server, "/login", {"email": email, "password": "guess"}),
                                 range(32)))
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert len(counted_checks) == limit
    assert sorted(statuses) == [401] * limit + [429] * (32 - limit)


def test_a_burst_from_one_address_does_not_lock_out_users_at_other_addresses(
        app, server, make_user, counted_checks):
    victim, bystander = make_user("viewer").email, make_user("viewer").email
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda i: post(server, "/login", {"email": (victim, bystander)[i % 2],
                                                        "password": "guess"}, "127.0.0.5"), range(40)))
    assert post(server, "/login", {"email": victim, "password": PASSWORD}, "127.0.0.6") == 302
    assert post(server, "/login", {"email": bystander, "password": PASSWORD}, "127.0.0.7") == 302


def test_of_two_simultaneous_uses_of_one_link_exactly_one_wins(app, server, make_user, now):
    user = services.create_user("dua-kali@example.id", "viewer")
    token = services.create_password_link(user, now)
    other = services.create_password_link(user, now)
    db.session.commit()
    paths = [f"/set-password/{token}"] * 4 + [f"/set-password/{other}"] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda i: post(server, paths[i], {"password": f"kata-sandi-ke-{i}",
                                                                   "confirm": f"kata-sandi-ke-{i}"}),
                                 range(8)))
    assert statuses.count(302) == 1 and statuses.count(404) == 7

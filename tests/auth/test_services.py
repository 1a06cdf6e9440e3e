import pytest

from config import Config
from matchmaker.auth import services
from matchmaker.auth.models import ApiToken
from matchmaker.errors import Conflict, NotFound, ValidationError
from matchmaker.extensions import db


def test_production_hash_is_at_least_pbkdf2_sha256_600k():
    method, digest, rounds = Config.PASSWORD_HASH_METHOD.split(":")
    assert (method, digest) == ("pbkdf2", "sha256") and int(rounds) >= 600_000


def test_password_is_stored_hashed(app, make_user):
    user = make_user("viewer")
    assert user.password_hash.startswith("pbkdf2:sha256:")
    assert "correct-horse" not in user.password_hash


def test_pokja_needs_a_city(app):
    with pytest.raises(ValidationError) as error:
        services.create_user("p@example.id", "pokja")
    assert error.value.field == "city"


def test_pokja_with_unknown_city_is_refused(app):
    with pytest.raises(NotFound):
        services.create_user("p@example.id", "pokja", city_code="99.99")


def test_duplicate_email_is_a_conflict(app, make_user):
    make_user("viewer", email="same@example.id")
    with pytest.raises(Conflict):
        services.create_user("SAME@example.id", "viewer")


def test_failed_sign_ins_are_rate_limited_per_account(app, make_user, now):
    user = make_user("viewer")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert services.authenticate(user.email, "wrong", "10.0.0.1", now) is None
    with pytest.raises(services.TooManyAttempts):
        services.authenticate(user.email, "correct-horse-battery", "10.0.0.2", now)


def test_failed_sign_ins_are_rate_limited_per_address(app, make_user, now):
    limit = app.config["LOGIN_MAX_FAILURES"] * 4
    for i in range(limit):
        services.authenticate(f"nobody{i}@example.id", "wrong", "10.0.0.9", now)
    user = make_user("viewer")
    with pytest.raises(services.TooManyAttempts):
        services.authenticate(user.email, "correct-horse-battery", "10.0.0.9", now)
    assert services.authenticate(user.email, "correct-horse-battery", "10.0.0.8", now) == user


def test_password_link_is_one_time(app, make_user, now):
    user = services.create_user("new@example.id", "viewer")
    token = services.create_password_link(user, now)
    services.use_password_link(token, "a-long-new-password", now)
    db.session.commit()
    assert services.authenticate("new@example.id", "a-long-new-password", "1.1.1.1", now) == user
    with pytest.raises(NotFound):
        services.use_password_link(token, "another-password!", now)


def test_api_token_is_stored_hashed_and_resolves(app, make_user, now):
    user = make_user("viewer")
    token = services.issue_api_token(user)
    db.session.commit()
    assert db.session.scalar(db.select(ApiToken.token_hash)) != token
    assert services.user_for_token(token, now) == user
    assert services.user_for_token(token + "x", now) is None

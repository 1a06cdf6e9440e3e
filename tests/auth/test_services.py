from contextlib import suppress
from datetime import timedelta

import pytest
from werkzeug.security import check_password_hash

from config import Config
from matchmaker.auth import services
from matchmaker.auth.models import ApiToken, PasswordLink, Throttle, UserSession
from matchmaker.errors import Conflict, NotFound, ValidationError
from matchmaker.extensions import db

PASSWORD = "correct-horse-battery"


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


# ---------------------------------------------------------------- passwords

@pytest.mark.parametrize("password", ["password1234", "qwertyuiop", "1234567890", "iloveyou12"])
def test_common_passwords_are_refused(app, password):
    assert password in services.common_passwords()
    with pytest.raises(ValidationError) as error:
        services.create_user("new@example.id", "viewer", password=password)
    assert error.value.field == "password"


def test_short_repetitive_and_email_passwords_are_refused(app):
    assert services.password_problem("short") is not None
    assert services.password_problem("abababababab") is not None
    assert services.password_problem("budi.santoso-2026", "budi.santoso@blitar.go.id") is not None
    assert services.password_problem("Kendari-L2T2-sejak-2016", "budi@blitar.go.id") is None


# ---------------------------------------------------------------- sign-in throttling

def test_five_wrong_passwords_from_one_address_back_off_that_address_only(app, make_user, now):
    user = make_user("viewer")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert services.authenticate(user.email, "wrong", "10.0.0.1", now) is None
    db.session.commit()
    with pytest.raises(services.TooManyAttempts) as error:
        services.authenticate(user.email, PASSWORD, "10.0.0.1", now)
    assert error.value.retry_after == app.config["LOGIN_BACKOFF_SECONDS"]
    # The owner, somewhere else, is not locked out.
    assert services.authenticate(user.email, PASSWORD, "10.0.0.2", now) == user


def test_back_off_grows_and_a_quiet_window_forgets(app, make_user, now):
    user = make_user("viewer")
    config = app.config
    for _ in range(config["LOGIN_MAX_FAILURES"]):
        services.authenticate(user.email, "wrong", "10.0.0.1", now)
    later = now + timedelta(seconds=config["LOGIN_BACKOFF_SECONDS"])
    assert services.authenticate(user.email, "wrong", "10.0.0.1", later) is None
    with pytest.raises(services.TooManyAttempts) as error:
        services.authenticate(user.email, PASSWORD, "10.0.0.1", later)
    assert error.value.retry_after == config["LOGIN_BACKOFF_SECONDS"] * config["LOGIN_BACKOFF_MULTIPLIER"]
    quiet = later + timedelta(seconds=config["LOGIN_WINDOW_SECONDS"] + config["LOGIN_BACKOFF_MAX_SECONDS"])
    assert services.authenticate(user.email, PASSWORD, "10.0.0.1", quiet) == user


def test_refused_attempts_never_reach_the_password_check(app, make_user, now, monkeypatch):
    user = make_user("viewer")
    checks = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda h, p: checks.append(p) or real(h, p))
    for _ in range(12):
        with suppress(services.TooManyAttempts):
            services.authenticate(user.email, "wrong", "10.0.0.1", now)
    assert len(checks) == app.config["LOGIN_MAX_FAILURES"]


def test_failures_spread_over_addresses_slow_the_account_but_not_a_known_device(app, make_user, now):
    user = make_user("viewer")
    limit = app.config["LOGIN_ACCOUNT_MAX_FAILURES"]
    for i in range(limit):
        services.authenticate(user.email, "wrong", f"10.1.0.{i}", now)
    with pytest.raises(services.TooManyAttempts):
        services.authenticate(user.email, PASSWORD, "10.9.9.9", now)
    assert services.authenticate(user.email, PASSWORD, "10.9.9.9", now, device="owner-laptop") == user


def test_failures_from_a_shared_address_do_not_lock_other_accounts(app, make_user, now):
    user = make_user("viewer")
    for i in range(20):
        services.authenticate(f"nobody{i}@example.id", "wrong", "10.0.0.9", now)
    assert services.authenticate(user.email, PASSWORD, "10.0.0.9", now) == user


def test_one_address_spraying_many_accounts_is_slowed(app, make_user, now):
    limit = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    for i in range(limit):
        services.authenticate(f"target{i}@example.id", "password123", "10.0.0.66", now)
    with pytest.raises(services.TooManyAttempts):
        services.authenticate("another@example.id", "password123", "10.0.0.66", now)


def test_unknown_and_disabled_accounts_cost_one_hash_check_like_real_ones(app, make_user, now, monkeypatch):
    disabled = make_user("viewer")
    disabled.is_enabled = False
    db.session.commit()
    checks = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda h, p: checks.append(h) or real(h, p))
    assert services.authenticate("nobody@example.id", PASSWORD, "10.0.0.1", now) is None
    assert services.authenticate(disabled.email, PASSWORD, "10.0.0.1", now) is None
    assert len(checks) == 2
    method = app.config["PASSWORD_HASH_METHOD"]
    assert all(h.startswith(method + "$") for h in checks)


def test_throttle_rows_store_no_email(app, make_user, now):
    services.authenticate("secret.person@example.id", "wrong", "10.0.0.1", now)
    keys = db.session.scalars(db.select(Throttle.key_hash)).all()
    assert len(keys) == 3 and not any("secret" in key for key in keys)


def test_old_throttle_rows_are_pruned(app, now):
    services.authenticate("someone@example.id", "wrong", "10.0.0.1", now - timedelta(days=2))
    services.authenticate("someone@example.id", "wrong", "10.0.0.1", now)
    db.session.commit()
    services.prune_throttles(now + timedelta(hours=2))
    assert db.session.scalar(db.select(db.func.count()).select_from(Throttle)) == 0


# ---------------------------------------------------------------- sessions

def test_a_session_ends_alone_and_logout_everywhere_ends_the_rest(app, make_user, now):
    user = make_user("viewer")
    first = services.start_session(user, "10.0.0.1", "phone", now)
    second = services.start_session(user, "10.0.0.2", "laptop", now)
    third = services.start_session(user, "10.0.0.3", "office", now)
    services.end_session(services.user_for_session(first, now), now)
    assert services.user_for_session(first, now) is None
    assert services.user_for_session(second, now) == user
    services.end_all_sessions(services.user_for_session(second, now), now)
    assert services.user_for_session(second, now) is None
    assert services.user_for_session(third, now) is None


def test_sessions_expire_and_die_with_a_disabled_account(app, make_user, now):
    admin, user = make_user("admin"), make_user("viewer")
    token = services.start_session(user, "10.0.0.1", "", now)
    lifetime = timedelta(days=app.config["SESSION_LIFETIME_DAYS"])
    assert services.user_for_session(token, now + lifetime) is None
    services.set_user_enabled(admin, user, False, now)
    services.set_user_enabled(admin, user, True, now)
    assert services.user_for_session(token, now) is None


def test_a_password_change_ends_other_sessions_and_every_token(app, make_user, now):
    user = make_user("viewer")
    here = services.start_session(user, "10.0.0.1", "", now)
    elsewhere = services.start_session(user, "10.0.0.2", "", now)
    api_token = services.issue_api_token(user, now, "script")
    link = services.create_password_link(user, now)
    services.change_password(services.user_for_session(here, now), PASSWORD, "a-brand-new-secret", now)
    assert services.user_for_session(here, now) == user
    assert services.user_for_session(elsewhere, now) is None
    assert services.user_for_token(api_token, now) is None
    with pytest.raises(NotFound):
        services.use_password_link(link, "yet-another-secret", now)


def test_wrong_current_password_changes_nothing(app, make_user, now):
    user = make_user("viewer")
    with pytest.raises(ValidationError) as error:
        services.change_password(user, "not-it", "a-brand-new-secret", now)
    assert error.value.field == "current_password"
    assert check_password_hash(user.password_hash, PASSWORD)


# ---------------------------------------------------------------- links

def test_password_link_is_one_time(app, make_user, now):
    user = services.create_user("new@example.id", "viewer")
    token = services.create_password_link(user, now)
    services.use_password_link(token, "a-long-new-password", now)
    db.session.commit()
    assert services.authenticate("new@example.id", "a-long-new-password", "1.1.1.1", now) == user
    with pytest.raises(NotFound):
        services.use_password_link(token, "another-password!", now)


def test_using_one_link_spends_every_other_open_link(app, now):
    user = services.create_user("new@example.id", "viewer")
    shown = services.create_password_link(user, now)
    mailed = services.create_password_link(user, now)
    services.use_password_link(shown, "a-long-new-password", now)
    db.session.commit()
    with pytest.raises(NotFound):
        services.use_password_link(mailed, "a-different-password", now)
    assert all(link.used_at is not None for link in db.session.scalars(db.select(PasswordLink)))


def test_a_refused_password_leaves_the_link_usable(app, now):
    user = services.create_user("new@example.id", "viewer")
    token = services.create_password_link(user, now)
    with pytest.raises(ValidationError):
        services.use_password_link(token, "password123", now)
    assert services.use_password_link(token, "a-long-new-password", now) == user


def test_links_expire(app, now):
    user = services.create_user("new@example.id", "viewer")
    token = services.create_password_link(user, now)
    later = now + timedelta(hours=app.config["SET_PASSWORD_TOKEN_HOURS"])
    with pytest.raises(NotFound):
        services.use_password_link(token, "a-long-new-password", later)


def test_reset_requests_are_counted_the_same_for_known_and_unknown_addresses(app, make_user, now):
    user = make_user("viewer")
    limit = app.config["RESET_MAX_PER_EMAIL"]
    for _ in range(limit):
        assert services.request_password_reset(user.email, "10.0.0.1", now) == user
        assert services.request_password_reset("nobody@example.id", "10.0.0.2", now) is None
    for email, address in ((user.email, "10.0.0.1"), ("nobody@example.id", "10.0.0.2")):
        with pytest.raises(services.TooManyAttempts):
            services.request_password_reset(email, address, now)


# ---------------------------------------------------------------- API tokens

def test_api_token_is_stored_hashed_and_resolves(app, make_user, now):
    user = make_user("viewer")
    token = services.issue_api_token(user, now, "script")
    db.session.commit()
    assert db.session.scalar(db.select(ApiToken.token_hash)) != token
    assert services.user_for_token(token, now) == user
    assert services.user_for_token(token + "x", now) is None


def test_api_tokens_expire_after_the_configured_days(app, make_user, now):
    user = make_user("viewer")
    token = services.issue_api_token(user, now, "script")
    days = app.config["API_TOKEN_DAYS"]
    assert days == 90
    assert services.user_for_token(token, now + timedelta(days=days) - timedelta(seconds=1)) == user
    assert services.user_for_token(token, now + timedelta(days=days)) is None
    with pytest.raises(ValidationError):
        services.issue_api_token(user, now, "forever", days=10_000)


def test_only_the_owner_revokes_a_token(app, make_user, now):
    owner, other = make_user("viewer"), make_user("viewer")
    token = services.issue_api_token(owner, now, "script")
    row = db.session.scalar(db.select(ApiToken))
    with pytest.raises(NotFound):
        services.revoke_api_token(other, row.id, now)
    services.revoke_api_token(owner, row.id, now)
    assert services.user_for_token(token, now) is None


def test_touch_writes_last_use_at_most_once_per_period(app, make_user, now):
    user = make_user("viewer")
    services.start_session(user, "", "", now)
    row = db.session.scalar(db.select(UserSession))
    db.session.commit()
    period = timedelta(seconds=app.config["TOKEN_TOUCH_SECONDS"])
    soon, later = now + period / 2, now + period
    assert not services.needs_touch(row.last_seen_at, soon)
    assert db.session.execute(services.touch_statement(UserSession, row.id, soon)).rowcount == 0
    assert db.session.execute(services.touch_statement(UserSession, row.id, later)).rowcount == 1
    assert db.session.execute(services.touch_statement(UserSession, row.id, later)).rowcount == 0


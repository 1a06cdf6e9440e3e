import re
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlparse

from matchmaker.auth import services
from matchmaker.auth.models import ApiToken
from matchmaker.extensions import db
from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.timeutils import utcnow


def test_admin_creates_a_user_and_the_link_lets_them_set_a_password(client, make_user, login, app):
    login(make_user("admin"))
    response = client.post("/admin/users", data={"email": "baru@kendari.go.id", "name": "Baru",
                                                 "role": "pokja", "city": "74.71", "language": "id"})
    assert response.status_code == 200
    link = response.text.split('id="set-password-link">')[1].split("<")[0]
    client.post("/logout")
    assert link.startswith(app.config["BASE_URL"] + "/set-password/")  # the same link as the e-mail's
    path = urlparse(link).path
    done = client.post(path, data={"password": "kata-sandi-baru", "confirm": "kata-sandi-baru"})
    assert done.status_code == 302
    user = services.get_user_by_email("baru@kendari.go.id")
    assert user.city.code == "74.71" and user.password_hash
    assert client.post(path, data={"password": "lagi-lagi-lagi", "confirm": "lagi-lagi-lagi"}
                       ).status_code == 404


def test_admin_form_shows_field_errors(client, make_user, login):
    login(make_user("admin"))
    response = client.post("/admin/users", data={"email": "x@y.id", "role": "pokja", "language": "id"})
    assert "Anggota Pokja harus terikat pada satu kota." in response.text


def test_new_user_form_starts_on_viewer_and_picks_the_pokja_city_by_name(client, make_user, login):
    login(make_user("admin"))
    html = client.get("/admin/users").text
    role = html[html.index('name="role"'):].split("</select>")[0]
    assert re.search(r'<option selected value="viewer">', role)
    assert "admin" in role and not re.search(r'selected value="admin"', role)
    city = html[html.index('name="city"'):].split("</select>")[0]
    assert '<option value="72.71">Kota Palu (Sulawesi Tengah)</option>' in city
    client.post("/admin/users", data={"email": "pokja@palu.go.id", "role": "pokja", "city": "72.71",
                                      "language": "id"})
    assert services.get_user_by_email("pokja@palu.go.id").city.name == "Kota Palu"


def test_only_admins_see_the_user_page(client, make_user, login):
    login(make_user("facilitator"))
    assert client.get("/admin/users").status_code == 403


def test_change_password(client, make_user, login, now):
    user = make_user("viewer")
    login(user)
    response = client.post("/account", data={"pw-current_password": "correct-horse-battery",
                                             "pw-password": "a-brand-new-one", "pw-confirm":
                                             "a-brand-new-one", "pw-submit": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert services.authenticate(user.email, "a-brand-new-one", "1.2.3.4", now) is not None


def test_next_parameter_cannot_redirect_off_site(client, make_user):
    user = make_user("viewer")
    response = client.post("/login?next=https://evil.example/", data={
        "email": user.email, "password": "correct-horse-battery"})
    assert response.headers["Location"] == "/"


def test_a_new_account_gets_its_set_password_link_by_email_once(client, make_user, login, app, now):
    login(make_user("admin"))
    client.post("/admin/users", data={"email": "surel@blitar.go.id", "role": "pokja",
                                      "city": "35.72", "language": "en"})
    client.post("/logout")
    first = send_due_reminders(utcnow())
    assert send_due_reminders(utcnow()).sent == 0
    assert first.sent == 1
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    message = message_from_bytes(max(outbox.glob("reminder-*.eml"),
                                     key=lambda p: p.stat().st_mtime).read_bytes())
    assert message["To"] == "surel@blitar.go.id"
    assert message["Subject"] == "Your Matchmaker account: set your password"
    body = message.get_payload()[0].get_payload(decode=True).decode()
    path = re.search(r"/set-password/[\w-]+", body).group(0)
    done = client.post(path, data={"password": "dari-email-saja", "confirm": "dari-email-saja"})
    assert done.status_code == 302
    db.session.expire_all()
    assert services.authenticate("surel@blitar.go.id", "dari-email-saja", "1.1.1.1", now)


# ---------------------------------------------------------------- sessions you can end

def _session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_logout_is_post_only_and_a_replayed_cookie_is_refused(client, make_user, login):
    login(make_user("viewer"))
    saved = _session_cookie(client)
    assert client.get("/logout").status_code == 200  # a page with the button, nothing ended
    assert client.get("/account").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/account").status_code == 302
    client.set_cookie("session", saved)
    assert client.get("/account").status_code == 302


def test_logout_everywhere_ends_the_other_browsers_too(app, make_user, login):
    user = make_user("viewer")
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    login(user).post("/logout", data={"everywhere": "1"})
    assert other.get("/account").status_code == 302


def test_a_password_change_ends_other_sessions_and_tokens_but_not_this_one(app, client, make_user, login,
                                                                           api):
    user = make_user("viewer")
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    scripted = api(user)
    assert scripted.get("/api/v1/cities/74.71").status_code == 200
    login(user).post("/account", data={"pw-current_password": "correct-horse-battery",
                                       "pw-password": "a-brand-new-one", "pw-confirm": "a-brand-new-one",
                                       "pw-submit": "1"})
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert scripted.get("/api/v1/cities/74.71").status_code == 401


def test_disabling_a_user_ends_their_session(app, client, make_user, login):
    user = make_user("viewer")
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    login(make_user("admin")).post(f"/admin/users/{user.id}/enabled", data={"enabled": "0"})
    client.post(f"/admin/users/{user.id}/enabled", data={"enabled": "1"})
    assert other.get("/account").status_code == 302


# ---------------------------------------------------------------- sign-in throttling on the page

def test_too_many_failures_answer_429_with_retry_after(client, make_user, app):
    user = make_user("viewer")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert client.post("/login", data={"email": user.email, "password": "wrong"}).status_code == 401
    response = client.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) == app.config["LOGIN_BACKOFF_SECONDS"]


def test_a_browser_that_signed_in_before_is_not_locked_out_by_strangers(app, make_user):
    user = make_user("viewer")
    owner = app.test_client()
    owner.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    owner.post("/logout")
    assert owner.get_cookie(app.config["DEVICE_COOKIE_NAME"]) is not None
    stranger = app.test_client()
    for i in range(app.config["LOGIN_ACCOUNT_MAX_FAILURES"]):  # a botnet: one guess per address
        stranger.post("/login", data={"email": user.email, "password": "guess"},
                      environ_base={"REMOTE_ADDR": f"10.6.6.{i}"})
    assert stranger.post("/login", data={"email": user.email, "password": "correct-horse-battery"},
                         environ_base={"REMOTE_ADDR": "10.7.7.7"}).status_code == 429
    assert owner.post("/login", data={"email": user.email, "password": "correct-horse-battery"},
                      environ_base={"REMOTE_ADDR": "10.7.7.7"}).status_code == 302


# ---------------------------------------------------------------- links and self-service reset

def _last_mail(app):
    outbox = Path(app.config["MAIL_OUTBOX_DIR"])
    newest = max(outbox.glob("reminder-*.eml"), key=lambda p: p.stat().st_mtime)
    return message_from_bytes(newest.read_bytes())


def _mail_body(message) -> str:
    return message.get_payload()[0].get_payload(decode=True).decode()


def test_the_emailed_link_dies_when_the_shown_one_is_used(client, make_user, login, app):
    login(make_user("admin"))
    response = client.post("/admin/users", data={"email": "dua@kendari.go.id", "role": "viewer",
                                                 "language": "id"})
    shown = urlparse(response.text.split('id="set-password-link">')[1].split("<")[0]).path
    client.post("/logout")
    assert send_due_reminders(utcnow()).sent == 1
    mailed = re.search(r"/set-password/[\w-]+", _mail_body(_last_mail(app))).group(0)
    assert client.post(shown, data={"password": "kata-sandi-baru", "confirm": "kata-sandi-baru"}
                       ).status_code == 302
    client.post("/logout")
    assert client.get(mailed).status_code == 404
    assert client.post(mailed, data={"password": "punya-penyerang", "confirm": "punya-penyerang"}
                       ).status_code == 404


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, make_user, app):
    user = make_user("viewer")
    known = client.post("/forgot-password", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/forgot-password", data={"email": "nobody@example.id"}, follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(user.email, "") == unknown.text.replace("nobody@example.id", "")
    assert send_due_reminders(utcnow()).sent == 1
    message = _last_mail(app)
    assert message["To"] == user.email and message["X-Matchmaker-Kind"] == "account"
    assert "atur ulang" in message["Subject"]


def test_a_reset_link_sets_a_new_password_and_ends_the_old_sessions(app, client, make_user):
    user = make_user("viewer")
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": "correct-horse-battery"})
    client.post("/forgot-password", data={"email": user.email})
    client.post("/forgot-password", data={"email": user.email})  # one pending mail serves both
    assert send_due_reminders(utcnow()).sent == 1
    path = re.search(r"/set-password/[\w-]+", _mail_body(_last_mail(app))).group(0)
    assert client.post(path, data={"password": "password123", "confirm": "password123"}).status_code == 200
    done = client.post(path, data={"password": "lupa-tapi-ingat-lagi", "confirm": "lupa-tapi-ingat-lagi"})
    assert done.status_code == 302
    assert other.get("/account").status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": "correct-horse-battery"}
                       ).status_code == 401
    assert client.post("/login", data={"email": user.email, "password": "lupa-tapi-ingat-lagi"}
                       ).status_code == 302


def test_the_login_page_links_to_the_reset_page(client):
    assert 'href="/forgot-password"' in client.get("/login").text


# ---------------------------------------------------------------- API tokens on /account

def test_a_token_is_made_shown_once_used_and_revoked_on_the_account_page(client, make_user, login, app):
    login(make_user("viewer"))
    page = client.post("/account", data={"token-name": "laporan mingguan", "token-days": "30",
                                         "token-submit": "1"})
    assert page.headers["Cache-Control"] == "no-store"
    token = page.text.split('id="new-token" class="d-block text-break">')[1].split("<")[0]
    assert token not in client.get("/account").text
    assert "laporan mingguan" in client.get("/account").text
    bearer = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert bearer.get("/api/v1/cities/74.71", headers=headers).status_code == 200
    row = db.session.scalar(db.select(ApiToken))
    db.session.refresh(row)
    assert row.name == "laporan mingguan" and row.last_used_at is not None
    assert (row.expires_at - row.created_at).days == 30
    client.post(f"/account/tokens/{row.id}/revoke")
    assert bearer.get("/api/v1/cities/74.71", headers=headers).status_code == 401


def test_reading_with_a_token_records_last_use_once_per_period(client, make_user, app, api):
    caller = api(make_user("viewer"))
    for _ in range(3):
        assert caller.get("/api/v1/cities/74.71").status_code == 200
    row = db.session.scalar(db.select(ApiToken))
    db.session.refresh(row)
    first = row.last_used_at
    assert first is not None
    caller.get("/api/v1/cities/74.71")
    db.session.refresh(row)
    assert row.last_used_at == first

import re
from email import message_from_bytes
from pathlib import Path
from urllib.parse import urlparse

from matchmaker.auth import services
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
    assert response.headers["Location"] == "/cities"


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

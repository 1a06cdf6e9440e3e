from matchmaker.auth import services
from matchmaker.extensions import db


def test_admin_creates_a_user_and_the_link_lets_them_set_a_password(client, make_user, login, app):
    login(make_user("admin"))
    response = client.post("/admin/users", data={"email": "baru@kendari.go.id", "name": "Baru",
                                                 "role": "pokja", "city": "74.71", "language": "id"})
    assert response.status_code == 200
    link = response.text.split('id="set-password-link">')[1].split("<")[0]
    client.post("/logout")
    path = link.split("localhost", 1)[1]
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

"""Behind a real TLS-terminating nginx, as the README deploys it: gunicorn on loopback behind it.

The client connects from other loopback addresses (127.0.0.5, .6) so that the address nginx
forwards differs from the proxy's own (127.0.0.1) and the test can tell which one the app used.
"""

import http.client
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from matchmaker.auth.models import UserSession
from matchmaker.extensions import db

PASSWORD = "correct-horse-battery"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """
worker_processes 1;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/client_body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {tmp}/cert.pem;
    ssl_certificate_key {tmp}/key.pem;
    client_max_body_size 3m;
    location / {{
      proxy_pass http://127.0.0.1:{upstream};
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"exited early: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing listens on {port}: {log.read_text() if log.exists() else ''}")


class Proxy:
    """An HTTPS client for the proxy that keeps cookies, from a chosen source address."""

    def __init__(self, port: int, cafile: Path):
        self.port = port
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, fields: dict | None = None, source: str = "127.0.0.5",
                headers: dict | None = None) -> http.client.HTTPResponse:
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=60, context=self.context,
                                                 source_address=(source, 0))
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode()
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response

    def sign_in(self, email: str, password: str, source: str = "127.0.0.5", headers: dict | None = None):
        """Sign in as a browser would: the form's CSRF token, and the Referer Flask-WTF wants on HTTPS."""
        form = self.request("GET", "/login", source=source).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        return self.request("POST", "/login", {"email": email, "password": password, "csrf_token": token},
                            source=source, headers={"Referer": f"https://127.0.0.1:{self.port}/login",
                                                    **(headers or {})})


@pytest.fixture
def proxied(request, app, database_url, tmp_path):
    """Start gunicorn (production config) and nginx in front; `request.param` is TRUSTED_PROXIES."""
    if not os.path.exists(NGINX):
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing (test.sh installs Debian's nginx)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem"),
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    upstream, port = _free_port(), _free_port()
    env = dict(os.environ, MATCHMAKER_ENV="production", SECRET_KEY=secrets.token_hex(32),
               DATABASE_URL=database_url, TRUSTED_PROXIES=str(request.param), SCHEDULER_ENABLED="0",
               MATCHMAKER_INSTANCE=str(tmp_path / "instance"), MAIL_OUTBOX_DIR=str(tmp_path / "outbox"))
    gunicorn_log = tmp_path / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{upstream}",
         "--error-logfile", str(gunicorn_log), "matchmaker:create_app()"],
        env=env, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    user = f"user {os.environ.get('USER', 'root')};" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp_path, port=port, upstream=upstream,
                                                          user=user))
    nginx = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path),
                              "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        _wait_for(upstream, gunicorn, gunicorn_log)
        _wait_for(port, nginx, tmp_path / "nginx-error.log")
        yield lambda: Proxy(port, tmp_path / "cert.pem")
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _last_session_address() -> str:
    db.session.rollback()
    return db.session.scalars(db.select(UserSession.address).order_by(UserSession.id.desc())).first()


@pytest.mark.parametrize("proxied", [1], indirect=True)
def test_behind_one_trusted_proxy_the_client_address_secure_cookies_and_hsts(proxied, make_user):
    email = make_user("viewer").email
    client = proxied()
    response = client.sign_in(email, PASSWORD, headers={"X-Forwarded-For": "203.0.113.66"})  # a lie
    assert response.status == 302
    assert _last_session_address() == "127.0.0.5"  # what nginx saw, not the lie, not nginx itself
    cookies = response.headers.get_all("Set-Cookie")
    assert cookies and all("; Secure" in c and "; HttpOnly" in c for c in cookies)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert client.request("GET", "/account").status == 200


@pytest.mark.parametrize("proxied", [0], indirect=True)
def test_without_trusting_the_proxy_twenty_failures_through_it_lock_nobody_else_out(proxied, make_user):
    victim, bystander = make_user("viewer").email, make_user("viewer").email
    attacker = proxied()
    for i in range(20):
        target = (victim, f"nobody{i}@example.id")[i % 2]
        assert attacker.sign_in(target, "guess").status in (401, 429)
    assert proxied().sign_in(bystander, PASSWORD, source="127.0.0.6").status == 302
    assert _last_session_address() == "127.0.0.1"  # untrusted: every client looks like the proxy


@pytest.mark.parametrize("proxied", [1], indirect=True)
def test_two_workers_keep_pages_and_both_show_a_write_at_once(proxied, make_user):
    """The page cache across processes: whichever worker answers, the read after a write shows it."""
    pokja = make_user("pokja", "74.71").email
    browser = proxied()
    assert browser.sign_in(pokja, PASSWORD).status == 302
    reads = [browser.request("GET", "/cities/74.71") for _ in range(8)]  # both workers keep it
    assert "hit" in [r.headers["X-Page-Cache"] for r in reads]
    token = re.search(r'name="csrf_token" value="([^"]+)"', reads[-1].text).group(1)
    saved = browser.request("POST", "/cities/74.71/needs/new", {
        "csrf_token": token, "topic": "wastewater", "title": "Butuh IPLT baru", "priority": "high",
        "description": "Belum ada IPLT"}, headers={"Referer": f"https://127.0.0.1:{browser.port}/"})
    assert saved.status in (302, 303), saved.text
    after = [browser.request("GET", "/cities/74.71") for _ in range(8)]
    assert all("Butuh IPLT baru" in r.text for r in after)

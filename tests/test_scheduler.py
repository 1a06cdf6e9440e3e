"""The scheduler: the job it is handed, when it starts (never in create_app), `flask serve`."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import timedelta

import pytest

from matchmaker import create_app, scheduler
from matchmaker.timeutils import utcnow


def test_the_scheduler_job_puts_a_due_reminder_in_the_local_outbox(app, make_programme, plan_sessions,
                                                                   pokja_blitar, tmp_path):
    app.config.update(MAIL_SERVER="", MAIL_OUTBOX_DIR=str(tmp_path))
    now = utcnow()
    programme = make_programme(status="agreed", at=now - timedelta(minutes=1))
    # Planned ten seconds ago a little over an hour ahead: the 1 h reminder is due by now.
    plan_sessions(programme, now + timedelta(hours=1, seconds=-5), now - timedelta(seconds=10), count=1)
    scheduler.sweep(app)
    files = [f for f in tmp_path.glob("reminder-*.eml") if b"X-Matchmaker-Kind: session" in f.read_bytes()]
    assert len(files) == 2  # the Blitar Pokja and the facilitator (besides their series invitations)
    assert all(b"X-Matchmaker-Lead: 60" in f.read_bytes() for f in files)


def test_job_defaults_are_set_on_purpose():
    assert scheduler.JOB_DEFAULTS == {"max_instances": 1, "coalesce": True, "misfire_grace_time": 30}


@pytest.fixture
def enabled_config(app_config):
    class Config(app_config):
        SCHEDULER_ENABLED = True

    return Config


@pytest.fixture
def serving(monkeypatch):
    """Record what `flask serve` starts instead of starting it."""
    calls = []
    monkeypatch.setattr(scheduler, "start_in_process", lambda app: calls.append(("scheduler", app)))
    def run_simple(host, port, app, **options):
        calls.append(("run", {"host": host, "port": port, **options}))

    monkeypatch.setattr(scheduler, "run_simple", run_simple)
    return calls


def test_create_app_starts_no_thread_even_when_enabled(enabled_config):
    before = threading.active_count()
    app = create_app(enabled_config)
    app.test_client().get("/login")
    assert threading.active_count() == before


def test_serve_starts_the_scheduler_then_the_server(enabled_config, serving):
    app = create_app(enabled_config)
    result = app.test_cli_runner().invoke(args=["serve", "--port", "5099"])
    assert result.exit_code == 0, result.output
    assert [what for what, _ in serving] == ["scheduler", "run"]
    assert serving[1][1] == {"host": "127.0.0.1", "port": 5099, "use_reloader": False, "threaded": True}


def test_serve_without_the_scheduler_says_where_reminders_go(app_config, serving):
    result = create_app(app_config).test_cli_runner().invoke(args=["serve"])
    assert [what for what, _ in serving] == ["run"]
    assert "flask --app matchmaker scheduler" in result.output


def test_the_scheduler_runs_the_job_it_was_handed(app):
    seen = []
    scheduler.init_app(app, seen.append)
    scheduler.sweep(app)
    assert len(seen) == 1 and seen[0].tzinfo is not None


def test_flask_serve_really_serves(tmp_path):
    """The README's run command: `flask serve` answers HTTP (Flask ignores app.run() in its CLI)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "FLASK_APP": "matchmaker", "MATCHMAKER_INSTANCE": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite'}", "SCHEDULER_ENABLED": "0"}
    server = subprocess.Popen([sys.executable, "-m", "flask", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    assert response.status == 200 and b"csrf_token" in response.read()
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail("flask serve never answered")
    finally:
        server.terminate()
        server.wait(timeout=10)

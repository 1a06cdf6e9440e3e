"""Where the sweep runs: the CLI, the scheduler job, and when the in-process scheduler starts."""

import threading
from datetime import timedelta

import pytest
from flask import Flask

from matchmaker import create_app, scheduler
from matchmaker.timeutils import utcnow
from tests.reminders.conftest import FIRST, PLANNED_AT


def test_cli_send_due_sweeps_at_the_given_time(app, runner, smtp, people, plan_series):
    plan_series(FIRST, PLANNED_AT, count=1)
    early = runner.invoke(args=["reminders", "send-due", "--now", "2020-01-26T01:59:00Z"])
    assert early.exit_code == 0, early.output
    assert "sent 0" in early.output
    result = runner.invoke(args=["reminders", "send-due", "--now", "2020-01-26T09:00+07:00"])
    assert result.exit_code == 0, result.output
    assert "sent 4" in result.output
    assert len(smtp.handler.received()) == 4
    assert "sent 0" in runner.invoke(args=["reminders", "send-due", "--now", "2020-01-26T02:01"]).output


def test_cli_refuses_a_bad_time(runner):
    result = runner.invoke(args=["reminders", "send-due", "--now", "tomorrow"])
    assert result.exit_code != 0
    assert "ISO 8601" in result.output


def test_the_scheduler_job_puts_a_due_reminder_in_the_local_outbox(app, people, plan_series, tmp_path):
    app.config.update(MAIL_SERVER="", MAIL_OUTBOX_DIR=str(tmp_path))
    now = utcnow()
    # Planned ten seconds ago a little over an hour ahead: the 1 h reminder is due by now.
    plan_series(now + timedelta(hours=1, seconds=-5), now - timedelta(seconds=10), count=1)
    scheduler.sweep(app)
    files = list(tmp_path.glob("reminder-*.eml"))
    assert len(files) == 4
    assert b"X-Matchmaker-Lead: 60" in files[0].read_bytes()


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
    monkeypatch.setattr(Flask, "run", lambda app, **kw: calls.append(("run", kw)))
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

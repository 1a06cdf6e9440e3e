"""Where the sweep runs: the CLI, the scheduler job, and when the in-process scheduler starts."""

import threading
from datetime import timedelta

import click
import pytest

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
def starts(monkeypatch):
    calls = []
    monkeypatch.setattr(scheduler, "start_in_process", lambda app: calls.append(app))
    monkeypatch.setattr(scheduler, "_running", None)
    return calls


def test_create_app_starts_no_thread_when_disabled(app_config):
    before = threading.active_count()
    create_app(app_config)
    assert threading.active_count() == before


def test_other_cli_commands_never_start_the_scheduler(enabled_config, starts):
    with click.Context(click.Command("send-due"), info_name="send-due"):
        app = create_app(enabled_config)
        with app.test_request_context():
            app.preprocess_request()
    assert starts == []


def test_flask_run_starts_it_in_the_serving_process_not_the_reloader(enabled_config, starts, monkeypatch):
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    with click.Context(click.Command("run"), info_name="run") as ctx:
        ctx.params = {"reload": True}
        create_app(enabled_config)  # the reloader's watcher: never serves
        assert starts == []
        monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
        app = create_app(enabled_config)  # the serving child
        assert starts == [app]
        ctx.params = {"reload": False}
        monkeypatch.delenv("WERKZEUG_RUN_MAIN")
        create_app(enabled_config)
        assert len(starts) == 2


def test_under_another_wsgi_server_it_starts_on_the_first_request(enabled_config, starts):
    app = create_app(enabled_config)
    assert starts == []
    app.test_client().get("/login")
    assert starts == [app]

"""`flask reminders send-due`: one sweep at a given time."""

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

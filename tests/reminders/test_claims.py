"""Sweeps that die mid-batch, and several sweeps at once: nothing lost, nothing doubled."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from config import BASE_DIR
from matchmaker.extensions import db
from matchmaker.reminders.jobs import send_due_reminders
from matchmaker.reminders.models import Reminder, ReminderStatus
from tests.reminders.conftest import FIRST, PLANNED_AT, SmtpServer, free_port, wait_until

NOW = FIRST - timedelta(hours=2)  # every 24 h reminder is due, no 1 h reminder yet


def _sweep_process(database_url: str, port: int, tmp_path, lease: int, batch: int = 4) -> subprocess.Popen:
    """`flask reminders send-due` in its own process; its output goes to a log file in tmp_path."""
    env = {**os.environ, "DATABASE_URL": database_url, "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(port), "MAIL_TIMEOUT": "5", "SCHEDULER_ENABLED": "0",
           "REMINDER_LEASE_SECONDS": str(lease), "REMINDER_BATCH_SIZE": str(batch),
           "MATCHMAKER_ENV": "development",
           "MATCHMAKER_INSTANCE": str(tmp_path)}
    with open(tmp_path / f"sweep-{time.monotonic_ns()}.log", "wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "matchmaker", "reminders", "send-due",
             "--now", NOW.isoformat()],
            cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)


def _logs(tmp_path) -> str:
    return "\n".join(p.read_text() for p in sorted(tmp_path.glob("sweep-*.log")))


def _statuses() -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(select(Reminder.status).where(Reminder.lead_minutes == 1440)))


def test_sweep_killed_mid_batch_then_restarted_loses_nothing_and_repeats_at_most_one(
        app, database_url, people, crowd, plan_series, tmp_path):
    crowd(10)
    plan_series(FIRST, PLANNED_AT, count=1)
    due = _statuses()[ReminderStatus.PENDING]
    assert due == 14
    server = SmtpServer(free_port(), delay=0.25).start()
    lease = 4
    try:
        sweep = _sweep_process(database_url, server.port, tmp_path, lease)
        assert wait_until(lambda: len(server.handler.received()) >= 5, timeout=30), _logs(tmp_path)
        sweep.send_signal(signal.SIGKILL)
        sweep.wait()
        before = len(server.handler.received())
        assert before < due  # it really died mid-batch
        time.sleep(lease + 0.5)  # the dead sweep's claim runs out
        again = _sweep_process(database_url, server.port, tmp_path, lease)
        assert again.wait(timeout=60) == 0, _logs(tmp_path)
        time.sleep(0.5)  # the last 250 reply and the handler's bookkeeping
        received = [m["Message-ID"] for m in server.handler.received()]
    finally:
        server.stop()
    counts = Counter(received)
    rows = db.session.scalars(select(Reminder).where(Reminder.lead_minutes == 1440)).all()
    assert set(counts) == {r.message_id for r in rows}  # nothing lost
    assert sum(counts.values()) - len(counts) <= 1  # at most the one in flight repeated
    assert _statuses() == Counter({ReminderStatus.SENT: due})


def _run_sweeps_at_once(app, n: int) -> list:
    results, errors = [], []
    barrier = threading.Barrier(n)

    def run():
        try:
            with app.app_context():
                barrier.wait()
                results.append(send_due_reminders(NOW))
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    return results


def test_four_sweeps_at_once_send_every_reminder_exactly_once(app, people, crowd, plan_series):
    crowd(20)
    plan_series(FIRST, PLANNED_AT, count=3, interval_days=0)
    due = _statuses()[ReminderStatus.PENDING]
    assert due == 3 * 24
    server = SmtpServer(free_port(), delay=0.005).start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, REMINDER_BATCH_SIZE=5)
    try:
        results = _run_sweeps_at_once(app, 4)
        time.sleep(0.2)
        received = [m["Message-ID"] for m in server.handler.received()]
    finally:
        server.stop()
    assert sum(r.sent for r in results) == due
    assert len(received) == due and len(set(received)) == due
    assert sum(1 for r in results if r.sent) >= 2  # they really shared the work
    assert db.session.scalar(select(func.count()).select_from(Reminder).where(
        Reminder.lead_minutes == 1440, Reminder.status == ReminderStatus.SENT)) == due


def test_four_sweep_processes_at_once_send_each_reminder_once(
        app, database_url, people, crowd, plan_series, tmp_path):
    crowd(20)
    plan_series(FIRST, PLANNED_AT, count=2, interval_days=0)
    due = _statuses()[ReminderStatus.PENDING]
    server = SmtpServer(free_port(), delay=0.01).start()
    try:
        procs = [_sweep_process(database_url, server.port, tmp_path, 600, batch=5) for _ in range(4)]
        for p in procs:
            assert p.wait(timeout=120) == 0, _logs(tmp_path)
        time.sleep(0.2)
        received = [m["Message-ID"] for m in server.handler.received()]
    finally:
        server.stop()
    assert len(received) == due and len(set(received)) == due

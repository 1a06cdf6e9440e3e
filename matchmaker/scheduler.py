"""The only module that imports APScheduler.

One interval job runs the reminder sweep (`matchmaker.reminders.jobs.send_due_reminders`); the
rows live in the database, so no reminder is ever held in the scheduler's memory. It runs either
inside the single local web process (SCHEDULER_ENABLED=1) or in a dedicated process
(`flask --app matchmaker scheduler`). Any number of these may run against PostgreSQL: the
sweep's claims, not the scheduler, guarantee that each reminder is sent once.
"""

import atexit
import logging
import os
import signal
import threading
from datetime import UTC, datetime

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from flask.helpers import get_debug_flag

from matchmaker.timeutils import utcnow

log = logging.getLogger(__name__)

JOB_ID = "send_due_reminders"

JOB_DEFAULTS = {
    # One sweep at a time in this process: a slow mail server must not stack sweeps on top of
    # each other (they would be safe, thanks to the claims, but only waste connections).
    "max_instances": 1,
    # After a pause (suspended laptop, stalled database) run once, not once per missed minute:
    # a single sweep already catches up on everything that fell due meanwhile.
    "coalesce": True,
    # A run that starts up to 30 s late still runs; later than that it is dropped and the next
    # minute's run does the work. Kept below the interval so late runs never pile up.
    "misfire_grace_time": 30,
}

# APScheduler logs two INFO lines per run; once a minute that drowns the web log.
logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)

_lock = threading.Lock()
_running: BackgroundScheduler | None = None


def sweep(app: Flask) -> None:
    """The job: one sweep at the real time, logged, never raising into the scheduler."""
    from matchmaker.reminders.jobs import send_due_reminders

    with app.app_context():
        try:
            result = send_due_reminders(utcnow())
        except Exception:
            log.exception("reminder sweep failed; the next run will try again")
            return
        if result.sent or result.failed or result.retrying or result.skipped:
            log.info("reminder sweep: %s", result)


def _add_job(scheduler, app: Flask) -> None:
    scheduler.add_job(sweep, IntervalTrigger(seconds=app.config["SCHEDULER_INTERVAL_SECONDS"]),
                      args=[app], id=JOB_ID, name="reminder sweep", replace_existing=True,
                      next_run_time=datetime.now(UTC))  # catch up at once after a restart


def start_in_process(app: Flask) -> BackgroundScheduler:
    """Start this process's background scheduler once, however many apps or requests ask."""
    global _running
    with _lock:
        if _running is None:
            scheduler = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone=UTC, daemon=True)
            _add_job(scheduler, app)
            scheduler.start()
            atexit.register(scheduler.shutdown, wait=False)
            _running = scheduler
            log.info("reminder scheduler started in process %s", os.getpid())
        return _running


def run_foreground(app: Flask) -> None:
    """Run the scheduler as this process's only work until SIGINT or SIGTERM."""

    def stop(signum, _frame):
        raise SystemExit(0)  # BlockingScheduler shuts down cleanly on SystemExit

    signal.signal(signal.SIGTERM, stop)
    scheduler = BlockingScheduler(job_defaults=JOB_DEFAULTS, timezone=UTC)
    _add_job(scheduler, app)
    click.echo(f"Reminder scheduler running (pid {os.getpid()}, every "
               f"{app.config['SCHEDULER_INTERVAL_SECONDS']} s). Ctrl+C to stop.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)  # let a sweep in progress finish its message
        click.echo("Reminder scheduler stopped.")


def _cli_command() -> tuple[str | None, dict]:
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None, {}
    return ctx.info_name, ctx.params


def init_app(app: Flask) -> None:
    """Start the in-process scheduler when SCHEDULER_ENABLED is set, and only in a serving process.

    `flask run` starts it as the app is loaded, except in the reloader's watcher process (which
    never serves); other CLI commands never start it; under any other WSGI server it starts on
    the first request. create_app itself starts no thread.
    """
    if not app.config.get("SCHEDULER_ENABLED"):
        return
    command, params = _cli_command()
    if command == "run":
        reload = params.get("reload")
        if reload is None:
            reload = get_debug_flag()
        if reload and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
            return
    elif command is not None:
        return

    @app.before_request
    def _start_scheduler() -> None:
        if _running is None:
            start_in_process(app)

    if command == "run":
        start_in_process(app)

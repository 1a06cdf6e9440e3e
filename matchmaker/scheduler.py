"""The only module that imports APScheduler.

One interval job runs the sweep that `app_setup` hands in (`reminders.jobs.send_due_reminders`);
the rows live in the database, so no reminder is ever held in the scheduler's memory. It runs
either in a dedicated process (`flask --app matchmaker scheduler`) or, for the single-process
local run, inside the web process started by `flask --app matchmaker serve` when
SCHEDULER_ENABLED=1. `create_app` itself never starts a thread. Any number of schedulers may run
against PostgreSQL: the sweep's claims, not the scheduler, guarantee each reminder is sent once.
"""

import atexit
import logging
import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import click
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from matchmaker.timeutils import utcnow

log = logging.getLogger(__name__)

JOB_ID = "send_due_reminders"
EXTENSION_KEY = "matchmaker_scheduler_job"
Job = Callable[[datetime], object]

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
    job: Job = app.extensions[EXTENSION_KEY]
    with app.app_context():
        try:
            result = job(utcnow())
        except Exception:
            log.exception("reminder sweep failed; the next run will try again")
            return
        if result:  # a sweep that did nothing is not worth a line every minute
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


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the reminder scheduler in the foreground (a dedicated process)."""
    run_foreground(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Serve the app in this one process, with the reminder sweep inside when SCHEDULER_ENABLED=1."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.config["SCHEDULER_ENABLED"]:
        start_in_process(app)
    else:
        click.echo("SCHEDULER_ENABLED=0: run `flask --app matchmaker scheduler` for reminders.")
    # Not app.run(): Flask ignores it inside a `flask` command (it would block the CLI).
    run_simple(host, port, app, use_reloader=False, threaded=True)


def init_app(app: Flask, job: Job) -> None:
    """Hand the scheduler its job and add its commands; starts nothing."""
    app.extensions[EXTENSION_KEY] = job
    app.cli.add_command(scheduler_command)
    app.cli.add_command(serve_command)

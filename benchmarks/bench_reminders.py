"""Benchmark the reminder sweep: N due reminders delivered to a local aiosmtpd server.

Usage: python benchmarks/bench_reminders.py [--count 10000] [--sweeps 1,4]
       [--db sqlite,sqlite-wal,postgres]    (sqlite-wal: journal_mode=WAL, synchronous=NORMAL)

For each number of concurrent sweeps, a fresh database gets one programme, 100 Pokja members
and count/100 sessions with a 24 h lead time, planned through `sync_session_reminders` (timed
too); then that many `send_due_reminders` run at once, each in its own process, against one
aiosmtpd server on loopback that counts what it accepts. The run checks that every reminder
arrived exactly once (by Message-ID) and prints a Markdown table.
"""

import argparse
import multiprocessing
import os
import socket
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from aiosmtpd.controller import Controller
from sqlalchemy.engine import make_url

PG_SERVER = os.environ.get("TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
RECIPIENTS = 100
START = datetime(2030, 1, 7, 2, 0, tzinfo=UTC)
NOW = START - timedelta(hours=23)


class Counting:
    def __init__(self):
        self.ids: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        head = envelope.content[:4000]
        at = head.find(b"Message-ID: ")
        self.ids.append(head[at + 12:head.find(b"\r\n", at)].decode() if at >= 0 else "?")
        return "250 OK"


def quiet(kind: str = "") -> None:
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    if kind == "sqlite-wal":
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        @event.listens_for(Engine, "connect")
        def _wal(dbapi_connection, _record):
            # What a deployment on SQLite would set: commits without an fsync each.
            if not isinstance(dbapi_connection, sqlite3.Connection):
                return
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


def make_config(url: str, port: int, instance: str):
    from config import TestingConfig

    class Bench(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        INSTANCE_DIR = Path(instance)
        MAIL_SERVER = "127.0.0.1"
        MAIL_PORT = port
        MAIL_OUTBOX_DIR = str(Path(instance) / "outbox")
        REMINDER_OFFSETS = "24h"

    return Bench


def prepare(kind: str, url: str, port: int, instance: str, count: int) -> float:
    from flask_migrate import upgrade

    from matchmaker import create_app
    from matchmaker.auth.models import User
    from matchmaker.cities.importer import load_regions
    from matchmaker.cities.models import City
    from matchmaker.extensions import db
    from matchmaker.programmes.models import Programme, ProgrammeSession, ProgrammeStatus
    from matchmaker.reminders.planning import sync_session_reminders

    quiet(kind)
    app = create_app(make_config(url, port, instance))
    with app.app_context():
        upgrade()
        load_regions()
        kendari = db.session.query(City).filter_by(code="74.71").one()
        blitar = db.session.query(City).filter_by(code="35.72").one()
        db.session.add_all(User(email=f"pokja{i}@blitar.example.id", name=f"Pokja {i}", role="pokja",
                                city_id=blitar.id, language="id" if i % 2 else "en")
                           for i in range(RECIPIENTS))
        programme = Programme(mentor_city_id=kendari.id, mentee_city_id=blitar.id, topic="wastewater",
                              title="L2T2 Kendari untuk Blitar", status=ProgrammeStatus.ACTIVE)
        db.session.add(programme)
        db.session.commit()
        started = time.perf_counter()
        for number in range(1, count // RECIPIENTS + 1):
            session = ProgrammeSession(programme=programme, number=number, starts_at=START,
                                       meeting_url="https://meet.example.id/l2t2",
                                       agenda=f"Agenda {number}", uid=f"{uuid.uuid4()}@matchmaker")
            db.session.add(session)
            db.session.flush()
            sync_session_reminders(session, START - timedelta(days=7))
        db.session.commit()
        planned = time.perf_counter() - started
        db.engine.dispose()
    return planned


def sweep(kind: str, url: str, port: int, instance: str, queue) -> None:
    from matchmaker import create_app
    from matchmaker.reminders.jobs import send_due_reminders

    quiet(kind)
    app = create_app(make_config(url, port, instance))
    with app.app_context():
        started = time.perf_counter()
        result = send_due_reminders(NOW)
        queue.put((result.sent, time.perf_counter() - started))


def database(kind: str, tmp: str) -> tuple[str, callable]:
    if kind.startswith("sqlite"):
        return f"sqlite:///{tmp}/bench.sqlite", lambda: None
    name = f"matchmaker_bench_{uuid.uuid4().hex[:8]}"
    server = make_url(PG_SERVER)
    admin = f"host={server.host} port={server.port or 5432} user={server.username} dbname={server.database}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return server.set(database=name).render_as_string(hide_password=False), drop


def run(kind: str, count: int, sweeps: int) -> dict:
    quiet()
    handler = Counting()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as tmp:
        url, drop = database(kind, tmp)
        try:
            planned = prepare(kind, url, port, tmp, count)
            ctx = multiprocessing.get_context("spawn")
            queue = ctx.Queue()
            procs = [ctx.Process(target=sweep, args=(kind, url, port, tmp, queue)) for _ in range(sweeps)]
            for p in procs:
                p.start()
            results = [queue.get() for _ in procs]
            for p in procs:
                p.join()
            time.sleep(0.2)
        finally:
            controller.stop()
            drop()
    counts = Counter(handler.ids)
    total = max(seconds for _sent, seconds in results)
    return {"db": kind, "sweeps": sweeps, "count": count, "planned_s": planned,
            "sent": sum(sent for sent, _ in results), "received": len(handler.ids),
            "distinct": len(counts), "doubles": sum(n - 1 for n in counts.values()),
            "total_s": total, "per_s": len(handler.ids) / total,
            "per_sweep": sorted(sent for sent, _ in results)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--sweeps", default="1,4")
    parser.add_argument("--db", default="sqlite,postgres")
    args = parser.parse_args()
    rows = []
    print("| database | sweeps | reminders | planning (s) | sending (s) | messages/s | received "
          "| doubles | per sweep |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind in args.db.split(","):
        for sweeps in (int(n) for n in args.sweeps.split(",")):
            r = run(kind, args.count, sweeps)
            rows.append(r)
            print(f"| {r['db']} | {r['sweeps']} | {r['count']} | {r['planned_s']:.1f} | {r['total_s']:.1f} "
                  f"| {r['per_s']:.0f} | {r['received']} | {r['doubles']} | {r['per_sweep']} |", flush=True)
            if r["distinct"] != r["count"] or r["doubles"]:
                sys.exit(f"FAILED: {r['distinct']} distinct of {r['count']}, {r['doubles']} doubled")


if __name__ == "__main__":
    main()

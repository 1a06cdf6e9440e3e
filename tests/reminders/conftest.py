"""Fixtures for the reminder tests: a real SMTP server on loopback and a Kendari–Blitar programme."""

import asyncio
import email
import socket
import threading
import time
from datetime import UTC, datetime
from email import policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from matchmaker.cities.models import City
from matchmaker.extensions import db
from matchmaker.programmes.models import Programme, ProgrammeSession
from matchmaker.programmes.sessions import cancel_session, update_session
from matchmaker.reminders.models import Reminder, ReminderKind, ReminderStatus

KENDARI, BLITAR = "74.71", "35.72"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """aiosmtpd handler keeping every accepted envelope; can be slowed down or made to refuse."""

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def received(self) -> list:
        with self.lock:
            return list(self.messages)

    def keys(self) -> list[tuple[str, str]]:
        """(recipient, subject) of each received message, in order."""
        return [(m["To"], m["Subject"]) for m in self.received()]

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.received()]


class SmtpServer:
    def __init__(self, port: int, delay: float = 0.0):
        self.port = port
        self.handler = Recorder(delay)
        self.controller = None

    def start(self) -> "SmtpServer":
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(app):
    """A running SMTP server on loopback; the app sends to it."""
    server = SmtpServer(free_port()).start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    yield server
    server.stop()


def city(code: str) -> City:
    return db.session.scalar(select(City).where(City.code == code))


@pytest.fixture
def people(make_user):
    """Two Pokja members in Blitar (mentee), one in Kendari (mentor), a facilitator, bystanders."""
    return {
        "blitar1": make_user("pokja", BLITAR, email="ani@blitar.example.id", name="Ani"),
        "blitar2": make_user("pokja", BLITAR, email="budi@blitar.example.id", name="Budi",
                             language="en"),
        "kendari": make_user("pokja", KENDARI, email="citra@kendari.example.id", name="Citra"),
        "facilitator": make_user("facilitator", email="fasilitator@pmu.example.id", name="Dewi"),
        # Never reminded: another city's Pokja, a viewer, a disabled pokja, an opted-out pokja.
        "other": make_user("pokja", "91.71", email="eko@jayapura.example.id"),
        "viewer": make_user("viewer", email="fajar@example.id"),
        "disabled": _changed(make_user("pokja", BLITAR, email="gita@blitar.example.id"), is_enabled=False),
        "optout": _changed(make_user("pokja", KENDARI, email="hadi@kendari.example.id"),
                           reminders_enabled=False),
    }


def _changed(user, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    db.session.commit()
    return user


def settle_programme_mail() -> None:
    """Count the proposal, invitation and update e-mails queued so far as delivered: the tests
    of session reminders leave them aside (tests/reminders/test_programme_mail.py has them)."""
    db.session.execute(update(Reminder).where(
        Reminder.status == ReminderStatus.PENDING,
        Reminder.kind.in_([ReminderKind.PROPOSAL, ReminderKind.INVITATION, ReminderKind.UPDATE]))
        .values(status=ReminderStatus.SENT))
    db.session.commit()


@pytest.fixture
def programme(people, make_programme):
    """The Kendari -> Blitar programme, agreed and running, planned by its facilitator."""
    made = make_programme(KENDARI, BLITAR, title="L2T2 Kendari untuk Blitar", status="active",
                          by=people["facilitator"], at=datetime(2020, 1, 2, tzinfo=UTC))
    settle_programme_mail()
    return made


@pytest.fixture
def plan_series(programme, plan_sessions, people):
    """Plan sessions through the planner (agenda with markup, to check escaping in e-mails)."""

    def plan(first_start: datetime, now: datetime, count: int = 2, interval_days: int = 14,
             prog: Programme | None = None) -> list[ProgrammeSession]:
        planned = plan_sessions(prog or programme, first_start, now, count=count,
                             interval_days=interval_days, by=people["facilitator"],
                             timezone="Asia/Jakarta", meeting_url="https://meet.example.id/l2t2",
                             duration_minutes=90,
                             agendas=[f"Agenda sesi {n} <b>penting</b>" for n in range(1, count + 1)])
        settle_programme_mail()
        return planned

    return plan


def _facilitator(session: ProgrammeSession):
    return session.programme.facilitator


def move(session: ProgrammeSession, starts_at: datetime, now: datetime) -> None:
    update_session(_facilitator(session), session, now, starts_at=starts_at, allow_past=True)
    db.session.commit()
    settle_programme_mail()


def cancel(session: ProgrammeSession, now: datetime) -> None:
    cancel_session(_facilitator(session), session, now)
    db.session.commit()


def wait_until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# 27 January 2020, 09:00 WIB = 02:00 UTC: the first Blitar–Kendari session.
FIRST = datetime(2020, 1, 27, 2, 0, tzinfo=UTC)
PLANNED_AT = datetime(2020, 1, 10, 3, 0, tzinfo=UTC)


@pytest.fixture
def crowd(people, make_user):
    """Add `n` more Blitar Pokja members, so a sweep has many messages to send."""

    def add(n: int) -> list:
        return [make_user("pokja", BLITAR, email=f"pokja{i:03d}@blitar.example.id") for i in range(n)]

    return add

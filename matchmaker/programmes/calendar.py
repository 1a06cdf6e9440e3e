"""Sessions as iCalendar (RFC 5545) events: one file per session, a programme's sessions in one
message, and a private feed per user. Sessions of a programme not yet agreed are TENTATIVE.

The UID of a session never changes and its SEQUENCE rises on every change, so calendar clients
(Outlook, Google Calendar, Thunderbird) update or drop the event they already hold. The e-mail
invitations of the reminders package use `sessions_calendar`, with the same UID/SEQUENCE.
"""

import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select

from matchmaker.auth.models import User, hash_token
from matchmaker.errors import NotFound
from matchmaker.extensions import db
from matchmaker.programmes.access import pokja_members
from matchmaker.programmes.models import ProgrammeSession, SessionStatus
from matchmaker.timeutils import as_utc, labelled_times, utcnow

PRODID = "-//Matchmaker//Pembelajaran Horizontal//ID"


def _address(email: str, name: str, role: str | None = None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["CN"] = vText(name or email)
    if role:
        address.params["ROLE"] = vText(role)
        address.params["PARTSTAT"] = vText("NEEDS-ACTION")
    return address


def _description(session: ProgrammeSession) -> str:
    programme = session.programme
    lines = [
        programme.display_title,
        _("Sesi %(n)d: %(agenda)s", n=session.number, agenda=session.agenda),
        _("Mentor: %(mentor)s · Mentee: %(mentee)s", mentor=programme.mentor.name,
          mentee=programme.mentee.name),
        _("Waktu: %(times)s", times=labelled_times(session.starts_at, programme.zones)),
    ]
    if session.meeting_url:
        lines.append(_("Tautan rapat: %(url)s", url=session.meeting_url))
    if session.status == SessionStatus.CANCELLED and session.cancel_reason:
        lines.append(_("Dibatalkan: %(reason)s", reason=session.cancel_reason))
    return "\n".join(lines)


def session_to_ical_event(session: ProgrammeSession, attendees: list[User] | None = None) -> Event:
    """The session as a VEVENT: stable UID, rising SEQUENCE, times in UTC.

    `attendees` defaults to the Pokja members of both cities; a feed passes them per programme.
    """
    programme = session.programme
    event = Event()
    event.add("uid", session.uid)
    event.add("sequence", session.sequence)
    event.add("dtstamp", as_utc(session.updated_at or utcnow()))
    event.add("last-modified", as_utc(session.updated_at or utcnow()))
    event.add("created", as_utc(session.created_at or utcnow()))
    event.add("dtstart", as_utc(session.starts_at))
    event.add("dtend", as_utc(session.ends_at))
    summary = _("Sesi %(n)d: %(title)s – %(agenda)s", n=session.number,
                title=programme.display_title, agenda=session.agenda)
    event.add("summary", summary[:250])
    event.add("description", _description(session))
    event.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED
              else "TENTATIVE" if session.is_tentative else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if session.meeting_url:
        event.add("url", session.meeting_url)
        event.add("location", session.meeting_url)
    facilitator = programme.facilitator
    if facilitator is not None:
        event.add("organizer", _address(facilitator.email, facilitator.name))
    else:
        sender = current_app.config.get("MAIL_DEFAULT_SENDER") or "matchmaker@localhost"
        event.add("organizer", _address(sender, "Matchmaker"))
    for member in pokja_members(programme) if attendees is None else attendees:
        event.add("attendee", _address(member.email, member.name, "REQ-PARTICIPANT"))
    return event


def _calendar(name: str, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    return calendar


def session_calendar(session: ProgrammeSession, method: str | None = None) -> bytes:
    """One session as a complete .ics file (method REQUEST/CANCEL for e-mail invitations)."""
    calendar = _calendar(session.programme.display_title, method)
    calendar.add_component(session_to_ical_event(session))
    return calendar.to_ical()


def sessions_calendar(sessions: list[ProgrammeSession], method: str) -> bytes:
    """Several sessions of one programme as one iTIP message (an invitation, update or CANCEL)."""
    calendar = _calendar(sessions[0].programme.display_title, method)
    attendees = pokja_members(sessions[0].programme)
    for session in sessions:
        calendar.add_component(session_to_ical_event(session, attendees))
    return calendar.to_ical()


def feed_calendar(sessions: list[ProgrammeSession], name: str = "Matchmaker") -> bytes:
    """A subscription feed: every session of the user's programmes, cancelled ones included."""
    calendar = _calendar(name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    members: dict[int, list[User]] = {}
    for session in sessions:
        if session.programme_id not in members:
            members[session.programme_id] = pokja_members(session.programme)
        calendar.add_component(session_to_ical_event(session, members[session.programme_id]))
    return calendar.to_ical()


# ---------------------------------------------------------------- the private feed address

def create_calendar_token(user: User) -> str:
    """Give the user a new private feed address; any previous one stops working. Only its hash is
    stored, so the address is shown once, now, and a leaked database opens no calendar."""
    token = secrets.token_urlsafe(32)
    user.calendar_token = hash_token(token)
    db.session.flush()
    return token


def revoke_calendar_token(user: User) -> None:
    user.calendar_token = None
    db.session.flush()


def user_for_calendar_token(token: str) -> User:
    user = None
    if token and len(token) >= 20:
        user = db.session.scalar(select(User).where(User.calendar_token == hash_token(token)))
    if user is None or not user.is_enabled:
        raise NotFound(_("Kalender tidak ditemukan."))
    return user


def calendar_feed_url(token: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/calendar/{token}.ics"

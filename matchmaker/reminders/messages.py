"""Reminder e-mails: subject, bodies in the recipient's language and zone, and the calendar part."""

from datetime import datetime
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app, render_template
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from markupsafe import escape

from matchmaker.auth.services import create_password_link, set_password_url
from matchmaker.extensions import db
from matchmaker.notes.models import FollowUpAction
from matchmaker.programmes.calendar import session_calendar
from matchmaker.programmes.models import Poll, Programme, ProgrammeSession
from matchmaker.reminders.checks import digest_for
from matchmaker.reminders.models import Reminder, ReminderKind
from matchmaker.timeutils import labelled_times


def lead_label(minutes: int) -> str:
    if minutes % 1440 == 0:
        return ngettext("%(num)d hari", "%(num)d hari", minutes // 1440)
    if minutes % 60 == 0:
        return ngettext("%(num)d jam", "%(num)d jam", minutes // 60)
    return ngettext("%(num)d menit", "%(num)d menit", minutes)


# ---------------------------------------------------------------- the invite

def programme_title(programme: Programme) -> str:
    return programme.display_title


def session_invite(session: ProgrammeSession, cancelled: bool = False) -> str:
    """The session's calendar file (same UID and SEQUENCE as the .ics download) as an iTIP message."""
    return session_calendar(session, method="CANCEL" if cancelled else "REQUEST").decode()


# ---------------------------------------------------------------- the message

def _session_context(session: ProgrammeSession, user, lang: str, cache: dict) -> dict:
    programme = session.programme
    zone = user.display_zone
    key = ("times", session.id, session.starts_at, session.duration_minutes, programme.title, zone, lang)
    if key not in cache:
        local = session.starts_at.astimezone(ZoneInfo(zone))
        cache[key] = dict(
            title=programme_title(programme),
            day=format_date(local.date(), format="full", locale=lang),
            times=labelled_times(session.starts_at, [zone, *programme.zones]),
            end_times=labelled_times(session.ends_at, [zone, *programme.zones]),
        )
    return dict(session=session, programme=programme, **cache[key])


def _poll_context(poll: Poll, user, lang: str, base_url: str) -> dict:
    """The poll's programme and options (day and times, the recipient's zone first), its page."""
    zones = [user.display_zone, *poll.programme.zones]
    labels = [f"{format_date(o.starts_at.astimezone(ZoneInfo(zones[0])).date(), format='full', locale=lang)}"
              f" {labelled_times(o.starts_at, zones)}" for o in poll.options]
    return dict(poll=poll, title=programme_title(poll.programme), option_labels=labels,
                poll_link=f"{base_url}/polls/{poll.id}")


def _subject(row: Reminder, ctx: dict) -> str:
    if row.kind == ReminderKind.SESSION:
        return _("Pengingat (%(lead)s lagi): Sesi %(n)d %(title)s, %(day)s %(times)s",
                 lead=lead_label(row.lead_minutes or 0), n=ctx["session"].number,
                 title=ctx["title"], day=ctx["day"], times=ctx["times"])
    if row.kind == ReminderKind.CANCELLED:
        return _("Dibatalkan: Sesi %(n)d %(title)s, %(day)s %(times)s", n=ctx["session"].number,
                 title=ctx["title"], day=ctx["day"], times=ctx["times"])
    if row.kind == ReminderKind.NOTES:
        return _("Mohon isi catatan Sesi %(n)d %(title)s", n=ctx["session"].number, title=ctx["title"])
    if row.kind == ReminderKind.ACTION_DUE:
        return _("Tindak lanjut jatuh tempo besok: %(text)s", text=ctx["action"].text[:60])
    if row.kind == ReminderKind.POLL:
        return _("Jajak waktu: kapan sesi %(title)s?", title=ctx["title"])
    if row.kind == ReminderKind.POLL_NUDGE:
        return _("Menunggu jawaban Anda: jajak waktu %(title)s", title=ctx["title"])
    if row.kind == ReminderKind.ACCOUNT and ctx["user"].password_hash:
        return _("Matchmaker: atur ulang kata sandi Anda")
    if row.kind == ReminderKind.ACCOUNT:
        return _("Akun Matchmaker Anda: atur kata sandi")
    return _("Ringkasan mingguan Matchmaker")


def build_message(row: Reminder, now: datetime, cache: dict | None = None) -> EmailMessage:
    """The whole e-mail for one reminder row, in the recipient's language.

    `cache` (one dict per sweep) keeps what many recipients of one session share, the invite.
    """
    cache = {} if cache is None else cache
    config = current_app.config
    user = row.recipient
    lang = user.language if user.language in config["LANGUAGES"] else config["BABEL_DEFAULT_LOCALE"]
    with force_locale(lang):
        ctx: dict = dict(reminder=row, user=user, base_url=config["BASE_URL"].rstrip("/"),
                         kinds=ReminderKind)
        if row.session is not None:
            ctx.update(_session_context(row.session, user, lang, cache))
        if row.kind == ReminderKind.SESSION:
            ctx["lead"] = lead_label(row.lead_minutes or 0)
        if row.kind == ReminderKind.ACTION_DUE:
            action = db.session.get(FollowUpAction, row.action_id)
            if action is None:
                raise LookupError(f"action {row.action_id} of reminder {row.id} is gone")
            ctx["action"] = action
            ctx["due_day"] = format_date(action.due_on, format="full", locale=lang)
        if row.kind == ReminderKind.ACCOUNT:
            # A fresh one-time link at send time: the outbox never holds a usable token.
            ctx["link"] = set_password_url(create_password_link(user, now))
            ctx["valid_hours"] = config["SET_PASSWORD_TOKEN_HOURS"]
        if row.poll is not None:
            ctx.update(_poll_context(row.poll, user, lang, ctx["base_url"]))
        if row.kind == ReminderKind.DIGEST:
            ctx["digest"] = digest_for(user, now)
            ctx["overdue_since"] = {a.id: format_date(a.due_on, format="medium", locale=lang)
                                    for a in ctx["digest"].overdue_actions}
            ctx["session_days"] = {s.id: format_date(s.starts_at.astimezone(ZoneInfo(user.display_zone)),
                                                     format="medium", locale=lang)
                                   for s in ctx["digest"].sessions_without_notes}
            ctx["programme_title"] = programme_title
        subject = _subject(row, ctx)
        body_text, body_html = _render(row, ctx, subject, lang, cache)
        invite = None
        if row.kind in (ReminderKind.SESSION, ReminderKind.CANCELLED) and row.session is not None:
            invite = _invite_part(row.session, row.kind == ReminderKind.CANCELLED, cache)

    message = EmailMessage()
    message["Subject"] = subject
    _put(message, "From", config["MAIL_DEFAULT_SENDER"])
    _put(message, "To", user.email)
    _put(message, "Message-ID", row.message_id)
    _put(message, "Date", format_datetime(now))
    _put(message, "MIME-Version", "1.0")
    _put(message, "Content-Language", lang)
    _put(message, "Auto-Submitted", "auto-generated")
    _put(message, "X-Auto-Response-Suppress", "All")
    # For mail filters and tests: what this is, without parsing the localised subject.
    _put(message, "X-Matchmaker-Kind", row.kind.value)
    if row.session_id:
        _put(message, "X-Matchmaker-Session", str(row.session_id))
    if row.poll is not None:
        _put(message, "X-Matchmaker-Programme", str(row.poll.programme_id))
        _put(message, "X-Matchmaker-Poll", str(row.poll_id))
    if row.lead_minutes:
        _put(message, "X-Matchmaker-Lead", str(row.lead_minutes))
    # Parts built apart and attached: much cheaper than set_content + add_alternative, which
    # re-parse every part's headers each time a part is added.
    message["Content-Type"] = "multipart/alternative"
    parts = [_part(body_text, "plain"), _part(body_html, "html")] + ([invite] if invite is not None else [])
    for part in parts:
        message.attach(part)  # type: ignore[arg-type]  # typeshed asks for EmailMessage parts
    return message


# Stands for the recipient's name in bodies rendered once for every reader of a session.
_NAME = "\ue000recipient\ue000"
_SHARED_BODIES = (ReminderKind.SESSION, ReminderKind.CANCELLED, ReminderKind.NOTES)


def _render(row: Reminder, ctx: dict, subject: str, lang: str, cache: dict) -> tuple[str, str]:
    """Plain and HTML bodies. A session's bodies depend only on what is in the key, apart from
    the greeting, so they are rendered once per sweep and the (escaped) name is put in after."""
    name = row.recipient.name
    if row.kind not in _SHARED_BODIES:
        return _render_now(row.kind, ctx, subject, lang, name)
    session = ctx["session"]
    key = ("body", row.kind, lang, row.lead_minutes, session.id, session.number, session.agenda,
           session.meeting_url, ctx["title"], ctx["day"], ctx["times"], ctx["end_times"], subject)
    if key not in cache:
        cache[key] = _render_now(row.kind, ctx, subject, lang, _NAME)
    text, html = cache[key]
    return text.replace(_NAME, name), html.replace(_NAME, str(escape(name)))


def _render_now(kind: ReminderKind, ctx: dict, subject: str, lang: str, name: str) -> tuple[str, str]:
    ctx = dict(ctx, recipient_name=name, lang=lang, subject=subject)
    return (render_template(f"reminders/email/{kind.value}.txt", **ctx),
            render_template(f"reminders/email/{kind.value}.html", **ctx))


def _put(message: EmailMessage, name: str, value: str) -> None:
    """Set a header; plain short ASCII values skip the header registry's parse (a third of the
    cost of a message), anything else goes through it and is encoded and folded properly."""
    if value.isascii() and value.isprintable() and len(name) + len(value) < 76:
        message.set_raw(name, value)
    else:
        message[name] = value


def _part(content: str, subtype: str, **params) -> MIMEPart:
    part = MIMEPart()  # not EmailMessage: a part needs no MIME-Version header of its own
    part.set_content(content, subtype=subtype, params=params)
    return part


def _invite_part(session: ProgrammeSession, cancelled: bool, cache: dict) -> MIMEPart:
    """The text/calendar part; one object per session version, shared by all its messages."""
    key = ("invite", session.id, session.sequence, session.updated_at, cancelled)
    if key not in cache:
        method = "CANCEL" if cancelled else "REQUEST"
        cache[key] = _part(session_invite(session, cancelled), "calendar", method=method)
    return cache[key]

"""Programme pages: list, programme timeline, planner forms, calendar feed.

Progress figures (notes logged, open actions) come from the `reports` package through the
`programme_progress` template helper it registers, so this package never imports it.
"""

from datetime import datetime, time, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from matchmaker.errors import Conflict, EditConflict, ValidationError
from matchmaker.extensions import db
from matchmaker.programmes import access, calendar, polls, queries, scheduling, services, sessions
from matchmaker.programmes.forms import (
    CompleteForm,
    CutiBersamaForm,
    PollForm,
    ProgrammeForm,
    ReasonForm,
    SeriesForm,
    SessionForm,
)
from matchmaker.programmes.models import (
    OUTCOME_LABELS,
    SESSION_STATUS_LABELS,
    STATUS_LABELS,
    ProgrammeStatus,
)
from matchmaker.programmes.sessions import to_utc
from matchmaker.timeutils import labelled_times, utcnow, zone_choices

bp = Blueprint("programmes", __name__)

# Errors a form can show next to itself; 403/404 still answer with their error page.
SHOWN_ERRORS = (ValidationError, Conflict)


@bp.app_template_filter("session_when")
def session_when(session) -> Markup:
    """'Sen 27 Jan 2020 · 09:00 WIB / 10:00 WITA': the viewer's zone first, then both cities';
    a session the cities have not both agreed to is labelled "belum disepakati" wherever shown."""
    programme = session.programme
    viewer = current_user.display_zone if current_user.is_authenticated else programme.mentee.timezone
    day = session.starts_at.astimezone(ZoneInfo(viewer)).date()
    times = labelled_times(session.starts_at, [viewer, *programme.zones])
    when = Markup("{} · {}").format(format_date(day, "EEE d MMM yyyy"), times)
    if session.is_tentative:
        when += Markup(' <span class="badge text-bg-warning tentative" title="{}">{}</span>').format(
            _("Kedua kota belum menyetujui program ini; waktu sesi belum pasti."), _("belum disepakati"))
    return when


@bp.app_template_filter("whatsapp_url")
def whatsapp_url(session) -> str:
    """A wa.me link that opens WhatsApp with the session's title, times and meeting link."""
    return "https://wa.me/?" + urlencode({"text": queries.session_share_text(session)},
                                         quote_via=quote)


@bp.app_template_filter("slot_when")
def slot_when(starts_at: datetime, zones: list[str]) -> str:
    """A candidate start as 'Sen 11 Jan 2027 · 09:00 WIB / 10:00 WITA' (the first zone's day)."""
    day = starts_at.astimezone(ZoneInfo(zones[0])).date()
    return f"{format_date(day, 'EEE d MMM yyyy')} · {labelled_times(starts_at, zones)}"


@bp.app_context_processor
def city_section_helpers() -> dict:
    """What templates/programmes/_city_section.html needs inside the city profile."""
    return {
        "programmes_of_city": queries.city_programmes,
        "programme_visible": lambda p: access.is_participant(current_user, p),
        "programme_period": queries.programme_period,
        "programme_status_label": lambda p: STATUS_LABELS[p.status],
        "programme_outcome_label": lambda p: OUTCOME_LABELS.get(p.outcome, p.outcome),
    }


@bp.app_template_filter("local_input")
def local_input(session) -> str:
    """The session's start as a datetime-local input value in its own planning zone."""
    return session.starts_at.astimezone(ZoneInfo(session.timezone)).strftime("%Y-%m-%dT%H:%M")


def _to_programme(programme_id: int, anchor: str = ""):
    return redirect(url_for("programmes.detail", programme_id=programme_id) + anchor, code=303)


def _run(action, success: str, programme_id: int, anchor: str = ""):
    """Run one service, commit, and flash its outcome; on a rule error change nothing."""
    try:
        result = action()
    except SHOWN_ERRORS as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _to_programme(programme_id, anchor)
    db.session.commit()
    flash(success, "success")
    for warning in getattr(result, "warnings", []) or []:
        flash(warning, "warning")
    return _to_programme(programme_id, anchor)


def _form_errors(form) -> str:
    return "; ".join(f"{getattr(form, name).label.text}: {' '.join(errors)}"
                     for name, errors in form.errors.items())


def _next_monday_nine(now: datetime, zone: str) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    days = (7 - local.weekday()) % 7 or 7
    return datetime.combine(local.date() + timedelta(days=days), time(9, 0))


@bp.route("/programmes")
@login_required
def index(feed_url: str | None = None):
    now = utcnow()
    status = request.args.get("status", "")
    if status not in set(ProgrammeStatus):
        status = ""
    return render_template("programmes/index.html",
                           programmes=queries.list_programmes(current_user, status), status=status,
                           recent=queries.recent_sessions(current_user, now),
                           upcoming=queries.upcoming_sessions(current_user, now),
                           feed_url=feed_url, now=now)


@bp.route("/programmes/new", methods=["GET", "POST"])
@login_required
def new():
    access.ensure_can_manage(current_user)
    form = ProgrammeForm()
    if not form.is_submitted():
        form.mentor.data = form.mentor.data or request.args.get("mentor", "")
        form.mentee.data = form.mentee.data or request.args.get("mentee", "")
        form.topic.data = request.args.get("topic", form.topic.data)
    if form.validate_on_submit():
        try:
            programme = services.create_programme(
                current_user, form.mentor.data, form.mentee.data, form.topic.data, utcnow(),
                title=form.title.data or "", need_id=_int_or_none(form.need_id.data),
                practice_id=_int_or_none(form.practice_id.data))
        except SHOWN_ERRORS as error:
            db.session.rollback()
            field = getattr(form, error.field or "", None) or form.mentee
            field.errors = [*field.errors, error.message]
        else:
            db.session.commit()
            flash(_("Program diusulkan. Menunggu jawaban kedua kota."), "success")
            return _to_programme(programme.id)
    return render_template("programmes/new.html", form=form), 400 if form.errors else 200


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        raise ValidationError(_("Nomor tidak valid."), field="need_id") from None


@bp.route("/programmes/from-recommendation", methods=["POST"])
@login_required
def create_from_recommendation():
    """The matching page's 'create programme' button posts here."""
    form = request.form
    try:
        programme = services.create_programme(
            current_user, form.get("mentor", ""), form.get("mentee", ""), form.get("topic", ""),
            utcnow(), title=form.get("title", ""), need_id=_int_or_none(form.get("need_id")),
            practice_id=_int_or_none(form.get("practice_id")))
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "warning")
        existing = getattr(error, "programme_id", None)
        if existing is not None:
            return _to_programme(existing)
        return redirect(url_for("programmes.index"), code=303)
    except ValidationError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("programmes.index"), code=303)
    db.session.commit()
    flash(_("Program diusulkan dari rekomendasi. Rencanakan sesinya di bawah."), "success")
    return _to_programme(programme.id)


@bp.route("/programmes/<int:programme_id>")
@login_required
def detail(programme_id: int):
    programme = access.get_programme(current_user, programme_id)
    now = utcnow()
    zone = programme.mentee.timezone
    defaults = sessions.series_defaults()
    series = SeriesForm(formdata=None, timezone=zone, first_start=_next_monday_nine(now, zone),
                        agendas="\n".join(sessions.default_agenda(i + 1)
                                          for i in range(defaults["count"])), **defaults)
    add = SessionForm(formdata=None, timezone=zone, starts_at=_next_monday_nine(now, zone),
                      duration_minutes=defaults["duration_minutes"],
                      meeting_url=next((s.meeting_url for s in reversed(programme.sessions)
                                        if s.meeting_url), ""))
    return render_template(
        "programmes/detail.html", programme=programme, now=now,
        side=access.city_side(current_user, programme),
        can_plan=access.can_plan(current_user, programme),
        series_form=series, add_form=add, reason_form=ReasonForm(formdata=None),
        complete_form=CompleteForm(formdata=None), zones=zone_choices(),
        waiting=queries.waiting_for(programme), outcome_labels=OUTCOME_LABELS,
        session_checks=scheduling.checks_by_session(programme, now),
        polls=polls.programme_polls(programme),
        status_labels=STATUS_LABELS, session_labels=SESSION_STATUS_LABELS)


@bp.route("/programmes/<int:programme_id>/accept", methods=["POST"])
@login_required
def accept(programme_id: int):
    programme = access.get_programme(current_user, programme_id)
    return _run(lambda: services.respond_to_proposal(current_user, programme, True, utcnow()),
                _("Kota Anda menyetujui program ini."), programme_id)


@bp.route("/programmes/<int:programme_id>/decline", methods=["POST"])
@login_required
def decline(programme_id: int):
    programme = access.get_programme(current_user, programme_id)
    reason = request.form.get("reason", "")
    return _run(lambda: services.respond_to_proposal(current_user, programme, False, utcnow(), reason),
                _("Kota Anda menolak program ini."), programme_id)


@bp.route("/programmes/<int:programme_id>/agree", methods=["POST"])
@login_required
def record_agreement(programme_id: int):
    programme = access.get_programme(current_user, programme_id)
    note = request.form.get("reason", "")
    return _run(lambda: services.record_agreement(current_user, programme, utcnow(), note),
                _("Kesepakatan dicatat."), programme_id)


@bp.route("/programmes/<int:programme_id>/activate", methods=["POST"])
@login_required
def activate(programme_id: int):
    programme = access.get_programme(current_user, programme_id)
    return _run(lambda: services.activate_programme(current_user, programme, utcnow()),
                _("Program berjalan."), programme_id)


@bp.route("/programmes/<int:programme_id>/cancel", methods=["POST"])
@login_required
def cancel(programme_id: int):
    programme = access.get_programme(current_user, programme_id)
    reason = request.form.get("reason", "")
    return _run(lambda: services.cancel_programme(current_user, programme, reason, utcnow()),
                _("Program dibatalkan."), programme_id)


@bp.route("/programmes/<int:programme_id>/complete", methods=["POST"])
@login_required
def complete(programme_id: int):
    programme = access.get_programme(current_user, programme_id)
    form = CompleteForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "danger")
        return _to_programme(programme_id, "#complete")
    return _run(lambda: services.complete_programme(
        current_user, programme, form.outcome.data, utcnow(), outcome_on=form.outcome_on.data,
        evidence=form.evidence.data or ""), _("Program selesai; hasil replikasi tercatat."),
        programme_id)


@bp.route("/programmes/<int:programme_id>/series", methods=["POST"])
@login_required
def plan_series(programme_id: int):
    programme = access.get_programme(current_user, programme_id)
    form = SeriesForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "danger")
        return _to_programme(programme_id, "#planner")
    agendas = [line.strip() for line in (form.agendas.data or "").splitlines() if line.strip()]

    def plan():
        return sessions.plan_series(
            current_user, programme, form.count.data, form.first_start.data, utcnow(),
            timezone=form.timezone.data, interval_days=form.interval_days.data,
            duration_minutes=form.duration_minutes.data, meeting_url=form.meeting_url.data or "",
            generate_meeting_url=form.generate_meeting_url.data, agendas=agendas[:form.count.data],
            adding=form.adding.data)

    if form.preview.data:
        return _preview(programme, form, plan)
    return _run(plan, _("Sesi direncanakan."), programme_id, "#sessions")


def _preview(programme, form, plan):
    """Plan the series, read its times and checks, and roll it all back: nothing is saved."""
    try:
        planned = plan()
    except SHOWN_ERRORS as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _to_programme(programme.id, "#planner")
    rows = [(s.number, s.starts_at, s.duration_minutes,
             [c for c in planned.checks if c.session == s.number]) for s in planned.sessions]
    warnings = planned.warnings
    db.session.rollback()
    return render_template("programmes/preview.html", programme=programme, rows=rows,
                           warnings=warnings, series_form=form)


@bp.route("/programmes/<int:programme_id>/sessions", methods=["POST"])
@login_required
def add_session(programme_id: int):
    programme = access.get_programme(current_user, programme_id)
    form = SessionForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "danger")
        return _to_programme(programme_id, "#sessions")
    return _run(lambda: sessions.add_session(
        current_user, programme, form.starts_at.data, utcnow(), timezone=form.timezone.data,
        duration_minutes=form.duration_minutes.data, meeting_url=form.meeting_url.data or "",
        generate_meeting_url=form.generate_meeting_url.data,
        agenda=form.agenda.data or ""), _("Sesi ditambahkan."), programme_id, "#sessions")


@bp.route("/sessions/<int:session_id>/edit", methods=["POST"])
@login_required
def edit_session(session_id: int):
    session = access.get_session(current_user, session_id)
    form = SessionForm()
    if not form.validate_on_submit():
        flash(_form_errors(form), "danger")
        return _to_programme(session.programme_id, f"#session-{session.id}")
    try:
        planned = sessions.update_session(
            current_user, session, utcnow(), starts_at=form.starts_at.data, timezone=form.timezone.data,
            duration_minutes=form.duration_minutes.data, meeting_url=form.meeting_url.data or "",
            agenda=form.agenda.data or "", version=form.version.data)
    except EditConflict:
        db.session.rollback()
        # Someone else changed the session first: show theirs, keep this user's form, nothing lost.
        form.version.data = session.version
        return render_template("programmes/session_conflict.html", session=session,
                               programme=session.programme, form=form,
                               conflict=_session_conflict(session, form)), 409
    except SHOWN_ERRORS as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _to_programme(session.programme_id, f"#session-{session.id}")
    db.session.commit()
    flash(_("Sesi diperbarui."), "success")
    for warning in planned.warnings:
        flash(warning, "warning")
    return _to_programme(session.programme_id, f"#session-{session.id}")


def _session_conflict(session, form) -> list[tuple]:
    """Each field of the session form: the stored value and the one this user sent."""
    return [(form.starts_at.label.text, session_when(session), labelled_times(
                to_utc(form.starts_at.data, form.timezone.data), session.programme.zones)),
            (form.timezone.label.text, session.timezone, form.timezone.data),
            (form.duration_minutes.label.text, session.duration_minutes, form.duration_minutes.data),
            (form.meeting_url.label.text, session.meeting_url, form.meeting_url.data),
            (form.agenda.label.text, session.agenda, form.agenda.data)]


@bp.route("/sessions/<int:session_id>/take-suggestion", methods=["POST"])
@login_required
def take_suggestion(session_id: int):
    """The one-click move of a flagged session to its suggested free slot."""
    session = access.get_session(current_user, session_id)
    return _run(lambda: sessions.update_session(
        current_user, session, utcnow(), starts_at=request.form.get("starts_at", "")),
        _("Sesi dipindah ke slot yang disarankan."), session.programme_id, f"#session-{session.id}")


@bp.route("/programmes/<int:programme_id>/polls/new", methods=["GET", "POST"])
@login_required
def new_poll(programme_id: int):
    """The facilitator proposes candidate slots for the first session or for moving one."""
    programme = access.get_programme(current_user, programme_id)
    access.ensure_can_plan(current_user, programme)
    form = PollForm(timezone=programme.mentee.timezone,
                    duration_minutes=sessions.series_defaults()["duration_minutes"])
    form.session_id.choices = [("", _("Sesi pertama (merencanakan rangkaian)"))] + [
        (str(s.id), _("Memindah sesi %(n)d", n=s.number)) for s in programme.sessions
        if s.status.value == "planned"]
    if form.validate_on_submit():
        session = (access.get_session(current_user, int(form.session_id.data))
                   if form.session_id.data else None)
        try:
            poll = polls.open_poll(current_user, programme, [o for o in form.options.data if o],
                                   utcnow(), timezone=form.timezone.data,
                                   duration_minutes=form.duration_minutes.data, session=session)
        except SHOWN_ERRORS as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Jajak waktu dibuka; Pokja kedua kota mendapat e-mail."), "success")
            return redirect(url_for("programmes.poll", poll_id=poll.id), code=303)
    return render_template("programmes/poll_new.html", programme=programme, form=form)


@bp.route("/polls/<int:poll_id>")
@login_required
def poll(poll_id: int):
    """The poll: Pokja mark the slots they can attend; facilitators see who can and choose."""
    poll = access.get_poll(current_user, poll_id)
    return render_template("programmes/poll.html", poll=poll, programme=poll.programme,
                           summary=polls.summarise(poll, utcnow(), current_user),
                           can_answer=access.can_answer_poll(current_user, poll),
                           can_plan=access.can_plan(current_user, poll.programme),
                           defaults=sessions.series_defaults())


def _to_poll(poll_id: int):
    return redirect(url_for("programmes.poll", poll_id=poll_id), code=303)


@bp.route("/polls/<int:poll_id>/answer", methods=["POST"])
@login_required
def answer_poll(poll_id: int):
    poll = access.get_poll(current_user, poll_id)
    try:
        chosen = [int(value) for value in request.form.getlist("available")]
        polls.answer_poll(current_user, poll, chosen, utcnow())
    except ValueError:
        flash(_("Pilihan tidak valid."), "danger")
        return _to_poll(poll_id)
    except SHOWN_ERRORS as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _to_poll(poll_id)
    db.session.commit()
    flash(_("Jawaban Anda tersimpan."), "success")
    return _to_poll(poll_id)


@bp.route("/polls/<int:poll_id>/choose", methods=["POST"])
@login_required
def choose_poll_option(poll_id: int):
    poll = access.get_poll(current_user, poll_id)
    form = request.form
    try:
        option = int(form.get("option", ""))
        count = int(form["count"]) if form.get("count") else None
        interval = int(form["interval_days"]) if form.get("interval_days") else None
    except ValueError:
        flash(_("Pilihan tidak valid."), "danger")
        return _to_poll(poll_id)
    return _run(lambda: polls.choose_option(
        current_user, poll, option, utcnow(), count=count, interval_days=interval,
        meeting_url=form.get("meeting_url", ""),
        generate_meeting_url=bool(form.get("generate_meeting_url"))),
        _("Waktu dipilih; sesi direncanakan."), poll.programme_id, "#sessions")


@bp.route("/polls/<int:poll_id>/close", methods=["POST"])
@login_required
def close_poll(poll_id: int):
    poll = access.get_poll(current_user, poll_id)
    return _run(lambda: polls.close_poll(current_user, poll, utcnow()),
                _("Jajak waktu ditutup."), poll.programme_id, "#polls")


@bp.route("/calendar/cuti-bersama", methods=["GET", "POST"])
@login_required
def cuti_bersama():
    """The year's cuti bersama days, which the calendar checks treat as days off."""
    access.ensure_can_manage(current_user)
    form = CutiBersamaForm()
    if form.validate_on_submit():
        try:
            scheduling.add_cuti_bersama(current_user, form.day.data, form.name.data, utcnow())
        except SHOWN_ERRORS as error:
            db.session.rollback()
            form.day.errors = [*form.day.errors, error.message]
        else:
            db.session.commit()
            flash(_("Cuti bersama dicatat."), "success")
            return redirect(url_for("programmes.cuti_bersama"), code=303)
    return render_template("programmes/cuti_bersama.html", form=form,
                           days=scheduling.list_cuti_bersama()), 400 if form.errors else 200


@bp.route("/calendar/cuti-bersama/<int:row_id>/delete", methods=["POST"])
@login_required
def delete_cuti_bersama(row_id: int):
    scheduling.delete_cuti_bersama(current_user, row_id)
    db.session.commit()
    flash(_("Cuti bersama dihapus."), "info")
    return redirect(url_for("programmes.cuti_bersama"), code=303)


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@login_required
def cancel_session(session_id: int):
    session = access.get_session(current_user, session_id)
    reason = request.form.get("reason", "")
    return _run(lambda: sessions.cancel_session(current_user, session, utcnow(), reason),
                _("Sesi dibatalkan."), session.programme_id, f"#session-{session.id}")


@bp.route("/sessions/<int:session_id>/held", methods=["POST"])
@login_required
def mark_held(session_id: int):
    session = access.get_session(current_user, session_id)
    return _run(lambda: services.mark_session_held(current_user, session, utcnow()),
                _("Sesi tercatat terlaksana."), session.programme_id, f"#session-{session.id}")


@bp.route("/calendar/token", methods=["POST"])
@login_required
def calendar_token():
    if request.form.get("action") == "revoke":
        calendar.revoke_calendar_token(current_user)
        flash(_("Alamat langganan kalender dicabut."), "info")
        db.session.commit()
        return redirect(url_for("programmes.index") + "#calendar-feed", code=303)
    token = calendar.create_calendar_token(current_user)
    db.session.commit()
    flash(_("Alamat langganan kalender baru dibuat; alamat lama tidak berlaku lagi. Salin sekarang: "
            "alamat ini hanya ditampilkan sekali."), "success")
    # Only the token's hash is stored: this answer is the one time the address can be shown.
    return index(feed_url=calendar.calendar_feed_url(token))


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str):
    """The private subscription feed: no sign-in, the unguessable token is the key."""
    user = calendar.user_for_calendar_token(token)
    body = calendar.feed_calendar(queries.feed_sessions(user), f"Matchmaker · {user.name}")
    return Response(body, mimetype="text/calendar",
                    headers={"Cache-Control": "private, max-age=300",
                             "Content-Disposition": 'inline; filename="matchmaker.ics"'})


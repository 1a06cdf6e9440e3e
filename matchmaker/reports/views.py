"""Report pages: the facilitator dashboard, a programme's printable report, CSV exports; and the
`programme_progress` template helper the programme pages use."""

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_login import current_user, login_required

from matchmaker import pagecache
from matchmaker.programmes.access import get_programme
from matchmaker.programmes.models import OUTCOME_LABELS, SESSION_STATUS_LABELS, STATUS_LABELS
from matchmaker.programmes.queries import programme_period
from matchmaker.reports import agenda, exports, progress
from matchmaker.timeutils import utcnow

bp = Blueprint("reports", __name__)


@bp.app_context_processor
def progress_helpers() -> dict:
    """Let the programme pages show what was logged: `programme_progress(programmes)` -> {id: progress}."""
    return {"programme_progress": lambda programmes: progress.progress_for(list(programmes), utcnow())}


@bp.app_context_processor
def agenda_helpers() -> dict:
    """The navbar badge: how many things wait on the signed-in user (computed when shown, kept
    like a page: per data version, for at most PAGE_CACHE_SECONDS)."""
    return {"waiting_count": lambda: pagecache.remembered(
        "waiting_count", lambda: agenda.agenda_for(current_user, utcnow()).waiting_count)}


@bp.route("/")
@login_required
def home():
    endpoint = agenda.home_endpoint(current_user)
    if endpoint:
        return redirect(url_for(endpoint))
    now = utcnow()
    return render_template("reports/home.html", agenda=agenda.agenda_for(current_user, now),
                           now=now, zone=current_user.display_zone,
                           session_times=agenda.session_times)


@bp.route("/dashboard")
@login_required
def dashboard():
    now = utcnow()
    return render_template("reports/dashboard.html", board=progress.dashboard(current_user, now),
                           now=now, status_labels=STATUS_LABELS)


@bp.route("/programmes/<int:programme_id>/report")
@login_required
def report(programme_id: int):
    programme = get_programme(current_user, programme_id)
    now = utcnow()
    item = progress.programme_progress(current_user, programme, now)
    return render_template("reports/report.html", programme=programme, progress=item,
                           now=now, outcome_labels=OUTCOME_LABELS, status_labels=STATUS_LABELS,
                           session_labels=SESSION_STATUS_LABELS, period=programme_period(programme))


def _csv_response(text: str, filename: str) -> Response:
    # A BOM lets spreadsheet programs open the UTF-8 file with the right characters.
    return Response("\ufeff" + text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/programmes/<int:programme_id>/export.csv")
@login_required
def export_programme(programme_id: int):
    programme = get_programme(current_user, programme_id)
    return _csv_response(exports.programme_sessions_csv(current_user, programme, utcnow()),
                         f"programme-{programme.id}-sessions.csv")


@bp.route("/programmes/export.csv")
@login_required
def export_all():
    return _csv_response(exports.programmes_csv(current_user, utcnow()), "programmes.csv")


@bp.route("/match/feedback.csv")
@login_required
def export_match_feedback():
    return _csv_response(exports.match_feedback_csv(current_user), "match-feedback.csv")

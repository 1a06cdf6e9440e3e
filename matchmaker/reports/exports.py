"""CSV exports of programmes, of one programme's sessions, and of facilitators' matching
feedback (for calibrating the engine later), for spreadsheets."""

import csv
import io
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from matchmaker.access import Actor
from matchmaker.matching.feedback import list_feedback
from matchmaker.matching.models import FEEDBACK_LABELS
from matchmaker.programmes.models import OUTCOME_LABELS, STATUS_LABELS, Programme, ReplicationOutcome
from matchmaker.programmes.queries import list_programmes, programme_period, session_local_times
from matchmaker.reports.progress import programme_progress, progress_for
from matchmaker.timeutils import iso_utc


def _cell(value) -> str:
    """Neutralise spreadsheet formulas in user-written text (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(name) for name in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


# Column headers in the reader's language (source strings are Bahasa Indonesia).
PROGRAMMES_HEADER = [
    _l("ID"), _l("Judul"), _l("Topik"), _l("Kode mentor"), _l("Mentor"), _l("Kode mentee"),
    _l("Mentee"), _l("Status"), _l("Alasan status"), _l("Dibuat (UTC)"), _l("Disepakati (UTC)"),
    _l("Sesi pertama (UTC)"), _l("Sesi terakhir (UTC)"), _l("Sesi direncanakan"),
    _l("Sesi terlaksana"), _l("Sesi dibatalkan"), _l("Sesi bercatatan"),
    _l("Tindak lanjut terbuka"), _l("Tindak lanjut terlambat"), _l("Kode hasil"), _l("Hasil"),
    _l("Hasil sejak"), _l("Bukti hasil")]


def programmes_csv(actor: Actor | None, now: datetime) -> str:
    """One row per programme the user may read."""
    programmes = list_programmes(actor)
    progress = progress_for(programmes, now)
    rows = []
    for programme in programmes:
        item = progress[programme.id]
        counts = item.counts()
        first, last = programme_period(programme)
        rows.append([
            programme.id, programme.display_title, programme.topic, programme.mentor.code,
            programme.mentor.name, programme.mentee.code, programme.mentee.name,
            programme.status.value, programme.status_reason, iso_utc(programme.created_at),
            iso_utc(programme.agreed_at), iso_utc(first), iso_utc(last), counts["planned"],
            counts["held"], counts["cancelled"], counts["with_notes"], item.open_actions,
            item.overdue_actions, programme.outcome or "",
            str(OUTCOME_LABELS[ReplicationOutcome(programme.outcome)]) if programme.outcome else "",
            programme.outcome_on.date().isoformat() if programme.outcome_on else "",
            programme.outcome_evidence])
    return _csv(PROGRAMMES_HEADER, rows)


def programme_sessions_csv(actor: Actor | None, programme: Programme, now: datetime) -> str:
    """One row per session of a programme, with both cities' local times."""
    item = programme_progress(actor, programme, now)
    header = [_("ID program"), _("Program"), _("Status program"), _("Sesi"), _("Mulai (UTC)"),
              _("Waktu %(city)s", city=programme.mentee.name),
              _("Waktu %(city)s", city=programme.mentor.name), _("Durasi (menit)"), _("Status"),
              _("Agenda"), _("Tautan rapat"), _("Ada catatan")]
    rows = []
    for s in programme.sessions:
        local = session_local_times(s, "%Y-%m-%d %H:%M")
        rows.append([programme.id, programme.display_title, str(STATUS_LABELS[programme.status]),
                     s.number, iso_utc(s.starts_at), local[programme.mentee.code],
                     local[programme.mentor.code], s.duration_minutes, s.status.value, s.agenda,
                     s.meeting_url, _("ya") if item.has_notes(s) else _("tidak")])
    return _csv(header, rows)


FEEDBACK_HEADER = ["id", "created_at", "created_by", "topic", "mentee_code", "mentee", "mentor_code",
                   "mentor", "need_id", "need", "practice_id", "practice", "reason", "reason_label",
                   "note"]


def match_feedback_csv(actor: Actor | None) -> str:
    """One row per "not a good match" a facilitator gave on a recommendation (facilitators)."""
    rows = [[f.id, iso_utc(f.created_at), f.created_by.email if f.created_by else "", f.topic,
             f.mentee.code, f.mentee.name, f.mentor.code, f.mentor.name, f.need_id or "",
             f.need.title if f.need else "", f.practice_id or "",
             f.practice.title if f.practice else "", f.reason.value,
             str(FEEDBACK_LABELS[f.reason]), f.note] for f in list_feedback(actor)]
    return _csv(FEEDBACK_HEADER, rows)

"""Web pages of the reminders package: the admin outbox and each user's on/off switch."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.extensions import db
from matchmaker.reminders import services
from matchmaker.reminders.forms import ReminderSettingsForm
from matchmaker.reminders.models import KIND_LABELS, STATUS_LABELS, ReminderKind, ReminderStatus
from matchmaker.timeutils import utcnow

bp = Blueprint("reminders", __name__)


@bp.route("/admin/outbox")
@login_required
def outbox():
    filters = {name: request.args.get(name, "").strip() for name in ("status", "kind", "q")}
    rows = services.list_outbox(current_user, filters["status"] or None, filters["kind"] or None,
                                filters["q"] or None)
    return render_template("reminders/outbox.html", rows=rows, filters=filters,
                           counts=services.outbox_counts(current_user),
                           statuses=list(ReminderStatus), kinds=list(ReminderKind),
                           kind_labels=KIND_LABELS, status_labels=STATUS_LABELS)


@bp.route("/admin/outbox/<int:reminder_id>/resend", methods=["POST"])
@login_required
def resend(reminder_id: int):
    services.resend_reminder(current_user, reminder_id, utcnow())
    db.session.commit()
    flash(_("Pengingat #%(id)d masuk antrean lagi; dikirim pada sapuan berikutnya.", id=reminder_id),
          "success")
    return redirect(url_for("reminders.outbox"))


@bp.route("/account/reminders", methods=["GET", "POST"])
@login_required
def settings():
    form = ReminderSettingsForm(obj=current_user)
    if form.validate_on_submit():
        services.set_reminders_enabled(current_user, form.reminders_enabled.data)
        db.session.commit()
        flash(_("Pengaturan pengingat disimpan."), "success")
        return redirect(url_for("reminders.settings"))
    return render_template("reminders/settings.html", form=form)

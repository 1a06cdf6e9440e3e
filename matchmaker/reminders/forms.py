"""Input shapes of the reminders pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class ReminderSettingsForm(FlaskForm):
    reminders_enabled = BooleanField(_l("Kirimi saya pengingat sesi, tindak lanjut, dan ringkasan"))
    submit = SubmitField(_l("Simpan"))

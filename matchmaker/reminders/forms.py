"""Input shapes of the reminders pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField

from matchmaker.formutils import BaseForm


class ReminderSettingsForm(BaseForm):
    reminders_enabled = BooleanField(_l("Kirimi saya pengingat sesi, tindak lanjut, dan ringkasan"))
    submit = SubmitField(_l("Simpan"))

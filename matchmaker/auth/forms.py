"""Input shapes of the sign-in and account pages."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional

from matchmaker.auth.services import MIN_PASSWORD_LENGTH
from matchmaker.cities.services import city_names
from matchmaker.formutils import BaseForm, choices
from matchmaker.timeutils import zone_choices
from matchmaker.vocab import ROLES

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired()])
    submit = SubmitField(_l("Masuk"))


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Kirim tautan"))


class SetPasswordForm(BaseForm):
    password = PasswordField(_l("Kata sandi baru"),
                             validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)])
    confirm = PasswordField(_l("Ulangi kata sandi"),
                            validators=[DataRequired(), EqualTo("password", _l("Tidak sama."))])
    submit = SubmitField(_l("Simpan kata sandi"))


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired()])


class UserForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Nama"), validators=[Optional(), Length(max=200)])
    # The least-privileged role unless the admin chooses another.
    role = SelectField(_l("Peran"), choices=choices(ROLES), default="viewer")
    city = SelectField(_l("Kota (untuk Pokja)"), validate_choice=False)
    language = SelectField(_l("Bahasa"), choices=choices(LANGUAGES))
    submit = SubmitField(_l("Buat pengguna"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.city.choices = choices(city_names(), "—")


class ApiTokenForm(BaseForm):
    name = StringField(_l("Nama token (untuk apa?)"), validators=[DataRequired(), Length(max=100)])
    days = IntegerField(_l("Berlaku (hari)"), validators=[Optional(), NumberRange(min=1, max=366)])
    submit = SubmitField(_l("Buat token"))


class PreferencesForm(BaseForm):
    language = SelectField(_l("Bahasa"), choices=choices(LANGUAGES))
    timezone = SelectField(_l("Zona waktu"), choices=choices(zone_choices(), _l("Zona kota saya")))
    submit = SubmitField(_l("Simpan"))

"""Input shapes of the profile forms; the rules themselves live in cities.schema."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from matchmaker.formutils import choices
from matchmaker.vocab import FISCAL_CAPACITY, MATURITY, PRIORITY, TOPICS


class PracticeForm(FlaskForm):
    topic = SelectField(_l("Topik"), choices=choices(TOPICS))
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Uraian"), validators=[Optional(), Length(max=20000)])
    maturity = SelectField(_l("Tingkat kematangan"), choices=choices(MATURITY))
    started_year = IntegerField(_l("Tahun mulai"),
                                validators=[Optional(), NumberRange(1945, 2100)])
    outcomes = TextAreaField(_l("Hasil"), validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Simpan"))


class NeedForm(FlaskForm):
    topic = SelectField(_l("Topik"), choices=choices(TOPICS))
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Uraian"), validators=[Optional(), Length(max=20000)])
    priority = SelectField(_l("Prioritas"), choices=choices(PRIORITY), default="medium")
    submit = SubmitField(_l("Simpan"))


class IndicatorForm(FlaskForm):
    year = IntegerField(_l("Tahun"), validators=[DataRequired(), NumberRange(1945, 2100)])
    sanitation_access_pct = FloatField(_l("Akses sanitasi layak (%)"),
                                       validators=[Optional(), NumberRange(0, 100)])
    drinking_water_access_pct = FloatField(_l("Akses air minum layak (%)"),
                                           validators=[Optional(), NumberRange(0, 100)])
    slum_area_ha = FloatField(_l("Luas kumuh (ha)"), validators=[Optional(), NumberRange(0)])
    fiscal_capacity = SelectField(_l("Kapasitas fiskal"), choices=choices(FISCAL_CAPACITY, "—"))
    submit = SubmitField(_l("Simpan"))


def form_record(form: FlaskForm) -> dict:
    """The form's data as an import-format record (None for empty optional fields)."""
    return {name: (field.data if field.data != "" else None)
            for name, field in form._fields.items() if name not in {"submit", "csrf_token"}}

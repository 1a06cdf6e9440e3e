"""Input shapes of the matching pages: the mentor search and the cohort filters (GET forms)."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SubmitField, TextAreaField
from wtforms.validators import NumberRange, Optional

from matchmaker.formutils import BaseForm, choices
from matchmaker.vocab import PRIORITY, TOPICS


class RecommendForm(BaseForm):
    class Meta:
        csrf = False  # a search: GET, changes nothing

    city = SelectField(_l("Kota/kabupaten yang belajar (mentee)"), choices=[])
    topic = SelectField(_l("Topik"), choices=choices(TOPICS, "—"))
    text = TextAreaField(_l("Uraian kebutuhan (opsional)"), validators=[Optional()])
    limit = IntegerField(_l("Jumlah"), default=10, validators=[Optional(), NumberRange(1, 100)])
    submit = SubmitField(_l("Cari mentor"))


class CohortFilterForm(BaseForm):
    class Meta:
        csrf = False

    topic = SelectField(_l("Topik"), choices=choices(TOPICS, "—"))
    province = SelectField(_l("Provinsi"), choices=[])
    priority = SelectField(_l("Prioritas"), choices=choices(PRIORITY, "—"))
    submit = SubmitField(_l("Tampilkan kebutuhan"))

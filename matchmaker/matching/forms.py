"""Input shapes of the matching pages: the mentor search and cohort filters (GET forms), and
the "not a good match" feedback on a recommendation, a glossary group added by an admin."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from matchmaker.formutils import BaseForm, choices
from matchmaker.matching.feedback import NOTE_MAX
from matchmaker.matching.models import FEEDBACK_LABELS
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


class FeedbackForm(BaseForm):
    """ "Not a good match" on one recommended mentor; the hidden fields name the pair."""

    mentee = HiddenField(validators=[DataRequired()])
    mentor = HiddenField(validators=[DataRequired()])
    topic = HiddenField(validators=[DataRequired()])
    need_id = HiddenField()
    practice_id = HiddenField()
    back = HiddenField()
    reason = SelectField(_l("Alasan"), choices=choices({k.value: v for k, v in FEEDBACK_LABELS.items()}))
    note = TextAreaField(_l("Keterangan (wajib untuk \"lainnya\")"),
                         validators=[Optional(), Length(max=NOTE_MAX)])
    submit = SubmitField(_l("Bukan pasangan yang cocok"))


class GlossaryGroupForm(BaseForm):
    """A concept group: one wording per line in each terms box; broader groups by id, comma-separated."""

    group_id = StringField(_l("Kode kelompok"), validators=[DataRequired(), Length(max=64)])
    label_id = StringField(_l("Label (Bahasa Indonesia)"), validators=[DataRequired(), Length(max=200)])
    label_en = StringField(_l("Label (Inggris)"), validators=[DataRequired(), Length(max=200)])
    terms_id = TextAreaField(_l("Istilah Indonesia (satu per baris)"))
    terms_acronym = TextAreaField(_l("Singkatan"))
    terms_colloquial = TextAreaField(_l("Bentuk sehari-hari"))
    terms_en = TextAreaField(_l("Istilah Inggris"))
    topics = SelectMultipleField(_l("Topik"), choices=choices(TOPICS), validators=[Optional()])
    broader = StringField(_l("Kelompok yang lebih luas (kode, pisahkan dengan koma)"),
                          validators=[Optional(), Length(max=300)])
    source = TextAreaField(_l("Sumber"), validators=[DataRequired(), Length(max=1000)])
    submit = SubmitField(_l("Tambahkan kelompok"))

    def as_data(self) -> dict:
        """The input of glossary_groups.add_glossary_group."""
        return {"group_id": self.group_id.data, "label_id": self.label_id.data,
                "label_en": self.label_en.data, "topics": self.topics.data or [],
                "terms": {kind: (getattr(self, f"terms_{kind}").data or "").splitlines()
                          for kind in ("id", "acronym", "colloquial", "en")},
                "broader": (self.broader.data or "").split(","), "source": self.source.data}


class WithdrawFeedbackForm(BaseForm):
    back = HiddenField()
    submit = SubmitField(_l("Batalkan tanda"))

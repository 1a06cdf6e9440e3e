"""Input shapes of the programme pages; the services check the rules."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from matchmaker.formutils import BaseForm, VersionField, choices
from matchmaker.programmes.models import OUTCOME_LABELS
from matchmaker.timeutils import zone_choices
from matchmaker.vocab import TOPICS

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


class ProgrammeForm(BaseForm):
    mentor = StringField(_l("Kode kota mentor"), validators=[DataRequired(), Length(max=8)],
                         description=_l("Kode Kemendagri, mis. 74.71"))
    mentee = StringField(_l("Kode kota mentee"), validators=[DataRequired(), Length(max=8)],
                         description=_l("Kode Kemendagri, mis. 35.72"))
    topic = SelectField(_l("Topik"), choices=choices(TOPICS))
    title = StringField(_l("Judul (opsional)"), validators=[Optional(), Length(max=200)])
    need_id = HiddenField()
    practice_id = HiddenField()
    submit = SubmitField(_l("Usulkan program"))


class SeriesForm(BaseForm):
    count = IntegerField(_l("Jumlah sesi"), validators=[InputRequired(), NumberRange(1, 24)])
    first_start = DateTimeLocalField(_l("Sesi pertama (waktu setempat)"), format=LOCAL_FORMAT,
                                     validators=[InputRequired()])
    timezone = SelectField(_l("Zona waktu"), choices=choices(zone_choices()))
    interval_days = IntegerField(_l("Jarak antarsesi (hari)"),
                                 validators=[InputRequired(), NumberRange(1, 90)])
    duration_minutes = IntegerField(_l("Durasi (menit)"),
                                    validators=[InputRequired(), NumberRange(15, 600)])
    meeting_url = StringField(_l("Tautan rapat"), validators=[Optional(), Length(max=500)])
    generate_meeting_url = BooleanField(_l("Buat tautan rapat otomatis bila kosong"))
    agendas = TextAreaField(_l("Agenda, satu baris per sesi"), render_kw={"rows": 6})
    adding = BooleanField(_l("Tambahkan ke sesi yang ada"),
                          description=_l("Tanpa centang ini, program yang sudah punya sesi menolak "
                                         "rangkaian kedua (mis. formulir terkirim dua kali)."))
    submit = SubmitField(_l("Rencanakan sesi"))
    preview = SubmitField(_l("Periksa kalender dulu"))


class SessionForm(BaseForm):
    starts_at = DateTimeLocalField(_l("Mulai (waktu setempat)"), format=LOCAL_FORMAT,
                                   validators=[InputRequired()])
    timezone = SelectField(_l("Zona waktu"), choices=choices(zone_choices()))
    duration_minutes = IntegerField(_l("Durasi (menit)"),
                                    validators=[InputRequired(), NumberRange(15, 600)])
    meeting_url = StringField(_l("Tautan rapat"), validators=[Optional(), Length(max=500)])
    generate_meeting_url = BooleanField(_l("Buat tautan rapat otomatis bila kosong"))
    agenda = StringField(_l("Agenda"), validators=[Optional(), Length(max=500)])
    version = VersionField()
    submit = SubmitField(_l("Simpan sesi"))


class CutiBersamaForm(BaseForm):
    day = DateField(_l("Tanggal"), validators=[InputRequired()])
    name = StringField(_l("Keterangan"), validators=[DataRequired(), Length(max=200)],
                       description=_l("mis. Cuti bersama Idul Fitri (SKB 3 Menteri)"))
    submit = SubmitField(_l("Tambahkan"))


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Alasan"), validators=[Optional(), Length(max=2000)],
                           render_kw={"rows": 2})
    submit = SubmitField(_l("Kirim"))


class CompleteForm(BaseForm):
    outcome = SelectField(_l("Hasil replikasi"),
                          choices=choices({k.value: v for k, v in OUTCOME_LABELS.items()}))
    outcome_on = DateField(_l("Sejak kapan"), validators=[Optional()])
    evidence = TextAreaField(_l("Bukti (dokumen, tautan, keterangan)"), validators=[Optional()],
                             render_kw={"rows": 3})
    submit = SubmitField(_l("Selesaikan program"))


class PollForm(BaseForm):
    """Up to eight candidate starts; empty rows are ignored, the service counts the rest."""

    options = FieldList(DateTimeLocalField(_l("Pilihan waktu"), format=LOCAL_FORMAT,
                                           validators=[Optional()]), min_entries=8, max_entries=8)
    timezone = SelectField(_l("Zona waktu"), choices=choices(zone_choices()))
    duration_minutes = IntegerField(_l("Durasi (menit)"),
                                    validators=[InputRequired(), NumberRange(15, 600)])
    session_id = SelectField(_l("Untuk"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Buka jajak waktu"))

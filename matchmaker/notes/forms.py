"""Input shapes of the notes forms; the rules themselves live in notes.services."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)

from matchmaker.formutils import BaseForm, VersionField, choices
from matchmaker.vocab import OUTCOME_TYPES, TOPICS

ACTION_STATUSES = {"open": _l("Terbuka"), "done": _l("Selesai"), "dropped": _l("Dibatalkan")}
ATTENDANCE_ROWS = 3


def city_choices(programme) -> list[SelectChoice]:
    """The programme's two cities, mentee first."""
    return [SelectChoice(c.code, c.name) for c in (programme.mentee, programme.mentor)]
LESSON_ROWS = 1
ACTION_ROWS = 1


class AttendanceRow(Form):
    name = StringField(_l("Nama"))
    city = SelectField(_l("Kota"), choices=[])
    agency = StringField(_l("Instansi / OPD"))


class LessonRow(Form):
    text = TextAreaField(_l("Pelajaran"), render_kw={"rows": 2})
    outcome = SelectField(_l("Jenis hasil"), choices=choices(OUTCOME_TYPES, "—"))
    topic = SelectField(_l("Topik"), choices=choices(TOPICS))


class ActionRow(Form):
    text = StringField(_l("Tindak lanjut"))
    owner_city = SelectField(_l("Kota penanggung jawab"), choices=[])
    owner_person = StringField(_l("Penanggung jawab"))
    due = StringField(_l("Tenggat"), render_kw={"type": "date"})


class NotesForm(BaseForm):
    body = TextAreaField(_l("Catatan (Markdown)"), render_kw={"rows": 8})
    attendance = FieldList(FormField(AttendanceRow), min_entries=ATTENDANCE_ROWS, max_entries=200)
    lessons = FieldList(FormField(LessonRow), min_entries=LESSON_ROWS, max_entries=200)
    actions = FieldList(FormField(ActionRow), min_entries=ACTION_ROWS, max_entries=200)

    def set_programme(self, programme, own_city: str = "") -> None:
        """Offer the programme's two cities (mentee first); blank rows default to the user's city."""
        cities = city_choices(programme)
        for row in self.attendance:
            row.city.choices = [SelectChoice("", _l("Lainnya / fasilitator")), *cities]
            if not self.is_submitted() and own_city in (programme.mentee.code, programme.mentor.code):
                row.city.data = own_city
        for row in self.actions:
            row.owner_city.choices = [SelectChoice("", "—"), *cities]
        for row in self.lessons:
            if not row.topic.data:
                row.topic.data = programme.topic

    def payload(self) -> dict:
        """The form as the API's notes body: rows left blank are skipped."""
        def filled(rows, keys):
            return [{k: row[k] for k in keys} for row in (entry.data for entry in rows)
                    if any((row[k] or "").strip() for k in keys if k not in ("topic", "city"))]

        return {"body": self.body.data or "",
                "attendance": filled(self.attendance, ("name", "city", "agency")),
                "lessons": filled(self.lessons, ("text", "outcome", "topic")),
                "actions": filled(self.actions, ("text", "owner_city", "owner_person", "due"))}


class NoteEditForm(BaseForm):
    body = TextAreaField(_l("Catatan (Markdown)"), render_kw={"rows": 10})
    version = VersionField()
    submit = SubmitField(_l("Simpan"))


class LessonEditForm(BaseForm):
    text = TextAreaField(_l("Pelajaran"), render_kw={"rows": 4})
    outcome = SelectField(_l("Jenis hasil"), choices=choices(OUTCOME_TYPES))
    topic = SelectField(_l("Topik"), choices=choices(TOPICS))
    version = VersionField()
    submit = SubmitField(_l("Simpan"))


class ActionEditForm(BaseForm):
    text = StringField(_l("Tindak lanjut"))
    owner_city = SelectField(_l("Kota penanggung jawab"), choices=[])
    owner_person = StringField(_l("Penanggung jawab"))
    due = StringField(_l("Tenggat"), render_kw={"type": "date"})
    status = SelectField(_l("Status"), choices=choices(ACTION_STATUSES))
    version = VersionField()
    submit = SubmitField(_l("Simpan"))


class ActionStatusForm(BaseForm):
    status = HiddenField()


class AttachmentForm(BaseForm):
    file = FileField(_l("Berkas"), validators=[FileRequired(_l("Pilih berkas untuk dilampirkan."))])

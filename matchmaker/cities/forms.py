"""Input shapes of the profile forms and the city list; the rules live in cities.schemas and services."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import MultiDict
from wtforms import FloatField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from matchmaker.cities.figures import NUMERIC_INDICATORS
from matchmaker.cities.listing import COLUMNS, DEFAULT_COLUMNS
from matchmaker.cities.schemas import MAX_SOURCE_LEN
from matchmaker.cities.services import CityFilters
from matchmaker.formutils import BaseForm, choices
from matchmaker.vocab import FISCAL_CAPACITY, MATURITY, PRIORITY, TOPICS


class PracticeForm(BaseForm):
    topic = SelectField(_l("Topik"), choices=choices(TOPICS))
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Uraian"), validators=[Optional(), Length(max=20000)])
    maturity = SelectField(_l("Tingkat kematangan"), choices=choices(MATURITY))
    started_year = IntegerField(_l("Tahun mulai"),
                                validators=[Optional(), NumberRange(1945, 2100)])
    outcomes = TextAreaField(_l("Hasil"), validators=[Optional(), Length(max=20000)])
    submit = SubmitField(_l("Simpan"))


class NeedForm(BaseForm):
    topic = SelectField(_l("Topik"), choices=choices(TOPICS))
    title = StringField(_l("Judul"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Uraian"), validators=[Optional(), Length(max=20000)])
    priority = SelectField(_l("Prioritas"), choices=choices(PRIORITY), default="medium")
    submit = SubmitField(_l("Simpan"))


class IndicatorForm(BaseForm):
    year = IntegerField(_l("Tahun"), validators=[DataRequired(), NumberRange(1945, 2100)])
    sanitation_access_pct = FloatField(_l("Akses sanitasi layak (%)"),
                                       validators=[Optional(), NumberRange(0, 100)])
    drinking_water_access_pct = FloatField(_l("Akses air minum layak (%)"),
                                           validators=[Optional(), NumberRange(0, 100)])
    poverty_pct = FloatField(_l("Penduduk miskin (%)"), validators=[Optional(), NumberRange(0, 100)])
    hdi = FloatField(_l("Indeks Pembangunan Manusia (IPM)"), validators=[Optional(), NumberRange(0, 100)])
    slum_area_ha = FloatField(_l("Luas kumuh (ha)"), validators=[Optional(), NumberRange(0)])
    fiscal_capacity = SelectField(_l("Kapasitas fiskal"), choices=choices(FISCAL_CAPACITY, "—"))
    source = StringField(_l("Sumber angka yang diubah"), validators=[Optional(), Length(max=MAX_SOURCE_LEN)],
                         description=_l("Mis. 'Dinas PUPR, pendataan 2024'. Angka yang tidak diubah "
                                        "tetap dengan sumbernya."))
    submit = SubmitField(_l("Simpan"))


class ImportForm(BaseForm):
    files = MultipleFileField(_l("Berkas"), description=_l(
        "Satu berkas .json atau .xlsx, satu .zip berisi CSV, atau beberapa berkas .csv "
        "(indicators.csv, practices.csv, needs.csv)."))
    submit = SubmitField(_l("Periksa dan impor"))


def form_record(form: BaseForm, skip: tuple[str, ...] = ()) -> dict:
    """The form's data as an import-format record (None for empty optional fields)."""
    return {name: (field.data if field.data != "" else None)
            for name, field in form._fields.items() if name not in {"submit", "csrf_token", *skip}}


def _float(args: MultiDict, name: str, problems: dict) -> float | None:
    text = args.get(name, "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        problems[name] = _("'%(value)s' bukan angka.", value=text)
        return None


def list_filters(args: MultiDict) -> tuple[CityFilters, list[str], dict[str, str]]:
    """The city list's query string as filters, the columns to show, and any unreadable values."""
    problems: dict[str, str] = {}
    year_text = args.get("year", "").strip()
    year = None
    if year_text:
        try:
            year = int(year_text)
        except ValueError:
            problems["year"] = _("'%(value)s' bukan tahun.", value=year_text)
    ranges = {}
    for key in NUMERIC_INDICATORS:
        low, high = _float(args, f"{key}_min", problems), _float(args, f"{key}_max", problems)
        if low is not None or high is not None:
            ranges[key] = (low, high)
    filters = CityFilters(
        q=args.get("q", "").strip(), province=args.get("province", ""), kind=args.get("kind", ""),
        practice_topic=args.get("practice_topic", ""), need_topic=args.get("need_topic", ""),
        sort=args.get("sort", ""), order=args.get("order", "") or "asc", year=year, ranges=ranges,
        no_programme_topic=args.get("no_programme_topic", ""))
    columns = [c for c in args.getlist("cols") if c in COLUMNS] or list(DEFAULT_COLUMNS)
    if filters.sort in COLUMNS and filters.sort not in columns:
        columns.append(filters.sort)  # what the list is sorted by is shown
    columns += [key for key in ranges if key not in columns]
    return filters, columns, problems


def list_args(filters: CityFilters, columns: list[str]) -> MultiDict:
    """The query string that reproduces this list (for paging and export links)."""
    args = MultiDict({k: v for k, v in (
        ("q", filters.q), ("province", filters.province), ("kind", filters.kind),
        ("practice_topic", filters.practice_topic), ("need_topic", filters.need_topic),
        ("no_programme_topic", filters.no_programme_topic), ("sort", filters.sort),
        ("order", filters.order if filters.sort else ""),
        ("year", filters.year or "")) if v})
    for key, (low, high) in filters.ranges.items():
        if low is not None:
            args.add(f"{key}_min", f"{low:g}")
        if high is not None:
            args.add(f"{key}_max", f"{high:g}")
    for column in columns:
        args.add("cols", column)
    return args

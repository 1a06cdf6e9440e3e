"""City list, profile page, the profile forms, and import / export of profiles."""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user, login_required

from matchmaker.cities import access, figures, importer, listing, services
from matchmaker.cities.forms import (
    ImportForm,
    IndicatorForm,
    NeedForm,
    PracticeForm,
    form_record,
    list_args,
    list_filters,
)
from matchmaker.errors import MatchmakerError, ValidationError
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow
from matchmaker.vocab import FISCAL_CAPACITY, TOPICS

bp = Blueprint("cities", __name__)

PER_PAGE_CHOICES = (25, 50, 100, 200)
ORIGIN_LABELS: dict[str | None, LazyString] = {figures.Origin.IMPORT: _l("impor"),
                                               figures.Origin.USER: _l("diisi pengguna")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_TYPES = {"json": ("application/json", "json"), "xlsx": (XLSX, "xlsx"),
                "csv": ("application/zip", "zip")}


@bp.app_template_filter("figure")
def figure_text(found: "figures.Figure | None") -> str:
    """A figure as the pages show it: '98,32 %', 'Tinggi', 'tidak tersedia', or '—'."""
    if found is None:
        return "—"
    if found.is_missing:
        return _("tidak tersedia")
    if found.key == "fiscal_capacity":
        return str(FISCAL_CAPACITY.get(found.value, found.value))
    if found.key == "kotaku_scores":
        return ", ".join(f"{TOPICS.get(k, k)}: {format_decimal(v, '#,##0.#')}"
                         for k, v in found.value.items())
    spec = figures.NUMERIC_INDICATORS[found.key]
    text = format_decimal(found.value, "#,##0.0" if spec.unit == "ha" else "#,##0.00")
    return f"{text} {spec.unit}".strip()


@bp.app_template_filter("city_figure")
def city_figure_filter(city, key: str, year: int | None = None):
    return figures.city_figure(city, key, year)


@bp.app_template_filter("figure_origin")
def figure_origin(found: "figures.Figure | None") -> str:
    """Where a figure comes from: its source, and who set it unless it is the shipped data."""
    if found is None:
        return ""
    parts = [found.source] if found.source else []
    if found.origin != figures.Origin.REFERENCE:
        parts.append(str(ORIGIN_LABELS.get(found.origin, ORIGIN_LABELS[figures.Origin.USER])))
    return " · ".join(parts)


def _list_request():
    filters, columns, problems = list_filters(request.args)
    if problems:
        field, message = next(iter(problems.items()))
        raise ValidationError(message, field=field)
    return filters, columns


@bp.route("/cities")
@login_required
def index():
    per_page = request.args.get("per_page", type=int)
    if per_page not in PER_PAGE_CHOICES:
        per_page = current_app.config["CITIES_PER_PAGE"]
    try:
        filters, columns = _list_request()
        page = services.list_page(filters, request.args.get("page", 1, type=int), per_page)
        error = None
    except ValidationError as problem:
        filters, columns = list_filters(request.args)[:2]
        page, error = None, problem
    args = list_args(filters, columns)
    return render_template(
        "cities/index.html", page=page, filters=filters, columns=columns, error=error,
        args=args, per_page=per_page, provinces=services.provinces(),
        years=figures.indicator_years(), all_columns=listing.COLUMNS,
        indicator_columns=listing.INDICATOR_COLUMNS, numeric=figures.NUMERIC_INDICATORS,
        shows_bps=page is not None and listing.shows_bps(page.items, columns, filters.year),
        can_import=importer.can_import(current_user)), 400 if error else 200


@bp.route("/cities/list.<any(csv, xlsx):fmt>")
@login_required
def export_list(fmt: str):
    filters, columns = _list_request()
    found = services.search_cities(filters)
    if fmt == "csv":
        body, mimetype = listing.list_csv(found, columns, filters.year), "text/csv; charset=utf-8"
    else:
        body, mimetype = listing.list_xlsx(found, columns, filters.year), XLSX
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="kota-kabupaten.{fmt}"'})


@bp.route("/cities/<code>")
@login_required
def profile(code: str):
    city = access.get_city(code)
    years, table = figures.figure_table(city)
    return render_template("cities/profile.html", city=city,
                           can_edit=access.can_edit_city(current_user, city),
                           years=years, table=table, labels=figures.INDICATOR_LABELS,
                           trends={key: figures.trend(row) for key, row in table.items()},
                           has_bps=any(figures.is_bps(f) for row in table.values() for f in row.values()),
                           comparisons=figures.access_comparisons(city),
                           history=services.history(city))


def _save(form, template: str, city, action, skip: tuple[str, ...] = (), **context):
    """Run a profile service from a validated form; put its errors back on the form's fields."""
    if form.validate_on_submit():
        try:
            action(form_record(form, skip))
        except MatchmakerError as error:
            db.session.rollback()
            field = getattr(form, (error.field or "").split(".")[-1], None) or next(iter(form))
            field.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Tersimpan."), "success")
            return redirect(url_for("cities.profile", code=city.code))
    return render_template(template, form=form, city=city, **context), (
        400 if form.is_submitted() else 200)


@bp.route("/cities/<code>/practices/new", methods=["GET", "POST"])
@login_required
def new_practice(code: str):
    city = access.get_editable_city(current_user, code)
    form = PracticeForm()
    return _save(form, "cities/practice_form.html", city,
                 lambda record: services.add_practice(current_user, city, record, utcnow()))


@bp.route("/practices/<int:practice_id>/edit", methods=["GET", "POST"])
@login_required
def edit_practice(practice_id: int):
    practice = access.get_editable_practice(current_user, practice_id)
    form = PracticeForm(obj=practice)
    return _save(form, "cities/practice_form.html", practice.city,
                 lambda record: services.update_practice(current_user, practice, record, utcnow()),
                 item=practice)


@bp.route("/practices/<int:practice_id>/delete", methods=["POST"])
@login_required
def delete_practice(practice_id: int):
    practice = access.get_practice(practice_id)
    code = practice.city.code
    services.delete_practice(current_user, practice, utcnow())
    db.session.commit()
    flash(_("Praktik dihapus."), "info")
    return redirect(url_for("cities.profile", code=code))


@bp.route("/cities/<code>/needs/new", methods=["GET", "POST"])
@login_required
def new_need(code: str):
    city = access.get_editable_city(current_user, code)
    form = NeedForm()
    return _save(form, "cities/need_form.html", city,
                 lambda record: services.add_need(current_user, city, record, utcnow()))


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@login_required
def edit_need(need_id: int):
    need = access.get_editable_need(current_user, need_id)
    form = NeedForm(obj=need)
    return _save(form, "cities/need_form.html", need.city,
                 lambda record: services.update_need(current_user, need, record, utcnow()),
                 item=need)


@bp.route("/needs/<int:need_id>/delete", methods=["POST"])
@login_required
def delete_need(need_id: int):
    need = access.get_need(need_id)
    code = need.city.code
    services.delete_need(current_user, need, utcnow())
    db.session.commit()
    flash(_("Kebutuhan dihapus."), "info")
    return redirect(url_for("cities.profile", code=code))


@bp.route("/cities/<code>/indicators", methods=["GET", "POST"])
@login_required
def edit_indicators(code: str):
    city = access.get_editable_city(current_user, code)
    year = request.args.get("year", type=int)
    current = next((i for i in city.indicators if i.year == year), city.latest_indicator)
    form = IndicatorForm(obj=current)
    return _save(form, "cities/indicator_form.html", city,
                 lambda record: services.set_indicators(current_user, city, record, utcnow(),
                                                        form.source.data or ""),
                 skip=("source",))


@bp.route("/cities/import", methods=["GET", "POST"])
@login_required
def import_profiles():
    importer.ensure_can_import(current_user)
    limit = current_app.config["IMPORT_MAX_BYTES"]
    request.max_content_length = limit  # also bounds uploads sent without a Content-Length
    too_large = request.method == "POST" and (request.content_length or 0) > limit
    form = ImportForm(formdata=None) if too_large else ImportForm()  # leave a big body unread
    problems, status = [], 200
    if too_large:
        form.files.errors = [_("Berkas terlalu besar: paling banyak %(size)s MB.",
                               size=format_decimal(limit / 1024 / 1024, "#,##0.#"))]
        status = 413
    elif form.validate_on_submit():
        files = [(f.filename or "", f.read()) for f in form.files.data if f and f.filename]
        try:
            counts = importer.import_upload(current_user, files, utcnow())
        except ValidationError as error:
            db.session.rollback()
            problems, status = error.errors, 400
            form.files.errors = [error.message]
        else:
            db.session.commit()
            flash(_("Impor selesai: %(created)s baru, %(updated)s diperbarui, %(unchanged)s tetap.",
                    **counts), "success")
            return redirect(url_for("cities.import_profiles"))
    elif form.is_submitted():
        status = 400
    return render_template("cities/import.html", form=form, problems=problems,
                           limit_mb=limit / 1024 / 1024), status


@bp.route("/cities/import/template.xlsx")
@login_required
def import_template():
    return Response(importer.template_xlsx(), mimetype=XLSX, headers={
        "Content-Disposition": 'attachment; filename="matchmaker-template.xlsx"'})


@bp.route("/cities/profiles.<any(json, xlsx, zip):ext>")
@login_required
def export_profiles(ext: str):
    fmt = next(name for name, (_m, e) in EXPORT_TYPES.items() if e == ext)
    mimetype, _ext = EXPORT_TYPES[fmt]
    body = importer.render_export(importer.export_profiles(), fmt)
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="matchmaker-profiles.{ext}"'})

"""City list, profile page and the profile forms."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.cities import access, services
from matchmaker.cities.forms import IndicatorForm, NeedForm, PracticeForm, form_record
from matchmaker.errors import MatchmakerError
from matchmaker.extensions import db
from matchmaker.timeutils import utcnow

bp = Blueprint("cities", __name__)


@bp.route("/")
def home():
    return redirect(url_for("cities.index"))


@bp.route("/cities")
@login_required
def index():
    filters = services.CityFilters(
        q=request.args.get("q", "").strip(), province=request.args.get("province", ""),
        kind=request.args.get("kind", ""), practice_topic=request.args.get("practice_topic", ""),
        need_topic=request.args.get("need_topic", ""))
    page = db.paginate(services.city_query(filters), per_page=current_app.config["CITIES_PER_PAGE"],
                       error_out=False)
    return render_template("cities/index.html", page=page, filters=filters,
                           provinces=services.provinces())


@bp.route("/cities/<code>")
@login_required
def profile(code: str):
    city = access.get_city(code)
    return render_template("cities/profile.html", city=city,
                           can_edit=access.can_edit_city(current_user, city),
                           figures=services.province_figures(city), history=services.history(city))


def _save(form, template: str, city, action, **context):
    """Run a profile service from a validated form; put its errors back on the form's fields."""
    if form.validate_on_submit():
        try:
            action(form_record(form))
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
                 lambda record: services.set_indicators(current_user, city, record, utcnow()))

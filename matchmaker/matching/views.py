"""Web pages of the matching package: find a mentor, pair a cohort, accept pairs."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from matchmaker.cities.access import get_city, get_need, get_practice
from matchmaker.cities.services import provinces
from matchmaker.errors import MatchmakerError, ValidationError
from matchmaker.extensions import db
from matchmaker.formutils import choices
from matchmaker.matching import candidates, services
from matchmaker.matching.access import ensure_can_edit_glossary, ensure_can_match
from matchmaker.matching.cache import current_snapshot
from matchmaker.matching.feedback import record_feedback, withdraw_feedback
from matchmaker.matching.forms import (
    CohortFilterForm,
    FeedbackForm,
    GlossaryGroupForm,
    RecommendForm,
    WithdrawFeedbackForm,
)
from matchmaker.matching.glossary_groups import add_glossary_group, list_glossary_groups
from matchmaker.timeutils import utcnow

bp = Blueprint("matching", __name__)

FACTOR_LABELS = {
    "relevance": _l("Relevansi"),
    "maturity": _l("Kematangan"),
    "context": _l("Kesamaan konteks"),
    "complementarity": _l("Saling melengkapi"),
    "history": _l("Riwayat"),
}


@bp.app_context_processor
def matching_helpers():
    """Let the city profile show which needs elsewhere its practices answer."""
    return {"matching_could_mentor": services.could_mentor, "matching_factor_labels": FACTOR_LABELS}


def _city_options(selected: str | None) -> Markup:
    """The mentee select's 514 options, rendered once per version of the data (the matching model's)."""
    snapshot = current_snapshot()
    if "city_options" not in snapshot.memo:
        # By short name, so that Kota Blitar and Kabupaten Blitar sit side by side.
        ordered = sorted(snapshot.cities.values(), key=lambda c: (c.name_short, c.name))
        snapshot.memo["city_options"] = (
            [c.code for c in ordered],
            [Markup('<option value="{}">{}</option>').format(c.code, f"{c.name} ({c.code})")
             for c in ordered])
    codes, options = snapshot.memo["city_options"]
    if selected in snapshot.cities:
        options = list(options)
        at = codes.index(selected)
        options[at] = Markup(str(options[at]).replace("<option ", "<option selected ", 1))
    return Markup('<option value="">—</option>') + Markup("").join(options)


@bp.route("/match")
@login_required
def recommend_page():
    ensure_can_match(current_user)
    form = RecommendForm(request.args)
    need = None
    need_id = request.args.get("need", type=int)
    if need_id:
        need = get_need(need_id)
        form.city.data, form.topic.data = need.city.code, need.topic
        if not (form.text.data or "").strip():
            form.text.data = f"{need.title}\n{need.description or ''}".strip()
    limit = request.args.get("limit", type=int) or services.DEFAULT_LIMIT
    result = None
    if form.city.data and form.topic.data:
        mentee = get_city(form.city.data)
        result = services.recommend_mentors(current_user, mentee, form.topic.data, form.text.data,
                                            limit, utcnow(), need=need)
    return render_template("matching/recommend.html", form=form, need=need, result=result,
                           city_options=_city_options(form.city.data),
                           factor_labels=FACTOR_LABELS, feedback_form=FeedbackForm(),
                           withdraw_form=WithdrawFeedbackForm(),
                           back=request.query_string.decode())


def _back_to(endpoint: str, back: str):
    # Only a query string comes back from the form, so the redirect stays on this page.
    target = url_for(endpoint)
    back = (back or "").lstrip("?")
    return redirect(f"{target}?{back}" if back else target)


@bp.route("/match/feedback", methods=["POST"])
@login_required
def give_feedback():
    ensure_can_match(current_user)
    form = FeedbackForm()
    if not form.validate_on_submit():
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
        return _back_to("matching.recommend_page", form.back.data)
    need = get_need(int(form.need_id.data)) if (form.need_id.data or "").isdigit() else None
    practice = (get_practice(int(form.practice_id.data))
                if (form.practice_id.data or "").isdigit() else None)
    try:
        feedback = record_feedback(current_user, get_city(form.mentee.data), get_city(form.mentor.data),
                                   form.topic.data, form.reason.data, form.note.data, utcnow(),
                                   need=need, practice=practice)
    except MatchmakerError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("%(mentor)s tidak lagi direkomendasikan untuk kebutuhan ini.",
                mentor=feedback.mentor.name_short), "success")
    return _back_to("matching.recommend_page", form.back.data)


@bp.route("/match/feedback/<int:feedback_id>/withdraw", methods=["POST"])
@login_required
def withdraw_feedback_page(feedback_id: int):
    ensure_can_match(current_user)
    form = WithdrawFeedbackForm()
    if form.validate_on_submit():
        mentor = withdraw_feedback(current_user, feedback_id).mentor.name_short
        db.session.commit()
        flash(_("%(mentor)s direkomendasikan lagi.", mentor=mentor), "success")
    return _back_to("matching.recommend_page", form.back.data)


@bp.route("/match/glossary", methods=["GET", "POST"])
@login_required
def glossary_page():
    ensure_can_edit_glossary(current_user)
    form = GlossaryGroupForm()
    if form.validate_on_submit():
        try:
            entry = add_glossary_group(current_user, form.as_data(), utcnow())
        except MatchmakerError as error:
            db.session.rollback()
            flash(error.message, "danger")
        else:
            db.session.commit()
            flash(_("Kelompok %(id)s ditambahkan ke glosarium.", id=entry.group_id), "success")
            return redirect(url_for("matching.glossary_page"))
    return render_template("matching/glossary.html", form=form,
                           entries=list_glossary_groups(current_user))


@bp.route("/match/cohort")
@login_required
def cohort_page():
    ensure_can_match(current_user)
    form = CohortFilterForm(request.args)
    form.province.choices = choices(dict(provinces()), "—")
    filters = services.CohortFilters(topic=form.topic.data or "", province=form.province.data or "",
                                     priority=form.priority.data or "")
    needs = services.cohort_needs(current_user, filters)
    proposed = services.proposed_need_ids()
    is_run = bool(request.args.get("run"))
    selected = set(request.args.getlist("need", type=int)) if is_run else {
        n.id for n in needs if n.id not in proposed}
    result = services.run_cohort(current_user, sorted(selected), utcnow()) if is_run else None
    return render_template("matching/cohort.html", form=form, filters=filters, needs=needs,
                           proposed=proposed, selected=selected, result=result,
                           proposals=services.list_proposals(current_user), factor_labels=FACTOR_LABELS,
                           back=request.query_string.decode())


def _parse_pair(raw: str) -> tuple[int, str]:
    need_id, _sep, code = raw.partition(":")
    if not need_id.isdigit() or not code:
        raise ValidationError(_("Pasangan tidak valid: %(pair)s", pair=raw))
    return int(need_id), code


@bp.route("/match/cohort/accept", methods=["POST"])
@login_required
def accept_pairs():
    raw = [request.form["only"]] if request.form.get("only") else request.form.getlist("pairs")
    try:
        proposals = services.accept_pairs(current_user, [_parse_pair(p) for p in raw], utcnow())
    except MatchmakerError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("%(n)d pasangan diterima sebagai usulan.", n=len(proposals)), "success")
    return _back_to("matching.cohort_page", request.form.get("back", ""))


CANDIDATE_FACTOR_LABELS = {
    "gap": _l("Kesenjangan"),
    "context": _l("Kesamaan konteks"),
    "need": _l("Kebutuhan tercatat"),
}


@bp.route("/practices/<int:practice_id>/candidates")
@login_required
def candidates_page(practice_id: int):
    """Who needs this practice? The cities that would benefit, with reasons (facilitators)."""
    practice = get_practice(practice_id)
    limit = request.args.get("limit", type=int) or services.DEFAULT_LIMIT
    result = candidates.rank_candidates(current_user, practice, limit, utcnow())
    return render_template("matching/candidates.html", practice=practice, result=result,
                           limit=limit, factor_labels=CANDIDATE_FACTOR_LABELS)


@bp.route("/cities/<code>/candidates")
@login_required
def city_candidates_page(code: str):
    """Who needs what this city knows on a topic: its most mature practice's candidates."""
    practice = candidates.practice_of(get_city(code), request.args.get("topic", ""))
    return redirect(url_for("matching.candidates_page", practice_id=practice.id))


@bp.route("/practices/<int:practice_id>/candidates/<code>/propose", methods=["POST"])
@login_required
def propose_to_candidate(practice_id: int, code: str):
    practice = get_practice(practice_id)
    try:
        programme = candidates.propose_programme(current_user, practice, get_city(code), utcnow())
    except MatchmakerError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("matching.candidates_page", practice_id=practice_id))
    db.session.commit()
    flash(_("Program diusulkan; kebutuhan %(city)s dicatat atas namanya oleh fasilitator.",
            city=programme.mentee.name), "success")
    return redirect(url_for("programmes.detail", programme_id=programme.id))

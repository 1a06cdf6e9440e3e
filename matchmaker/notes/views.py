"""Session notes pages, edits with history, and the knowledge base at /knowledge."""

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.errors import EditConflict, MatchmakerError
from matchmaker.extensions import db
from matchmaker.notes import access, attachments, queries, search, services, text
from matchmaker.notes.forms import (
    ActionEditForm,
    ActionStatusForm,
    AttachmentForm,
    LessonEditForm,
    NoteEditForm,
    NotesForm,
    city_choices,
)
from matchmaker.programmes.access import get_session, is_participant
from matchmaker.timeutils import utcnow
from matchmaker.vocab import OUTCOME_TYPES, TOPICS

bp = Blueprint("notes", __name__)
bp.add_app_template_filter(text.highlight, "highlight")


@bp.app_context_processor
def notes_helpers() -> dict:
    """For other packages' pages (the programme report): the notes of a programme, rendered safely."""
    return {"programme_notes": lambda programme: queries.programme_record(current_user, programme),
            "render_notes": services.render_markdown,
            "takes_part": lambda programme: is_participant(current_user, programme)}


def _put_errors_on_form(form, error: MatchmakerError) -> None:
    """Show a service error next to its field: 'lessons[0].outcome' -> form.lessons[0].outcome."""
    problems = getattr(error, "errors", None) or [{"field": error.field, "message": error.message}]
    for problem in problems:
        target = form
        for part in (problem["field"] or "").replace("]", "").replace("[", ".").split("."):
            if not part:
                continue
            try:
                target = target[int(part)] if part.isdigit() else getattr(target, part)
            except (AttributeError, IndexError, KeyError, TypeError):
                target = None
                break
            target = getattr(target, "form", target)  # step into a FormField's sub-form
        if target is not None and hasattr(target, "errors") and isinstance(target.errors, list):
            target.errors.append(problem["message"])
        else:
            form.form_errors.append(problem["message"])


def _session_page(session, form, status: int = 200, attachment_form=None):
    record = queries.session_record(current_user, session)
    return render_template("notes/session.html", session=session, programme=session.programme,
                           record=record, form=form, failed=status == 400,
                           attachment_form=attachment_form or AttachmentForm(formdata=None),
                           attachment_types=attachments.allowed_types(),
                           summary=queries.summary_text(session, record),
                           render=services.render_markdown, now=utcnow()), status


def _notes_form(session, **kwargs) -> NotesForm:
    form = NotesForm(**kwargs)
    form.set_programme(session.programme, current_user.city.code if current_user.city else "")
    return form


@bp.route("/sessions/<int:session_id>/notes", methods=["GET", "POST"])
@login_required
def session_notes(session_id: int):
    session = get_session(current_user, session_id)
    form = _notes_form(session)
    if form.is_submitted():
        if not form.validate():
            return _session_page(session, form, 400)
        data = form.payload()
        try:
            services.log_notes(current_user, session, data["body"], data["attendance"], data["lessons"],
                               data["actions"], utcnow())
        except MatchmakerError as error:
            db.session.rollback()
            if error.status != 400:
                raise
            _put_errors_on_form(form, error)
            return _session_page(session, form, 400)
        db.session.commit()
        flash(_("Catatan tersimpan."), "success")
        return redirect(url_for("notes.session_notes", session_id=session.id))
    return _session_page(session, form)


@bp.route("/sessions/<int:session_id>/attachments", methods=["POST"])
@login_required
def upload_attachment(session_id: int):
    session = get_session(current_user, session_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        try:
            attachments.add_attachment(current_user, session, form.file.data.filename,
                                       form.file.data.stream, utcnow())
        except MatchmakerError as error:
            db.session.rollback()
            if error.status != 400:
                raise
            form.file.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Lampiran tersimpan."), "success")
            return redirect(url_for("notes.session_notes", session_id=session.id) + "#attachments")
    return _session_page(session, _notes_form(session, formdata=None), 400, attachment_form=form)


@bp.route("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    item = access.get_attachment(current_user, attachment_id)
    response = send_file(attachments.attachment_path(item), mimetype=item.content_type,
                         as_attachment=True, download_name=item.filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def remove_attachment(attachment_id: int):
    item = access.get_attachment(current_user, attachment_id)
    session_id = item.session_id
    if not ActionStatusForm().validate_on_submit():
        abort(400)
    attachments.remove_attachment(current_user, item)
    db.session.commit()
    flash(_("Lampiran dihapus."), "info")
    return redirect(url_for("notes.session_notes", session_id=session_id) + "#attachments")


def _edit(form, template: str, item, session, action, compare, **context):
    """Save an edit form; when someone else saved first, show both versions and keep this one."""
    conflict, status = None, (400 if form.is_submitted() else 200)
    if form.validate_on_submit():
        try:
            action()
        except EditConflict:
            db.session.rollback()
            # The stored values are now theirs; the next save starts from them, keeping what was typed.
            form.version.data = item.version
            conflict, status = compare(), 409
        except MatchmakerError as error:
            db.session.rollback()
            if error.status != 400:
                raise
            _put_errors_on_form(form, error)
        else:
            db.session.commit()
            flash(_("Perubahan tersimpan."), "success")
            return redirect(url_for("notes.session_notes", session_id=session.id))
    return render_template(template, form=form, item=item, session=session, programme=session.programme,
                           conflict=conflict, **context), status


@bp.route("/notes/<int:note_id>/edit", methods=["GET", "POST"])
@login_required
def edit_note(note_id: int):
    note = access.get_note(current_user, note_id)
    form = NoteEditForm(data={"body": note.body_markdown, "version": note.version}
                        if request.method == "GET" else None)
    return _edit(form, "notes/edit_note.html", note, note.session,
                 lambda: services.edit_note(current_user, note, form.body.data, utcnow(),
                                            form.version.data),
                 lambda: [(form.body.label.text, note.body_markdown, form.body.data)],
                 render=services.render_markdown)


@bp.route("/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@login_required
def edit_lesson(lesson_id: int):
    lesson = access.get_lesson(current_user, lesson_id)
    form = LessonEditForm(data={"text": lesson.text, "outcome": lesson.outcome_type, "topic": lesson.topic,
                                "version": lesson.version} if request.method == "GET" else None)
    return _edit(form, "notes/edit_lesson.html", lesson, lesson.session,
                 lambda: services.edit_lesson(current_user, lesson, {
                     "text": form.text.data, "outcome": form.outcome.data, "topic": form.topic.data},
                     utcnow(), form.version.data),
                 lambda: [(form.text.label.text, lesson.text, form.text.data),
                          (form.outcome.label.text, lesson.outcome_type, form.outcome.data),
                          (form.topic.label.text, lesson.topic, form.topic.data)])


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(action_id: int):
    action = access.get_action(current_user, action_id)
    programme = action.programme
    form = ActionEditForm(data={"text": action.text, "owner_city": action.owner_city.code,
                                "owner_person": action.owner_person, "due": action.due_on.isoformat(),
                                "status": action.status.value, "version": action.version}
                          if request.method == "GET" else None)
    form.owner_city.choices = city_choices(programme)
    return _edit(form, "notes/edit_action.html", action, action.session,
                 lambda: services.edit_action(current_user, action, {
                     "text": form.text.data, "owner_city": form.owner_city.data,
                     "owner_person": form.owner_person.data, "due": form.due.data,
                     "status": form.status.data}, utcnow(), form.version.data),
                 lambda: [(form.text.label.text, action.text, form.text.data),
                          (form.owner_city.label.text, action.owner_city.code, form.owner_city.data),
                          (form.owner_person.label.text, action.owner_person, form.owner_person.data),
                          (form.due.label.text, action.due_on.isoformat(), form.due.data),
                          (form.status.label.text, action.status.value, form.status.data)])


@bp.route("/actions/<int:action_id>/status", methods=["POST"])
@login_required
def action_status(action_id: int):
    action = access.get_action(current_user, action_id)
    form = ActionStatusForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_action_status(current_user, action, form.status.data, utcnow())
    db.session.commit()
    flash(_("Status tindak lanjut diperbarui."), "success")
    return redirect(url_for("notes.session_notes", session_id=action.session_id) + f"#action-{action.id}")


@bp.route("/attendance/<int:attendance_id>/delete", methods=["POST"])
@login_required
def remove_attendance(attendance_id: int):
    row = access.get_attendance(current_user, attendance_id)
    session_id = row.session_id
    form = ActionStatusForm()
    if not form.validate_on_submit():
        abort(400)
    services.remove_attendance(current_user, row, utcnow())
    db.session.commit()
    flash(_("Data kehadiran dihapus."), "info")
    return redirect(url_for("notes.session_notes", session_id=session_id) + "#attendance")


@bp.route("/knowledge")
@login_required
def knowledge():
    year = request.args.get("year", "")
    filters = search.LessonFilters(
        q=request.args.get("q", "").strip()[:200],
        topic=request.args.get("topic", "") if request.args.get("topic") in TOPICS else "",
        outcome=request.args.get("outcome", "") if request.args.get("outcome") in OUTCOME_TYPES else "",
        city=request.args.get("city", "").strip()[:8],
        year=int(year) if year.isdigit() else None)
    lessons = search.search_lessons(current_user, filters)
    return render_template("notes/knowledge.html", lessons=lessons, filters=filters,
                           years=search.lesson_years(), cities=search.lesson_cities())


@bp.route("/lessons/<int:lesson_id>")
@login_required
def lesson(lesson_id: int):
    item = access.get_lesson(current_user, lesson_id)
    return render_template("notes/lesson.html", lesson=item,
                           similar=search.similar_lessons(current_user, item),
                           can_open_session=is_participant(current_user, item.programme))

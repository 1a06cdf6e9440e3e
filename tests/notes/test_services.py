from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from matchmaker.errors import Conflict, Forbidden, ValidationError
from matchmaker.extensions import db
from matchmaker.notes import queries, services
from matchmaker.notes.models import (
    ActionRevision,
    ActionStatus,
    Attendance,
    FollowUpAction,
    Lesson,
    LessonRevision,
    NoteRevision,
    SessionNote,
)
from matchmaker.programmes.models import ProgrammeStatus, SessionStatus

NOW = datetime(2020, 1, 27, 4, 0, tzinfo=UTC)  # during/after the first session


def _counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (SessionNote, Attendance, Lesson, FollowUpAction))


def _log(actor, session, **overrides):
    payload = {
        "body": "## Sesi 1\nKendari menjelaskan L2T2.",
        "attendance": [{"name": "Ibu Sari", "city": "35.72", "agency": "Bappeda"},
                       {"name": "Pak Ahmad", "city": "74.71", "agency": "Dinas PUPR"},
                       {"name": "Fasilitator PMU", "city": "", "agency": "PMU PPSP"}],
        "lessons": [{"text": "Advokasi untuk meraih komitmen kepala daerah", "outcome": "new_knowledge"}],
        "actions": [{"text": "Susun draf instruksi wali kota", "owner_city": "35.72",
                     "owner_person": "Kabid Cipta Karya", "due": "2020-02-10"}],
    }
    payload.update(overrides)
    result = services.log_notes(actor, session, payload["body"], payload["attendance"], payload["lessons"],
                                payload["actions"], NOW)
    db.session.commit()
    return result


def test_pokja_of_the_mentee_logs_notes_with_author_and_time(make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    logged = _log(blitar_pokja, session)
    assert logged.note.body_markdown.startswith("## Sesi 1")
    assert logged.note.author_id == blitar_pokja.id and logged.note.created_at == NOW
    assert [a.city.code if a.city else None for a in logged.attendance] == ["35.72", "74.71", None]
    lesson = logged.lessons[0]
    assert lesson.topic == "wastewater"  # defaults to the programme's topic
    assert lesson.outcome_type == "new_knowledge"
    assert lesson.programme_id == session.programme_id and lesson.author_id == blitar_pokja.id
    action = logged.actions[0]
    assert action.owner_city.code == "35.72" and action.due_on == date(2020, 2, 10)
    assert action.status == ActionStatus.OPEN and action.created_at == NOW


def test_pokja_of_the_mentor_and_facilitator_may_log(make_programme, kendari_pokja, make_user):
    session = make_programme().sessions[1]
    _log(kendari_pokja, session, attendance=[], actions=[])
    _log(make_user("facilitator"), session, attendance=[], actions=[])
    assert _counts() == (2, 0, 2, 0)


@pytest.mark.parametrize("role", ["pokja_elsewhere", "viewer"])
def test_outsiders_may_not_log_notes(make_programme, jayapura_pokja, make_user, role):
    session = make_programme().sessions[0]
    actor = jayapura_pokja if role == "pokja_elsewhere" else make_user("viewer")
    with pytest.raises(Forbidden):
        _log(actor, session)
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("status", [ProgrammeStatus.CANCELLED, ProgrammeStatus.DECLINED])
def test_notes_on_a_closed_programme_are_refused_and_nothing_is_written(make_programme, blitar_pokja,
                                                                      status):
    session = make_programme(status=status).sessions[0]
    with pytest.raises(Conflict):
        _log(blitar_pokja, session)
    db.session.rollback()
    assert _counts() == (0, 0, 0, 0)


def test_notes_on_a_cancelled_session_are_refused(make_programme, blitar_pokja):
    programme = make_programme()
    programme.sessions[2].status = SessionStatus.CANCELLED
    db.session.commit()
    with pytest.raises(Conflict):
        _log(blitar_pokja, programme.sessions[2])


def test_notes_on_a_completed_programme_are_still_allowed(make_programme, blitar_pokja):
    session = make_programme(status=ProgrammeStatus.COMPLETED).sessions[5]
    _log(blitar_pokja, session)
    assert _counts() == (1, 3, 1, 1)


def test_invalid_fields_are_all_reported_and_nothing_is_written(make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    with pytest.raises(ValidationError) as caught:
        _log(blitar_pokja, session,
             attendance=[{"name": "", "city": "91.71"}],
             lessons=[{"text": "Mulai dari ASN", "outcome": "enlightenment"},
                      {"text": "x", "outcome": "new_action", "topic": "rockets"}],
             actions=[{"text": "Rapat", "owner_city": "91.71", "due": "2020-02-10"},
                      {"text": "Rapat", "owner_city": "35.72", "due": "2020-02-30"},
                      {"text": "", "owner_city": "35.72", "due": "10/02/2020"}])
    fields = {problem["field"] for problem in caught.value.errors}
    assert fields == {"attendance.0.name", "attendance.0.city", "lessons.0.outcome", "lessons.1.topic",
                      "actions.0.owner_city", "actions.1.due", "actions.2.text", "actions.2.due"}
    db.session.rollback()
    assert _counts() == (0, 0, 0, 0)


def test_wrong_shapes_are_field_errors(make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    with pytest.raises(ValidationError) as caught:
        _log(blitar_pokja, session, body=42, attendance="everyone", lessons=["text"], actions=None)
    fields = {problem["field"] for problem in caught.value.errors}
    assert fields == {"body", "attendance", "lessons.0"}


def test_an_empty_log_is_refused(make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    with pytest.raises(ValidationError):
        _log(blitar_pokja, session, body="  ", attendance=[], lessons=[], actions=[])


def test_the_same_person_is_counted_once_per_session(make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    _log(blitar_pokja, session, lessons=[], actions=[])
    _log(blitar_pokja, session, body="", lessons=[], actions=[],
         attendance=[{"name": "ibu sari", "city": "35.72"}, {"name": "Pak Budi", "city": "35.72"}])
    assert _counts()[1] == 4


def test_editing_a_note_keeps_its_previous_body(make_programme, blitar_pokja, kendari_pokja):
    session = make_programme().sessions[0]
    note = _log(blitar_pokja, session).note
    later = NOW + timedelta(hours=2)
    services.edit_note(kendari_pokja, note, "Versi baru", later)
    db.session.commit()
    assert note.body_markdown == "Versi baru" and note.updated_at == later
    revision = db.session.scalar(select(NoteRevision))
    assert revision.previous_body.startswith("## Sesi 1")
    assert revision.editor_id == kendari_pokja.id and revision.edited_at == later
    services.edit_note(kendari_pokja, note, "Versi baru", later)  # no change, no revision
    assert len(note.revisions) == 1


def test_editing_a_lesson_keeps_history_and_validates(make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    lesson = _log(blitar_pokja, session).lessons[0]
    services.edit_lesson(blitar_pokja, lesson, {"outcome": "improved_consensus"}, NOW + timedelta(days=1))
    db.session.commit()
    revision = db.session.scalar(select(LessonRevision))
    assert revision.previous == {"outcome_type": "new_knowledge"}
    with pytest.raises(ValidationError):
        services.edit_lesson(blitar_pokja, lesson, {"outcome": "nope"}, NOW)


def test_action_status_changes_keep_history(make_programme, blitar_pokja, jayapura_pokja):
    session = make_programme().sessions[0]
    action = _log(blitar_pokja, session).actions[0]
    services.set_action_status(blitar_pokja, action, "done", NOW + timedelta(days=3))
    db.session.commit()
    assert action.status == ActionStatus.DONE
    assert db.session.scalar(select(ActionRevision)).previous == {"status": "open"}
    with pytest.raises(ValidationError):
        services.set_action_status(blitar_pokja, action, "finished", NOW)
    with pytest.raises(Forbidden):
        services.set_action_status(jayapura_pokja, action, "dropped", NOW)
    services.edit_action(blitar_pokja, action, {"due": "2020-03-01", "owner_city": "74.71"},
                         NOW + timedelta(days=4))
    db.session.commit()
    assert action.owner_city.code == "74.71" and action.due_on == date(2020, 3, 1)
    assert action.revisions[0].previous == {"owner_city": "35.72", "due_on": "2020-02-10"}


def test_markdown_is_rendered_and_scripts_are_removed():
    html = services.render_markdown("**tebal** <script>alert(1)</script> [x](javascript:alert(1))\n\n"
                                    '<img src=x onerror="alert(1)">')
    assert "<strong>tebal</strong>" in html
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text, never run


def test_summary_counts_sessions_with_notes_and_open_and_overdue_actions(make_programme, blitar_pokja):
    programme = make_programme()
    other = make_programme(mentee="91.71")
    _log(blitar_pokja, programme.sessions[0], actions=[
        {"text": "a", "owner_city": "35.72", "due": "2020-02-10"},
        {"text": "b", "owner_city": "74.71", "due": "2020-02-11"},
        {"text": "c", "owner_city": "35.72", "due": "2020-03-10"}])
    _log(blitar_pokja, programme.sessions[1], body="", attendance=[], lessons=[],
         actions=[{"text": "d", "owner_city": "35.72", "due": "2020-02-01", "status": "done"}])
    # 10 Feb 2020 17:30 UTC is 00:30 on the 11th in Blitar (WIB) and 01:30 in Kendari (WITA).
    now = datetime(2020, 2, 10, 17, 30, tzinfo=UTC)
    summary = queries.notes_summary([programme.id, other.id], now)
    assert summary[programme.id] == {"sessions_with_notes": {programme.sessions[0].id,
                                                             programme.sessions[1].id},
                                     "open_actions": 3, "overdue_actions": 1}
    assert summary[other.id] == {"sessions_with_notes": set(), "open_actions": 0, "overdue_actions": 0}
    assert queries.session_has_notes(programme.sessions[1].id)
    assert not queries.session_has_notes(programme.sessions[2].id)


def test_due_actions_lists_open_actions_of_live_programmes(make_programme, blitar_pokja):
    programme = make_programme()
    logged = _log(blitar_pokja, programme.sessions[0], actions=[
        {"text": "a", "owner_city": "35.72", "due": "2020-02-10"},
        {"text": "b", "owner_city": "74.71", "due": "2020-02-10", "status": "done"},
        {"text": "c", "owner_city": "35.72", "due": "2020-02-11"}])
    assert queries.due_actions(date(2020, 2, 10)) == [logged.actions[0]]
    programme.status = ProgrammeStatus.CANCELLED
    db.session.commit()
    assert queries.due_actions(date(2020, 2, 10)) == []

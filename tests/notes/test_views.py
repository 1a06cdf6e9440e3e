from datetime import UTC, datetime

from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.notes import services
from matchmaker.notes.models import (
    ActionStatus,
    Attendance,
    FollowUpAction,
    Lesson,
    NoteRevision,
    SessionNote,
)
from matchmaker.programmes.models import ProgrammeStatus

NOW = datetime(2020, 1, 27, 4, 0, tzinfo=UTC)


def _form(**overrides) -> dict:
    data = {
        "body": "Sesi pertama <script>alert('xss')</script> **penting**",
        "attendance-0-name": "Ibu Sari", "attendance-0-city": "35.72", "attendance-0-agency": "Bappeda",
        "attendance-1-name": "Pak Ahmad", "attendance-1-city": "74.71", "attendance-1-agency": "PUPR",
        "attendance-2-name": "", "attendance-2-city": "", "attendance-2-agency": "",
        "lessons-0-text": "Mulai uji coba L2T2 dengan ASN", "lessons-0-outcome": "new_action",
        "lessons-0-topic": "wastewater",
        "actions-0-text": "Susun draf instruksi wali kota", "actions-0-owner_city": "35.72",
        "actions-0-owner_person": "Bagian Hukum", "actions-0-due": "2020-02-24",
    }
    data.update(overrides)
    return data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_session_page_shows_the_time_in_both_cities_zones(client, login, make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    login(blitar_pokja)
    page = client.get(f"/sessions/{session.id}/notes")
    assert page.status_code == 200
    assert "09:00 WIB / 10:00 WITA" in page.text and "2020" in page.text
    for needle in ('id="save-notes"', 'name="body"', 'for="body"', 'name="lessons-0-outcome"',
                   'name="actions-0-due"', 'name="attendance-2-name"', "Kota Kendari", "Kota Blitar"):
        assert needle in page.text
    assert page.text.count('<option selected value="35.72">') == 3  # attendance rows start on their city


def test_pokja_logs_notes_on_the_page_and_scripts_never_run(client, login, make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    login(blitar_pokja)
    response = client.post(f"/sessions/{session.id}/notes", data=_form())
    assert response.status_code == 302, response.text
    assert (_count(SessionNote), _count(Attendance), _count(Lesson), _count(FollowUpAction)) == (1, 2, 1, 1)
    lesson = db.session.scalar(select(Lesson))
    assert lesson.author_id == blitar_pokja.id and lesson.outcome_type == "new_action"
    page = client.get(f"/sessions/{session.id}/notes")
    assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in page.text and "<strong>penting</strong>" in page.text
    assert "Mulai uji coba L2T2 dengan ASN" in page.text and "Susun draf instruksi wali kota" in page.text


def test_invalid_rows_come_back_with_field_errors_and_nothing_is_saved(client, login, make_programme,
                                                                    blitar_pokja):
    session = make_programme().sessions[0]
    login(blitar_pokja)
    response = client.post(f"/sessions/{session.id}/notes",
                           data=_form(**{"lessons-0-outcome": "", "actions-0-due": "2020-02-31"}))
    assert response.status_code == 400
    assert 'id="form-errors"' in response.text and "is-invalid" in response.text
    assert "Susun draf instruksi wali kota" in response.text  # what was typed is kept
    assert (_count(SessionNote), _count(Lesson), _count(FollowUpAction)) == (0, 0, 0)


def test_unrelated_pokja_gets_403(client, login, make_programme, jayapura_pokja):
    session = make_programme().sessions[0]
    login(jayapura_pokja)
    assert client.get(f"/sessions/{session.id}/notes").status_code == 403
    assert client.post(f"/sessions/{session.id}/notes", data=_form()).status_code == 403
    assert _count(SessionNote) == 0


def test_cancelled_programme_is_read_only_and_refuses_notes(client, login, make_programme, make_user):
    session = make_programme(status=ProgrammeStatus.CANCELLED).sessions[0]
    login(make_user("facilitator"))
    page = client.get(f"/sessions/{session.id}/notes")
    assert page.status_code == 200 and 'id="notes-closed"' in page.text and "save-notes" not in page.text
    assert client.post(f"/sessions/{session.id}/notes", data=_form()).status_code == 409
    assert _count(SessionNote) == 0


def test_action_status_buttons_mark_done_with_history(client, login, make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    action = services.log_notes(blitar_pokja, session, "", [], [], [
        {"text": "Kirim SOP", "owner_city": "74.71", "due": "2020-02-03"}], NOW).actions[0]
    db.session.commit()
    login(blitar_pokja)
    response = client.post(f"/actions/{action.id}/status", data={"status": "done"})
    assert response.status_code == 302
    db.session.refresh(action)
    assert action.status == ActionStatus.DONE and action.revisions[0].previous == {"status": "open"}


def test_editing_a_note_on_the_page_keeps_history(client, login, make_programme, kendari_pokja):
    session = make_programme().sessions[0]
    note = services.log_notes(kendari_pokja, session, "Versi pertama", [], [], [], NOW).note
    db.session.commit()
    login(kendari_pokja)
    assert "Versi pertama" in client.get(f"/notes/{note.id}/edit").text
    assert client.post(f"/notes/{note.id}/edit", data={"body": "Versi kedua"}).status_code == 302
    page = client.get(f"/sessions/{session.id}/notes")
    assert "Versi kedua" in page.text and "Riwayat perubahan" in page.text and "Versi pertama" in page.text
    assert db.session.scalar(select(NoteRevision.previous_body)) == "Versi pertama"


def test_a_stale_note_edit_shows_both_texts_and_loses_nothing(client, login, make_programme,
                                                              kendari_pokja, blitar_pokja):
    session = make_programme().sessions[0]
    note = services.log_notes(kendari_pokja, session, "Versi pertama", [], [], [], NOW).note
    db.session.commit()
    login(kendari_pokja)
    assert 'name="version" type="hidden" value="1"' in client.get(f"/notes/{note.id}/edit").text
    services.edit_note(blitar_pokja, note, "Versi Blitar", NOW, version=1)
    db.session.commit()
    stale = client.post(f"/notes/{note.id}/edit", data={"body": "Versi Kendari", "version": "1"})
    assert stale.status_code == 409
    assert "Orang lain telah mengubah ini" in stale.text
    assert "Versi Blitar" in stale.text and "Versi Kendari" in stale.text
    assert 'name="version" type="hidden" value="2"' in stale.text
    db.session.refresh(note)
    assert note.body_markdown == "Versi Blitar" and len(note.revisions) == 1
    merged = client.post(f"/notes/{note.id}/edit", data={"body": "Versi gabungan", "version": "2"})
    assert merged.status_code == 302
    db.session.refresh(note)
    assert note.body_markdown == "Versi gabungan"
    assert [r.previous_body for r in note.revisions] == ["Versi Blitar", "Versi pertama"]


def test_a_stale_lesson_edit_keeps_the_typed_text(client, login, make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    lesson = services.log_notes(blitar_pokja, session, "", [], [
        {"text": "Mulai dengan ASN", "outcome": "new_action"}], [], NOW).lessons[0]
    db.session.commit()
    services.edit_lesson(blitar_pokja, lesson, {"text": "Mulai dengan ASN dan OPD"}, NOW)
    db.session.commit()
    login(blitar_pokja)
    stale = client.post(f"/lessons/{lesson.id}/edit", data={
        "text": "Mulai dengan instruksi wali kota", "outcome": "new_action", "topic": "wastewater",
        "version": "1"})
    assert stale.status_code == 409
    assert "Mulai dengan ASN dan OPD" in stale.text and "Mulai dengan instruksi wali kota" in stale.text


def test_knowledge_base_is_open_to_every_signed_in_user(client, login, make_programme, blitar_pokja,
                                                        make_user):
    session = make_programme().sessions[0]
    services.log_notes(blitar_pokja, session, "rahasia sesi", [], [
        {"text": "Advokasi kepada kepala daerah untuk meraih komitmen", "outcome": "improved_consensus"},
        {"text": "Mulai uji coba dengan ASN", "outcome": "new_action", "topic": "governance"}], [], NOW)
    db.session.commit()
    login(make_user("viewer"))
    page = client.get("/knowledge?q=advokasi")
    assert page.status_code == 200 and 'name="q"' in page.text
    assert "<mark>Advokasi</mark> kepada kepala daerah" in page.text and "Mulai uji coba" not in page.text
    page = client.get("/knowledge?topic=governance")
    assert "Mulai uji coba" in page.text and "Advokasi kepada" not in page.text
    page = client.get("/knowledge?outcome=improved_consensus&year=2020&city=74.71")
    assert "Advokasi kepada" in page.text and "Mulai uji coba" not in page.text
    lesson = db.session.scalar(select(Lesson).where(Lesson.outcome_type == "new_action"))
    detail = client.get(f"/lessons/{lesson.id}")
    assert detail.status_code == 200 and "Pelajaran serupa" in detail.text
    assert "Kota Kendari" in detail.text and "Sesi 1" in detail.text
    # Lessons are shared; the session's notes stay with the programme's participants.
    assert f"/sessions/{session.id}/notes" not in detail.text
    assert f"/programmes/{session.programme_id}" not in detail.text
    assert client.get(f"/sessions/{session.id}/notes").status_code == 403


def test_participants_get_links_to_the_programme_and_session(client, login, make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    lessons = [{"text": "Mulai dengan ASN", "outcome": "new_action"}]
    lesson = services.log_notes(blitar_pokja, session, "", [], lessons, [], NOW).lessons[0]
    db.session.commit()
    login(blitar_pokja)
    for url in ("/knowledge", f"/lessons/{lesson.id}"):
        page = client.get(url)
        assert f'href="/programmes/{session.programme_id}"' in page.text
        assert f'href="/sessions/{session.id}/notes"' in page.text


def test_empty_knowledge_base_says_so(client, login, make_user):
    login(make_user("viewer"))
    page = client.get("/knowledge?q=apa+saja&topic=road&year=1999")
    assert page.status_code == 200 and 'id="no-lessons"' in page.text


def test_knowledge_page_needs_sign_in(client):
    response = client.get("/knowledge")
    assert response.status_code in (302, 401)


def test_programme_report_shows_notes_without_running_scripts(client, login, make_programme, blitar_pokja):
    programme = make_programme()
    services.log_notes(blitar_pokja, programme.sessions[0], "Ringkasan <script>alert(1)</script> **L2T2**",
                       [{"name": "Ibu Sari", "city": "35.72", "agency": "Bappeda"}],
                       [{"text": "Mulai dengan ASN", "outcome": "new_action"}],
                       [{"text": "Kirim SOP", "owner_city": "74.71", "due": "2020-02-03"}], NOW)
    db.session.commit()
    login(blitar_pokja)
    report = client.get(f"/programmes/{programme.id}/report")
    assert report.status_code == 200
    assert 'id="report-notes"' in report.text and "<strong>L2T2</strong>" in report.text
    assert "<script>alert" not in report.text and "&lt;script&gt;" in report.text
    assert "Mulai dengan ASN" in report.text and "Kirim SOP" in report.text and "Ibu Sari" in report.text


def test_lesson_and_action_edit_pages_keep_history(client, login, make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    logged = services.log_notes(blitar_pokja, session, "", [],
                                [{"text": "Mulai dengan ASN", "outcome": "new_action"}],
                                [{"text": "Kirim SOP", "owner_city": "74.71", "due": "2020-02-03"}], NOW)
    db.session.commit()
    lesson, action = logged.lessons[0], logged.actions[0]
    login(blitar_pokja)
    assert "Mulai dengan ASN" in client.get(f"/lessons/{lesson.id}/edit").text
    response = client.post(f"/lessons/{lesson.id}/edit", data={
        "text": "Mulai dengan ASN dulu", "outcome": "new_action", "topic": "wastewater"})
    assert response.status_code == 302
    page = client.get(f"/actions/{action.id}/edit")
    assert page.status_code == 200 and 'value="2020-02-03"' in page.text
    bad = client.post(f"/actions/{action.id}/edit", data={
        "text": "Kirim SOP", "owner_city": "74.71", "owner_person": "", "due": "kemarin", "status": "open"})
    assert bad.status_code == 400 and "TTTT-BB-HH" in bad.text
    response = client.post(f"/actions/{action.id}/edit", data={
        "text": "Kirim SOP", "owner_city": "35.72", "owner_person": "Bappeda", "due": "2020-02-10",
        "status": "done"})
    assert response.status_code == 302
    db.session.refresh(lesson)
    db.session.refresh(action)
    assert lesson.text == "Mulai dengan ASN dulu"
    assert lesson.revisions[0].previous == {"text": "Mulai dengan ASN"}
    assert action.status == ActionStatus.DONE and action.owner_city.code == "35.72"
    assert action.revisions[0].previous == {"owner_city": "74.71", "owner_person": "", "due_on": "2020-02-03",
                                            "status": "open"}


def test_saved_lessons_and_actions_come_as_a_plain_text_summary_to_copy(client, login, make_programme,
                                                                        blitar_pokja):
    session = make_programme().sessions[0]
    login(blitar_pokja)
    assert 'id="copy-summary"' not in client.get(f"/sessions/{session.id}/notes").text
    client.post(f"/sessions/{session.id}/notes",
                data=_form(**{"lessons-0-text": "Advokasi <b>wali kota</b> dulu"}))
    html = client.get(f"/sessions/{session.id}/notes").text
    summary = html[html.index('id="notes-summary"'):html.index("</textarea>")]
    assert "Sesi 1" in summary and "Pelajaran:" in summary
    assert "- Advokasi &lt;b&gt;wali kota&lt;/b&gt; dulu" in summary  # plain text, escaped
    assert "- Susun draf instruksi wali kota (Kota Blitar, Bagian Hukum; tenggat 24 Feb 2020)" in summary
    assert 'data-copy="notes-summary"' in html and "Salin ringkasan" in html
    assert "Sesi pertama" not in summary  # the notes body stays on the page, not in the summary


def test_knowledge_search_marks_what_it_matched_and_escapes_the_rest(client, login, make_programme,
                                                                    blitar_pokja):
    session = make_programme().sessions[0]
    login(blitar_pokja)
    client.post(f"/sessions/{session.id}/notes",
                data=_form(**{"lessons-0-text": "Instruksi <i>wali kota</i> untuk ASN"}))
    html = client.get("/knowledge?q=walikota").text
    assert "Instruksi &lt;i&gt;<mark>wali kota</mark>&lt;/i&gt; untuk ASN" in html

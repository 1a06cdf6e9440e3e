"""Optimistic locking helpers: If-Match parsing, version checks, and a stale flush anywhere."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from matchmaker.errors import EditConflict, PreconditionFailed
from matchmaker.extensions import db
from matchmaker.notes import services
from matchmaker.notes.models import SessionNote
from matchmaker.versioning import ensure_if_match, ensure_version, etag

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("header", [None, "", "*", '"3"', 'W/"3"', '"1", "3"', '"3:gzip"'])
def test_if_match_that_names_the_current_version_or_anything_passes(header):
    ensure_if_match(header, etag(3))


@pytest.mark.parametrize("header", ['"2"', "3", 'W/"4", "5"', '"2:gzip"'])
def test_if_match_that_names_another_version_is_412(header):
    with pytest.raises(PreconditionFailed):
        ensure_if_match(header, etag(3))


@pytest.fixture
def note(make_programme, pokja_blitar):
    session = make_programme(agreed=True, sessions=1, first=NOW).sessions[0]
    note = services.log_notes(pokja_blitar, session, "Versi pertama", [], [], [], NOW).note
    db.session.commit()
    return note


def test_a_version_that_is_not_the_current_one_is_refused(note):
    ensure_version(note, None)
    ensure_version(note, 1)
    with pytest.raises(EditConflict):
        ensure_version(note, 2)


def test_an_edit_whose_version_changed_underneath_is_409_and_writes_nothing(note, pokja_blitar):
    db.session.execute(update(SessionNote).where(SessionNote.id == note.id)
                       .values(version=SessionNote.version + 1)
                       .execution_options(synchronize_session=False))
    with pytest.raises(EditConflict):
        services.edit_note(pokja_blitar, note, "Versi basi", NOW)
    db.session.refresh(note)
    assert note.body_markdown == "Versi pertama" and note.revisions == []


def test_a_stale_flush_at_a_views_commit_answers_409_not_500(app, client, note):
    @app.route("/test-stale-commit")
    def stale_commit():
        db.session.execute(update(SessionNote).where(SessionNote.id == note.id)
                           .values(version=SessionNote.version + 1)
                           .execution_options(synchronize_session=False))
        note.body_markdown = "Ditulis tanpa flush_edit"
        db.session.commit()
        return "ok"

    response = client.get("/test-stale-commit")
    assert response.status_code == 409 and "Orang lain telah mengubah ini" in response.text
    db.session.refresh(note)
    assert note.body_markdown == "Versi pertama"


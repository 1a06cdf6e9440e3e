"""Files on session notes: limits by size and type, kept under the attachment folder, served only
to those who may read the notes, listed in the printable report."""

import io

import pytest

from matchmaker.errors import Forbidden, ValidationError
from matchmaker.extensions import db
from matchmaker.notes import attachments
from matchmaker.notes.models import NoteAttachment

PDF = b"%PDF-1.7\n" + b"x" * 2000


@pytest.fixture(autouse=True)
def attachment_dir(app, tmp_path):
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "files")
    return tmp_path / "files"


def test_a_participant_attaches_a_pdf_kept_in_the_attachment_folder(make_programme, blitar_pokja,
                                                                   attachment_dir, now):
    session = make_programme().sessions[0]
    item = attachments.add_attachment(blitar_pokja, session, "Draf Perwali L2T2.pdf", io.BytesIO(PDF), now)
    db.session.commit()
    assert (item.filename, item.content_type, item.size_bytes) == ("Draf_Perwali_L2T2.pdf",
                                                                    "application/pdf", len(PDF))
    assert (attachment_dir / item.stored_name).read_bytes() == PDF
    assert item.stored_name != item.filename  # the name on disk is never the uploader's


@pytest.mark.parametrize(("name", "data", "message"), [
    ("catatan.html", b"<html>", "Jenis berkas tidak diterima"),
    ("tanpa-ekstensi", b"%PDF", "Jenis berkas tidak diterima"),
    ("palsu.pdf", b"<script>alert(1)</script>", "tidak cocok"),
    ("kosong.pdf", b"", "kosong"),
])
def test_files_of_other_types_empty_or_disguised_are_refused(make_programme, blitar_pokja, now,
                                                             name, data, message):
    session = make_programme().sessions[0]
    with pytest.raises(ValidationError, match=message):
        attachments.add_attachment(blitar_pokja, session, name, io.BytesIO(data), now)


def test_the_size_and_type_limits_are_settings(app, make_programme, blitar_pokja, now):
    session = make_programme().sessions[0]
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    with pytest.raises(ValidationError, match="terlalu besar"):
        attachments.add_attachment(blitar_pokja, session, "a.pdf", io.BytesIO(PDF), now)
    app.config["ATTACHMENT_TYPES"] = "txt"
    with pytest.raises(ValidationError, match="txt"):
        attachments.add_attachment(blitar_pokja, session, "a.pdf", io.BytesIO(b"%PDF"), now)
    assert attachments.add_attachment(blitar_pokja, session, "a.txt", io.BytesIO(b"halo"), now).id


def test_only_the_programmes_participants_attach(make_programme, jayapura_pokja, now):
    session = make_programme().sessions[0]
    with pytest.raises(Forbidden):
        attachments.add_attachment(jayapura_pokja, session, "a.pdf", io.BytesIO(PDF), now)


def _upload(client, session, name="paparan.pdf", data=PDF):
    return client.post(f"/sessions/{session.id}/attachments",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_upload_on_the_page_then_only_participants_download_it(client, login, make_programme,
                                                               blitar_pokja, kendari_pokja,
                                                               jayapura_pokja, make_user):
    session = make_programme().sessions[0]
    login(blitar_pokja)
    response = _upload(client, session)
    assert response.status_code == 302 and response.headers["Location"].endswith("#attachments")
    item = db.session.query(NoteAttachment).one()
    page = client.get(f"/sessions/{session.id}/notes").text
    assert f'href="/attachments/{item.id}"' in page and "paparan.pdf" in page and "2 KB" in page
    login(kendari_pokja)
    download = client.get(f"/attachments/{item.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "private, no-store"
    download.close()
    login(jayapura_pokja)
    assert client.get(f"/attachments/{item.id}").status_code == 403
    login(make_user("viewer"))
    assert client.get(f"/attachments/{item.id}").status_code == 403
    assert client.get("/attachments/999999").status_code == 404


def test_a_refused_upload_says_why_next_to_the_field(client, login, make_programme, blitar_pokja):
    session = make_programme().sessions[0]
    login(blitar_pokja)
    response = _upload(client, session, "skrip.exe", b"MZ")
    assert response.status_code == 400
    assert "Jenis berkas tidak diterima" in response.text and "is-invalid" in response.text
    assert db.session.query(NoteAttachment).count() == 0


def test_the_upload_route_takes_bodies_larger_than_other_forms(app, client, login, make_programme,
                                                                blitar_pokja):
    session = make_programme().sessions[0]
    login(blitar_pokja)
    app.config.update(MAX_CONTENT_LENGTH=5_000, ATTACHMENT_MAX_BYTES=40_000,
                      ATTACHMENT_BODY_MAX_BYTES=45_000)
    big = b"%PDF" + b"x" * 10_000
    assert _upload(client, session, "besar.pdf", big).status_code == 302
    too_big = b"%PDF" + b"x" * app.config["ATTACHMENT_BODY_MAX_BYTES"]
    assert _upload(client, session, "terlalu.pdf", too_big).status_code == 413
    assert client.post(f"/sessions/{session.id}/notes", data={"body": "x" * len(big)}).status_code == 413


def test_the_printable_report_lists_the_attachments(client, login, make_programme, blitar_pokja, now):
    programme = make_programme()
    attachments.add_attachment(blitar_pokja, programme.sessions[1], "foto-iplt.png",
                               io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 10), now)
    db.session.commit()
    login(blitar_pokja)
    html = client.get(f"/programmes/{programme.id}/report").text
    section = html[html.index('id="report-session-2"'):]
    assert "foto-iplt.png" in section[:section.index("</section>")]


def test_a_participant_removes_an_attachment_and_its_file(client, login, make_programme, blitar_pokja,
                                                         jayapura_pokja, attachment_dir, now):
    session = make_programme().sessions[0]
    item = attachments.add_attachment(blitar_pokja, session, "salah.pdf", io.BytesIO(PDF), now)
    db.session.commit()
    stored = attachment_dir / item.stored_name
    login(jayapura_pokja)
    assert client.post(f"/attachments/{item.id}/delete").status_code == 403
    login(blitar_pokja)
    response = client.post(f"/attachments/{item.id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("#attachments")
    assert db.session.query(NoteAttachment).count() == 0 and not stored.exists()

"""Issue 10's first "done when": a Pokja member on a 390px phone, in Bahasa Indonesia throughout."""

import re
from datetime import timedelta

import pytest

from matchmaker.extensions import db
from matchmaker.programmes import services as programmes
from matchmaker.timeutils import utcnow
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Words of the English translation that would give away an untranslated page.
ENGLISH = re.compile(r"\b(Home|Save|Sign out|Notes|Session|Upload|Share|Agree|Accept|Proposals?|"
                     r"Attachments?|Waiting|Next|Actions?|the|and|of|your)\b")


def _check(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    text = page.inner_text("body")
    assert not ENGLISH.findall(text), (page.url, ENGLISH.findall(text))


def test_a_pokja_member_answers_plans_and_logs_on_a_phone(app, page, make_programme, plan_sessions,
                                                         pokja_blitar, pokja_kendari):
    now = utcnow()
    programme = make_programme(at=now)
    start = (now + timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
    plan_sessions(programme, start - timedelta(days=14), now, count=3,
                  meeting_url="https://meet.example.id/l2t2")
    programmes.respond_to_proposal(pokja_blitar, programme, True, now)
    db.session.commit()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/login")
    page.fill("#email", pokja_kendari.email)
    page.fill("#password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_selector("#proposals")
    assert page.inner_text("#waiting-count") == "2"  # the proposal and last session's notes
    proposal = page.locator("#proposals .proposal")
    assert programme.display_title in proposal.inner_text()
    _check(page)

    proposal.locator("button.accept-proposal").click()
    page.wait_for_url(f"**/programmes/{programme.id}")
    assert "Disepakati" in page.inner_text("#programme-title")
    _check(page)

    page.goto("/")
    upcoming = page.locator("#next-sessions .next-session").first
    assert "10:00 WITA / 09:00 WIB" in upcoming.inner_text()  # Kendari's own time first
    assert "belum disepakati" not in upcoming.inner_text()
    share = upcoming.locator("a.whatsapp-share").get_attribute("href")
    assert share.startswith("https://wa.me/?text=") and "meet.example.id" in share
    _check(page)

    page.locator("#notes-missing a.notes-link").first.click()
    page.fill("#body", "Kendari memaparkan instruksi wali kota untuk ASN.")
    page.fill("#lessons-0-text", "Mulai uji coba dengan ASN")
    page.select_option("#lessons-0-outcome", "new_action")
    page.click("#save-notes")
    page.wait_for_selector("#attachment-form")
    page.set_input_files("#attachment-file", files=[{
        "name": "paparan-l2t2.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n" + b"0" * 500}])
    page.click("#upload-attachment")
    page.wait_for_selector("#attachments .attachment")
    assert "paparan-l2t2.pdf" in page.inner_text("#attachments")
    assert "Mulai uji coba dengan ASN" in page.input_value("#notes-summary")
    assert page.locator("#share-session a.whatsapp-share").get_attribute("href").startswith(
        "https://wa.me/?text=")
    _check(page)

"""The whole journey in Chromium: recommendation → programme → six sessions → notes → knowledge."""

import pytest
from sqlalchemy import select

from matchmaker.cities.models import City, Need
from matchmaker.demo import load_demo
from matchmaker.extensions import db
from tests.browser.test_profiles_browser import sign_in

pytestmark = pytest.mark.browser


def sign_out(page):
    toggler = page.locator("[data-toggle-nav=main-nav]")
    if toggler.is_visible():  # on a phone the menu is folded behind its button
        toggler.click()
    page.click("nav form[action='/logout'] button")
    page.wait_for_url("**/login")


def test_facilitator_plans_and_pokja_logs_a_lesson_found_in_the_knowledge_base(app, page):
    load_demo()
    db.session.commit()
    blitar_need = db.session.scalar(select(Need).join(City).where(
        City.code == "35.72", Need.topic == "wastewater"))

    sign_in(page, "fasilitator@demo.id")
    page.goto(f"/match?need={blitar_need.id}")
    # Blitar put Kendari's L2T2 into its plan in the 2020 programme: Kendari is excluded.
    assert "sudah mengadopsi praktik Kendari" in page.inner_text("#excluded + table")
    first = page.locator(".recommendation").first
    mentor = first.locator("h3 a").inner_text()
    assert mentor != "Kota Kendari"
    first.locator("button", has_text="Buat program").click()
    page.wait_for_url("**/programmes/*")
    page.fill("#series-form input[name=first_start]", "2030-01-07T09:00")
    page.select_option("#series-form select[name=timezone]", "Asia/Jakarta")
    page.fill("#series-form input[name=meeting_url]", "https://meet.example.id/l2t2")
    page.click("#series-form [type=submit]")
    page.wait_for_selector(".session-row")
    rows = page.locator(".session-row")
    assert rows.count() == 6
    assert "09:00 WIB" in rows.first.inner_text() and "10:00 WITA" in rows.first.inner_text()
    sign_out(page)

    sign_in(page, "pokja.blitar@demo.id")
    page.goto("/programmes")
    assert "09:00 WIB" in page.inner_text("main")
    page.locator("a[href*='/programmes/']", has_text=mentor).first.click()
    page.locator("a[href*='/notes']").first.click()
    page.fill("#body", "Kendari menjelaskan **instruksi wali kota** untuk ASN.")
    page.fill("#lessons-0-text", "Advokasi di Kelurahan Kepanjenkidul membuka jalan bagi uji coba penyedotan")
    page.select_option("#lessons-0-outcome", "improved_consensus")
    page.fill("#actions-0-text", "Susun draf instruksi wali kota")
    page.select_option("#actions-0-owner_city", label="Kota Blitar")
    page.fill("#actions-0-due", "2030-02-01")
    page.click("#save-notes")
    page.wait_for_selector("#lessons")
    assert "instruksi wali kota" in page.inner_text("#notes")
    assert "Susun draf instruksi wali kota" in page.inner_text("#actions")

    page.goto("/knowledge")
    page.fill("#q", "kepanjenkidul")
    page.click("#search-lessons")
    results = page.locator("#lesson-results .lesson-result")
    assert any("Kelurahan Kepanjenkidul" in text for text in results.all_inner_texts())

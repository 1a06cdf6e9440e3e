"""On a 390x844 phone screen no main page scrolls sideways, and the menu collapses behind a button."""

import pytest
from sqlalchemy import select

from matchmaker.demo import load_demo
from matchmaker.extensions import db
from matchmaker.notes.models import Lesson
from matchmaker.programmes.models import Programme
from tests.browser.test_profiles_browser import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _pages(programme: Programme, lesson: Lesson) -> list[str]:
    session = programme.sessions[0]
    return ["/", "/cities", "/cities/74.71", "/cities/35.72", "/knowledge?q=wali+kota",
            f"/lessons/{lesson.id}", "/programmes", f"/programmes/{programme.id}",
            f"/programmes/{programme.id}/report", f"/sessions/{session.id}/notes", "/account",
            "/account/reminders", "/map"]


ADMIN_PAGES = ["/admin/users", "/admin/outbox"]
FACILITATOR_PAGES = ["/dashboard", "/match", "/match/cohort", "/programmes/new", "/cities/import"]


def _wider_than_the_screen(page, path: str) -> str | None:
    response = page.goto(path)
    assert response.status < 400, path
    width, screen = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    return f"{path}: {width}px > {screen}px" if width > screen else None


@pytest.mark.parametrize("width", [390, 360])
def test_no_main_page_scrolls_sideways_for_pokja_or_facilitator(app, page, width):
    load_demo()
    db.session.commit()
    programme = db.session.scalars(select(Programme).order_by(Programme.id)).first()
    lesson = db.session.scalars(select(Lesson).order_by(Lesson.id)).first()
    pages = _pages(programme, lesson)
    page.set_viewport_size({**PHONE, "width": width})
    assert _wider_than_the_screen(page, "/login") is None

    sign_in(page, "pokja.blitar@demo.id")
    too_wide = [_wider_than_the_screen(page, path) for path in pages]
    assert [p for p in too_wide if p] == []
    page.context.clear_cookies()

    sign_in(page, "fasilitator@demo.id")
    too_wide = [_wider_than_the_screen(page, path) for path in pages[1:] + FACILITATOR_PAGES]
    assert [p for p in too_wide if p] == []
    page.context.clear_cookies()

    sign_in(page, "admin@demo.id")
    too_wide = [_wider_than_the_screen(page, path) for path in ADMIN_PAGES]
    assert [p for p in too_wide if p] == []


def test_the_menu_is_collapsed_behind_a_button_on_a_phone(app, page):
    load_demo()
    db.session.commit()
    page.set_viewport_size(PHONE)
    sign_in(page, "pokja.blitar@demo.id")
    menu = page.locator("#main-nav")
    assert not menu.is_visible()
    assert page.locator("nav").bounding_box()["height"] < 844 * 0.15
    toggler = page.locator("[data-toggle-nav=main-nav]")
    assert toggler.bounding_box()["height"] >= 44
    toggler.click()
    assert menu.is_visible() and toggler.get_attribute("aria-expanded") == "true"
    page.click("#main-nav >> text=Pengetahuan")
    page.wait_for_url("**/knowledge")

"""A Pokja member answers a time poll on a phone-sized screen; the facilitator sees the answer."""

import pytest

from matchmaker.extensions import db
from matchmaker.programmes import polls
from matchmaker.timeutils import utcnow
from tests.browser.test_programme_journey import sign_out
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)  # each role lands on its home


def test_pokja_marks_two_slots_at_390px_and_the_facilitator_sees_them(
        app, page, facilitator, pokja_blitar, make_programme):
    programme = make_programme(agreed=True)
    poll = polls.open_poll(facilitator, programme,
                           ["2031-02-03T09:00", "2031-02-04T09:00", "2031-02-05T13:00"], utcnow())
    db.session.commit()
    first, second, third = (o.id for o in poll.options)

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, pokja_blitar.email)
    page.goto(f"/polls/{poll.id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    choices = page.locator(".poll-choice")
    assert choices.count() == 3
    assert "09:00 WIB" in choices.first.inner_text() and "10:00 WITA" in choices.first.inner_text()
    page.check(f"input[name=available][value='{first}']")
    page.check(f"input[name=available][value='{third}']")
    page.click("#answer-button")
    page.wait_for_selector("#answered")
    assert page.is_checked(f"input[name=available][value='{third}']")
    sign_out(page)

    sign_in(page, facilitator.email)
    page.goto(f"/polls/{poll.id}")
    cells = {option: page.inner_text(f"tr[data-option='{option}'] td[data-city='35.72']")
             for option in (first, second, third)}
    assert cells == {first: "Pokja Blitar", second: "–", third: "Pokja Blitar"}

"""Forms in Chromium: a double click on a submit button runs the form once."""

import pytest
from sqlalchemy import func, select

from matchmaker.extensions import db
from matchmaker.programmes.models import ProgrammeSession
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_double_click_on_add_session_adds_one_session(app, page, make_programme, facilitator):
    programme = make_programme(agreed=True)
    page.goto("/login")
    page.fill("input[name=email]", facilitator.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_load_state()
    page.goto(f"/programmes/{programme.id}")
    page.fill("#add-session-form input[name=starts_at]", "2030-01-07T09:00")
    # Two clicks in a row, faster than any page load.
    page.evaluate("""() => { const button = document.querySelector('#add-session-form [type=submit]');
                             button.click(); setTimeout(() => button.click(), 20); }""")
    page.wait_for_selector(".session-row")
    page.wait_for_timeout(500)  # a second request, if one went out, has landed by now
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ProgrammeSession)) == 1
    assert page.locator(".session-row").count() == 1

"""Who reads which lessons: shared once a programme is agreed, internal before and after a 'no'."""

import pytest

from matchmaker.errors import Forbidden
from matchmaker.extensions import db
from matchmaker.notes import access, search, services
from matchmaker.notes.search import LessonFilters
from matchmaker.programmes import services as programmes


@pytest.fixture
def lessons(make_programme, pokja_blitar, facilitator, now):
    """A lesson in a running programme and one in a proposal that Blitar then declined."""
    shared = make_programme(status="active", sessions=1, first=now)
    internal = make_programme(mentor="35.72", mentee="91.71", topic="solid_waste", sessions=1, first=now)
    for programme in (shared, internal):
        services.log_notes(facilitator, programme.sessions[0], "", [],
                           [{"text": f"Pelajaran advokasi {programme.topic}", "outcome": "new_knowledge"}],
                           [], now)
    programmes.cancel_programme(facilitator, internal, "Belum waktunya", now)
    db.session.commit()
    return {p.topic: p.sessions[0] for p in (shared, internal)}


def _topics(actor) -> set[str]:
    return {lesson.topic for lesson in search.search_lessons(actor, LessonFilters(q="advokasi"))}


def test_viewers_and_other_cities_see_only_shared_lessons(lessons, make_user):
    assert _topics(make_user("viewer")) == {"wastewater"}
    assert _topics(make_user("pokja", "74.71")) == {"wastewater"}


def test_participants_and_facilitators_also_see_their_internal_ones(lessons, make_user, facilitator):
    assert _topics(make_user("pokja", "91.71")) == {"wastewater", "solid_waste"}
    assert _topics(facilitator) == {"wastewater", "solid_waste"}


def test_an_internal_lesson_is_refused_by_id_too(lessons, make_user):
    internal = lessons["solid_waste"]
    lesson_id = db.session.scalars(db.select(services.Lesson.id).where(
        services.Lesson.session_id == internal.id)).one()
    with pytest.raises(Forbidden):
        access.get_lesson(make_user("viewer"), lesson_id)
    assert access.get_lesson(make_user("pokja", "35.72"), lesson_id).topic == "solid_waste"

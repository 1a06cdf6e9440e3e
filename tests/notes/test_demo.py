from datetime import UTC, datetime

from sqlalchemy import func, select

from matchmaker.access import OPERATOR
from matchmaker.extensions import db
from matchmaker.notes.demo import load_notes_demo
from matchmaker.notes.models import ActionStatus, FollowUpAction, Lesson, SessionNote
from matchmaker.notes.search import LessonFilters, search_lessons
from matchmaker.programmes.models import ProgrammeStatus

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_notes_carry_the_three_lessons_and_are_idempotent(make_programme, make_user):
    make_user("facilitator", email="fasilitator@demo.id")
    make_user("pokja", "35.72", email="pokja.blitar@demo.id")
    make_user("pokja", "74.71", email="pokja.kendari@demo.id")
    programme = make_programme(status=ProgrammeStatus.COMPLETED)
    assert load_notes_demo(NOW) == 6
    db.session.commit()
    counts = (_count(SessionNote), _count(Lesson), _count(FollowUpAction))
    assert counts == (6, 3, 4)
    assert load_notes_demo(NOW) == 0
    assert (_count(SessionNote), _count(Lesson), _count(FollowUpAction)) == counts

    lessons = {lesson.outcome_type: lesson for lesson in db.session.scalars(select(Lesson))}
    assert set(lessons) == {"improved_consensus", "new_knowledge", "new_action"}
    assert all(lesson.programme_id == programme.id for lesson in lessons.values())
    assert "kepala daerah" in lessons["improved_consensus"].text
    assert "ASN" in lessons["new_action"].text
    assert "instruksi wali kota" in lessons["new_knowledge"].text
    assert all(a.status == ActionStatus.DONE for a in db.session.scalars(select(FollowUpAction)))
    # Logged after each session, in 2020, by the demo users.
    notes = db.session.scalars(select(SessionNote))
    assert all(note.created_at.year == 2020 and note.author for note in notes)
    assert [lesson.text for lesson in search_lessons(OPERATOR, LessonFilters(q="advokasi"))] == [
        lessons["improved_consensus"].text]


def test_demo_without_the_programme_does_nothing(app):
    assert load_notes_demo(NOW) == 0


def test_full_demo_loads_notes_on_the_programmes_demo(app):
    from matchmaker.demo import load_demo

    load_demo(NOW)
    db.session.commit()
    assert _count(Lesson) == 3
    load_demo(NOW)
    db.session.commit()
    assert _count(Lesson) == 3
    open_actions = list(db.session.scalars(select(FollowUpAction).where(
        FollowUpAction.status == ActionStatus.OPEN)))
    assert len(open_actions) == 1 and open_actions[0].due_on > NOW.date()

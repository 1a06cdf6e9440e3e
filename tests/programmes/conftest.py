"""Fixtures of the programmes tests: an agreed Kendari–Blitar programme with its series."""

from datetime import datetime

import pytest


@pytest.fixture
def planned(make_programme, plan_sessions, now):
    """An agreed programme with six sessions from Monday 4 January 2027 09:00 WIB."""
    programme = make_programme(agreed=True)
    plan_sessions(programme, datetime(2027, 1, 4, 9, 0), now, count=6,
                  meeting_url="https://meet.example.id/abc", allow_past=False)
    return programme

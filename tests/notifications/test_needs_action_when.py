"""How a deadline is said in an action ("Vote before …"), in the site's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone, translation

from deliberation.notifications.needs_action import when


def _at(day: int, hour: int) -> datetime:
    tz = timezone.get_current_timezone()
    return datetime(2026, 12, day, hour, 0, tzinfo=tz)


def test_today_tomorrow_weekday_then_date():
    now = _at(1, 9)  # a Tuesday
    assert when(_at(1, 18), now) == "18:00 today"
    assert when(_at(2, 18), now) == "tomorrow 18:00"
    assert when(_at(3, 18), now) == "Thursday 18:00"
    assert when(_at(7, 18), now) == "Monday 18:00"
    assert when(_at(8, 18), now) == "8 December 18:00"


def test_in_swedish():
    now = _at(1, 9)
    with translation.override("sv"):
        assert when(_at(1, 18), now) == "18:00 i dag"
        assert when(_at(2, 18), now) == "i morgon 18:00"
        assert when(_at(3, 18), now) == "torsdag 18:00"
        assert when(_at(1, 18) + timedelta(days=9), now) == "10 december 18:00"

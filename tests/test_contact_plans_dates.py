"""Date and time rules of plan events (seed 003 "Determing the Contact Date", "Holidays")."""

from __future__ import annotations

import datetime as dt

import pytest

from collectdesk.engine.scheduling import (
    Calendar,
    DateRule,
    TimeRule,
    add_months,
    day_of_month_date,
    event_time,
)

D = dt.date
FRIDAY = D(2024, 3, 8)
MONDAY = D(2024, 3, 11)


def weekdays_only(*holidays: dt.date) -> Calendar:
    return Calendar(schedule_on_weekends=False, holidays=frozenset(holidays))


def test_delay_days_count_from_the_reference_date() -> None:
    assert weekdays_only().event_date(D(2024, 3, 4), DateRule(True, 10)) == D(2024, 3, 14)


@pytest.mark.parametrize("base, day, expected", [
    (D(2024, 3, 20), 25, D(2024, 3, 25)),  # not yet passed: this month
    (D(2024, 3, 20), 15, D(2024, 4, 15)),  # already passed: next month
    (D(2024, 3, 20), 20, D(2024, 3, 20)),  # today is not "past"
    (D(2024, 3, 20), 0, D(2024, 4, 1)),    # blank = the 1st
    (D(2024, 3, 1), 0, D(2024, 3, 1)),
    (D(2024, 4, 10), 31, D(2024, 4, 30)),  # the 31st in a 30-day month: last day
    (D(2024, 2, 10), 31, D(2024, 2, 29)),
    (D(2023, 2, 10), 30, D(2023, 2, 28)),
    (D(2024, 12, 20), 5, D(2025, 1, 5)),   # passed in December: January next year
])
def test_day_of_month(base: dt.date, day: int, expected: dt.date) -> None:
    assert day_of_month_date(base, day) == expected


def test_day_of_month_counts_from_the_date_after_delay_days() -> None:
    cal = Calendar(schedule_on_weekends=True)
    rule = DateRule(True, 10, True, 15)
    assert cal.event_date(D(2024, 3, 10), rule) == D(2024, 4, 15)  # 3/20 is past the 15th


def test_next_month_same_day() -> None:
    cal = Calendar(schedule_on_weekends=True)
    assert cal.event_date(D(2024, 10, 20), DateRule(next_month_same_day=True)) == D(2024, 11, 20)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)


def test_friday_plus_one_day_with_weekends_off_is_monday() -> None:
    assert weekdays_only().event_date(FRIDAY, DateRule(True, 1)) == MONDAY


def test_weekends_on_keeps_saturday_and_holidays() -> None:
    cal = Calendar(schedule_on_weekends=True, holidays=frozenset({MONDAY}))
    assert cal.event_date(FRIDAY, DateRule(True, 1)) == D(2024, 3, 9)
    assert cal.event_date(FRIDAY, DateRule(True, 3)) == MONDAY


def test_a_holiday_on_the_due_date_moves_to_the_next_business_day() -> None:
    cal = weekdays_only(D(2024, 3, 12))
    assert cal.event_date(MONDAY, DateRule(True, 1)) == D(2024, 3, 13)
    # a holiday Friday followed by the weekend ends on Monday
    assert weekdays_only(D(2024, 3, 15)).event_date(D(2024, 3, 14), DateRule(True, 1)) == \
        D(2024, 3, 18)
    # day of month landing on a holiday moves too
    assert weekdays_only(D(2024, 4, 15)).event_date(
        D(2024, 3, 20), DateRule(use_day_of_month=True, day_of_month=15)) == D(2024, 4, 16)


def test_an_immediate_event_is_not_moved_off_a_weekend() -> None:
    saturday = D(2024, 3, 9)
    assert weekdays_only().event_date(saturday, DateRule()) == saturday


def test_event_dates_are_memoised_per_reference_and_rule() -> None:
    cal = weekdays_only()
    rule = DateRule(True, 30)
    assert cal.event_date(D(2024, 3, 4), rule) is cal.event_date(D(2024, 3, 4), rule)
    assert len(cal._cache) == 1


NOW = dt.datetime(2024, 3, 4, 9, 0, 30, 123456)


def test_no_time_rule_gives_no_time() -> None:
    assert event_time(TimeRule(), D(2024, 3, 4), NOW) == (D(2024, 3, 4), None)
    # Timeless without a time leaves it blank too (the seed's sample plans)
    assert event_time(TimeRule(timeless=True), D(2024, 3, 4), NOW) == (D(2024, 3, 4), None)


def test_delay_minutes_from_now() -> None:
    assert event_time(TimeRule(True, 15, timeless=True), D(2024, 3, 4), NOW) == \
        (D(2024, 3, 4), dt.time(9, 15, 30))


def test_delay_minutes_cross_midnight() -> None:
    late = dt.datetime(2024, 3, 4, 23, 50)
    assert event_time(TimeRule(True, 15), D(2024, 3, 4), late) == (D(2024, 3, 5), dt.time(0, 5))


def test_timeless_with_a_time_schedules_at_that_time_of_day() -> None:
    rule = TimeRule(timeless=True, time_of_day=dt.time(18, 0))
    assert event_time(rule, D(2024, 3, 14), NOW) == (D(2024, 3, 14), dt.time(18, 0))
    both = TimeRule(True, 15, True, dt.time(18, 0))
    assert event_time(both, D(2024, 3, 4), NOW) == (D(2024, 3, 4), dt.time(18, 0))

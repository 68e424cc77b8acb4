"""When a contact falls due: the date and time rules of a plan event, weekends and holidays.

Seed 003, "How Collect! Executes Contact Plans Internally" → "Determing the Contact Date" and
"Determine the Contact Time", and "Holidays".  The rules are applied in the seed's order:

1. delay days: reference date + N days;
2. day of month: this month on that day if the day has not passed yet, otherwise next month;
   a blank (0) day means the 1st;
3. next month same day: one month later, same day of the month;
4. unless "Schedule contacts on weekends" is on, a Saturday, a Sunday or a holiday moves to the
   next business day.

Decisions where the seed is silent:

* Day of month counts from the date the earlier rules produced (the reference date, plus any
  delay days), not from the wall clock, so a "Prompt for start date" answer moves it too.  On the
  day itself the contact is scheduled for today ("not yet passed").
* A day the month does not have (the 31st in a 30-day month, the 30th in February) is the last
  day of that month; "next month same day" from January 31st gives the last day of February.
* Only a date a rule produced is moved off a weekend or holiday.  An event scheduled immediately
  runs today even on a Saturday: otherwise a Status or Note event run on a weekend would be
  postponed rather than executed.
* "Schedule contacts on weekends" switches off both skips (the Holidays topic: holidays are
  skipped "when Schedule Contacts on Weekends is not checked").
* Time: no time rule → no time (midnight).  Delay minutes → now + N minutes, crossing midnight
  into the next day when it must.  Timeless with a time entered → that time of day (it wins over
  delay minutes, as the seed lists it last); Timeless with no time leaves the time as it was.
"""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Holiday


@dataclass(frozen=True, slots=True)
class DateRule:
    """The date switches of one plan event."""

    use_delay_days: bool = False
    delay_days: int = 0
    use_day_of_month: bool = False
    day_of_month: int = 0
    next_month_same_day: bool = False

    @property
    def immediate(self) -> bool:
        return not (self.use_delay_days or self.use_day_of_month or self.next_month_same_day)


@dataclass(frozen=True, slots=True)
class TimeRule:
    """The time switches of one plan event."""

    use_delay_minutes: bool = False
    delay_minutes: int = 0
    timeless: bool = False
    time_of_day: dt.time | None = None


def last_day_of_month(year: int, month: int) -> int:
    return _calendar.monthrange(year, month)[1]


def on_day(year: int, month: int, day: int) -> dt.date:
    """``day`` of that month, or the month's last day when the month is shorter."""
    return dt.date(year, month, min(max(day, 1), last_day_of_month(year, month)))


def add_months(date: dt.date, months: int) -> dt.date:
    index = date.year * 12 + (date.month - 1) + months
    return on_day(index // 12, index % 12 + 1, date.day)


def day_of_month_date(base: dt.date, day: int) -> dt.date:
    """The next ``day`` of a month on or after ``base`` (0 = the 1st; short months clamp)."""
    day = day or 1
    this_month = on_day(base.year, base.month, day)
    if this_month >= base:
        return this_month
    following = add_months(dt.date(base.year, base.month, 1), 1)
    return on_day(following.year, following.month, day)


@dataclass
class Calendar:
    """Business days for scheduling: weekends and the Holidays list, unless weekends are on."""

    schedule_on_weekends: bool = False
    holidays: frozenset[dt.date] = frozenset()
    _cache: dict[tuple[dt.date, DateRule], dt.date] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, session: Session, *, schedule_on_weekends: bool) -> Calendar:
        days = frozenset(session.scalars(select(Holiday.date)))
        return cls(schedule_on_weekends=bool(schedule_on_weekends), holidays=days)

    def is_business_day(self, date: dt.date) -> bool:
        return date.weekday() < 5 and date not in self.holidays

    def next_business_day(self, date: dt.date) -> dt.date:
        """``date`` itself when contacts may be scheduled on it, else the next day that may."""
        if self.schedule_on_weekends:
            return date
        while not self.is_business_day(date):
            date += dt.timedelta(days=1)
        return date

    def event_date(self, reference: dt.date, rule: DateRule) -> dt.date:
        """The due date of an event run with ``reference`` as the start date (memoised)."""
        key = (reference, rule)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._event_date(reference, rule)
        return found

    def _event_date(self, reference: dt.date, rule: DateRule) -> dt.date:
        date = reference
        if rule.use_delay_days:
            date += dt.timedelta(days=rule.delay_days)
        if rule.use_day_of_month:
            date = day_of_month_date(date, rule.day_of_month)
        if rule.next_month_same_day:
            date = add_months(date, 1)
        if rule.immediate:
            return date
        return self.next_business_day(date)


def event_time(rule: TimeRule, due_date: dt.date,
               now: dt.datetime) -> tuple[dt.date, dt.time | None]:
    """The due date (moved past midnight by delay minutes) and the due time of an event."""
    due_time: dt.time | None = None
    if rule.use_delay_minutes:
        at = dt.datetime.combine(due_date, now.time()) + dt.timedelta(minutes=rule.delay_minutes)
        due_date, due_time = at.date(), at.time().replace(microsecond=0)
    if rule.timeless and rule.time_of_day is not None:
        due_time = rule.time_of_day
    return due_date, due_time


__all__ = [
    "Calendar", "DateRule", "TimeRule", "add_months", "day_of_month_date",
    "event_time", "last_day_of_month", "on_day",
]

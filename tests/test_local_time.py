"""The debtor's local time: from the Timezone field, the phone's area code or the ZIP code."""

from __future__ import annotations

import datetime as dt

import pytest

from collectdesk import models as m
from collectdesk.engine.records import debtor_time_zone, local_time, time_zones_for_zip


@pytest.mark.parametrize(("zip_code", "country", "zones"), [
    ("85714", "US", ["America/Phoenix"]),        # Arizona keeps standard time
    ("10001-1234", "", ["America/New_York"]),    # ZIP+4, country left blank
    ("96813", "USA", ["Pacific/Honolulu"]),
    ("99999", "US", []),                         # no such ZIP
    ("8571", "US", []),                          # too short
    ("M5V 2T6", "CA", []),                       # not a US postal code
])
def test_zip_code_time_zones(zip_code: str, country: str, zones: list[str]) -> None:
    assert time_zones_for_zip(zip_code, country) == zones


def _debtor(**values: str) -> m.Debtor:
    return m.Debtor(name="Doe, Jane", country="US", **values)


def test_zip_alone_gives_the_zone_when_there_is_no_phone() -> None:
    assert debtor_time_zone(_debtor(zip="85714")) == "America/Phoenix"


def test_phone_and_zip_that_agree() -> None:
    assert debtor_time_zone(_debtor(home_phone="(212) 555-0100", zip="10001")) == "America/New_York"


def test_phone_and_zip_that_disagree_show_no_local_time() -> None:
    # A New York number on an account that moved to Phoenix: ambiguous, so none is shown.
    assert debtor_time_zone(_debtor(home_phone="(212) 555-0100", zip="85714")) is None


def test_the_timezone_field_wins() -> None:
    assert debtor_time_zone(_debtor(timezone="America/Chicago", zip="85714")) == "America/Chicago"


def test_local_time_in_phoenix_in_summer() -> None:
    noon_utc = dt.datetime(2026, 7, 1, 19, 0, tzinfo=dt.UTC)
    assert local_time("America/Phoenix", noon_utc).strftime("%H:%M %Z") == "12:00 MST"

"""Deterministic, realistic-looking US people for the demo database and the bulk generator.

Everything here is a fast pure function of a :class:`random.Random`: the tables (names
by frequency, streets, cities with their state, ZIP prefix and area codes) are read once
from ``resources/names`` and precomputed, so the generator can make a million people in
seconds.  Only ``Random.random()`` is used for draws, whose sequence Python keeps stable
across versions, so a seed gives the same people on every machine.

A city's area codes, ZIP prefix and state agree, so the consumer's time zone found by
phone and by address is the same (the contact-control lookup compares the two).
Emails use the reserved ``example.*`` domains and nothing here is a real person.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

__all__ = [
    "PHONE_FORMATS",
    "City",
    "FakeData",
    "Person",
    "tables",
]


def _names_dir() -> Path:
    from ..paths import resources_dir

    return resources_dir() / "names"


def _lines(name: str) -> list[str]:
    text = (_names_dir() / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True, slots=True)
class City:
    name: str
    state: str
    zip_prefixes: tuple[str, ...]
    area_codes: tuple[str, ...]


@dataclass(slots=True)
class Person:
    first: str
    middle: str
    last: str
    generation: str
    sex: str  # "M" | "F"
    address: str
    address2: str
    city: str
    state: str
    zip: str
    home_phone: str
    work_phone: str
    cell_phone: str
    email: str
    ssn: str
    birth_date: dt.date
    employer: str
    home_digits: str = ""
    work_digits: str = ""
    cell_digits: str = ""

    @property
    def name(self) -> str:
        """The debtor name as Collect! keeps it: ``Last, First Middle``."""
        return f"{self.last}, {self.first} {self.middle}".rstrip()


class _Weighted:
    """Draw from a weighted list with one ``random()`` and a C bisect."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: list, weights: list[float]) -> None:
        self.items = items
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def pick(self, r: float) -> object:
        return self.items[bisect.bisect_right(self.cum, r * self.total)]


def _zipf(n: int, exponent: float, offset: float = 1.0) -> list[float]:
    """Weights for a list kept in frequency order (rank 1 first)."""
    return [1.0 / (rank + offset) ** exponent for rank in range(1, n + 1)]


@dataclass(frozen=True)
class Tables:
    last: _Weighted
    male: _Weighted
    female: _Weighted
    streets: tuple[str, ...]
    cities: _Weighted  # of City, weighted by population
    city_list: tuple[City, ...]
    states: dict[str, str]  # code → name
    employers: tuple[str, ...]
    exchanges: tuple[str, ...]


@cache
def tables() -> Tables:
    """The precomputed lookup tables (read from resources/names once per process)."""
    last = _lines("last_names.txt")
    male = _lines("first_male.txt")
    female = _lines("first_female.txt")
    states: dict[str, str] = {}
    state_pop: dict[str, float] = {}
    for line in _lines("states.csv"):
        code, name, pop = line.split(",")
        states[code] = name
        state_pop[code] = float(pop)
    cities: list[City] = []
    city_pop: list[float] = []
    for line in _lines("cities.csv"):
        name, state, zips, codes, pop = line.split(",")
        cities.append(City(name, state, tuple(zips.split()), tuple(codes.split())))
        city_pop.append(float(pop))
    # A state's people are spread over its listed cities by their size, so the
    # state mix follows the census whatever the number of cities listed.
    in_state: dict[str, float] = {}
    for city, pop in zip(cities, city_pop, strict=True):
        in_state[city.state] = in_state.get(city.state, 0.0) + pop
    weights = [state_pop[c.state] * pop / in_state[c.state]
               for c, pop in zip(cities, city_pop, strict=True)]
    # Central office codes: NXX with N 2-9, never N11, 555 (fiction) or 950/958/959/976.
    exchanges = tuple(
        f"{n}" for n in range(200, 1000)
        if n % 100 != 11 and n not in (555, 950, 958, 959, 976)
    )
    return Tables(
        last=_Weighted(last, _zipf(len(last), 0.62, 2.0)),
        male=_Weighted(male, _zipf(len(male), 0.9, 1.5)),
        female=_Weighted(female, _zipf(len(female), 0.9, 1.5)),
        streets=tuple(_lines("streets.txt")),
        cities=_Weighted(cities, weights),
        city_list=tuple(cities),
        states=states,
        employers=tuple(_lines("employers.txt")),
        exchanges=exchanges,
    )


#: Phone layouts as people type them, with their shares (:meth:`FakeData.phone_and_digits`).
PHONE_FORMATS: tuple[tuple[str, float], ...] = (
    ("{a}-{e}-{l}", 0.35),
    ("({a}) {e}-{l}", 0.30),
    ("{a}.{e}.{l}", 0.10),
    ("{a}{e}{l}", 0.15),
    ("1-{a}-{e}-{l}", 0.10),
)
_PHONE_CUM = list(itertools.accumulate(share for _, share in PHONE_FORMATS))
_NO_PHONE = ("", "")
_STREET_TYPES = _Weighted(
    ["St", "Ave", "Rd", "Dr", "Ln", "Ct", "Blvd", "Way", "Pl", "Cir", "Ter", "Pkwy", "Trl", "Hwy"],
    [22, 16, 14, 14, 9, 6, 4, 4, 3, 3, 2, 1, 1, 1],
)
_UNITS = ("Apt", "Apt", "Apt", "Unit", "#", "Ste", "Lot")
_GENERATIONS = ("Jr", "Jr", "Jr", "Sr", "Sr", "II", "III")
_EMAIL_DOMAINS = _Weighted(["example.com", "example.net", "example.org", "mail.example.com"],
                           [50, 25, 15, 10])
_LETTERS = "ABCDEFGHJKLMNPRSTW"
# Number pieces as strings, made once: formatting per row is the slow part of a fake person.
_SSN_AREAS = tuple(f"{a:03d}" for a in range(1, 900) if a != 666)
_TWO = tuple(f"{n:02d}" for n in range(100))
_FOUR = tuple(f"{n:04d}" for n in range(10_000))


class FakeData:
    """People, places and numbers drawn from ``rng``; every method is a pure function of it."""

    def __init__(self, rng: random.Random, today: dt.date | None = None) -> None:
        self.rng = rng
        self.r = rng.random
        self.t = tables()
        self.today = today or dt.date(2026, 11, 22)
        self._today_ordinal = self.today.toordinal()

    # -- small draws ---------------------------------------------------------
    def below(self, n: int) -> int:
        return int(self.r() * n)

    def between(self, low: int, high: int) -> int:
        """An integer in ``low..high`` inclusive."""
        return low + int(self.r() * (high - low + 1))

    def chance(self, p: float) -> bool:
        return self.r() < p

    def pick(self, seq):
        return seq[int(self.r() * len(seq))]

    # -- names ---------------------------------------------------------------
    def last_name(self) -> str:
        return self.t.last.pick(self.r())  # type: ignore[return-value]

    def first_name(self, sex: str) -> str:
        table = self.t.male if sex == "M" else self.t.female
        return table.pick(self.r())  # type: ignore[return-value]

    def middle_name(self, sex: str) -> str:
        """A middle name (55 %), an initial (30 %) or none."""
        r = self.r()
        if r < 0.55:
            return self.first_name(sex)
        if r < 0.85:
            return _LETTERS[int(self.r() * len(_LETTERS))]
        return ""

    # -- places --------------------------------------------------------------
    def city(self) -> City:
        return self.t.cities.pick(self.r())  # type: ignore[return-value]

    def zip_code(self, city: City) -> str:
        prefixes = city.zip_prefixes
        prefix = prefixes[int(self.r() * len(prefixes))] if len(prefixes) > 1 else prefixes[0]
        return prefix + _TWO[1 + int(self.r() * 98)]

    def street_address(self) -> str:
        r = self.r
        number = int(10 ** (1 + r() * 3.7))  # 10 … 50,000, mostly 3-4 digits
        street = self.t.streets[int(r() * len(self.t.streets))]
        kind = _STREET_TYPES.pick(r())
        if r() < 0.08:
            direction = ("N", "S", "E", "W")[int(r() * 4)]
            return f"{number} {direction} {street} {kind}"
        return f"{number} {street} {kind}"

    def unit(self) -> str:
        """Second address line: an apartment or suite on 18 % of addresses."""
        r = self.r
        if r() >= 0.18:
            return ""
        unit = _UNITS[int(r() * len(_UNITS))]
        if r() < 0.5:
            return f"{unit} {1 + int(r() * 40)}{'ABCD'[int(r() * 4)]}"
        return f"{unit} {100 + int(r() * 1800)}"

    # -- numbers -------------------------------------------------------------
    def phone(self, city: City, layout: int | None = None) -> str:
        """A phone in the city's area, typed in one of :data:`PHONE_FORMATS`."""
        return self.phone_and_digits(city, layout)[0]

    def phone_and_digits(self, city: City, layout: int | None = None) -> tuple[str, str]:
        """The phone as typed and its digits only (``1-…`` keeps its leading 1, like
        :func:`collectdesk.engine.records.phone_digits`)."""
        r = self.r
        codes = city.area_codes
        a = codes[int(r() * len(codes))] if len(codes) > 1 else codes[0]
        exchanges = self.t.exchanges
        e = exchanges[int(r() * len(exchanges))]
        n = _FOUR[int(r() * 10_000)]
        if layout is None:
            layout = bisect.bisect_right(_PHONE_CUM, r() * _PHONE_CUM[-1])
        digits = a + e + n
        if layout == 0:
            return f"{a}-{e}-{n}", digits
        if layout == 1:
            return f"({a}) {e}-{n}", digits
        if layout == 2:
            return f"{a}.{e}.{n}", digits
        if layout == 3:
            return digits, digits
        return f"1-{a}-{e}-{n}", "1" + digits

    def ssn(self) -> str:
        """A well-formed SSN: area 001-899 except 666, group 01-99, serial 0001-9999."""
        r = self.r
        return (f"{_SSN_AREAS[int(r() * len(_SSN_AREAS))]}-{_TWO[1 + int(r() * 99)]}-"
                f"{_FOUR[1 + int(r() * 9_999)]}")

    def email(self, first: str, last: str) -> str:
        r = self.r
        f, l_ = first.lower(), last.lower().replace(" ", "")
        k = r()
        if k < 0.30:
            local = f"{f}.{l_}"
        elif k < 0.45:
            local = f"{f[0]}{l_}"
        elif k < 0.58:
            local = f"{f}{l_}"
        elif k < 0.68:
            local = f"{f}_{l_}"
        elif k < 0.80:
            local = f"{f}{int(r() * 100)}"
        else:
            local = f"{f}.{l_}{int(r() * 100)}"
        address = f"{local}@{_EMAIL_DOMAINS.pick(r())}"
        if r() < 0.05:  # typed with capitals; matching uses the lower-case copy
            address = address[0].upper() + address[1:]
        return address

    def birth_date(self) -> dt.date:
        """Adults 19-85 years old on ``today``, most of them 25-60."""
        r = self.r
        years = 19 + (r() + r() + r()) / 3 * 66
        return dt.date.fromordinal(self._today_ordinal - int(years * 365.25))

    def employer(self, city: City, last: str) -> str:
        template = self.t.employers[int(self.r() * len(self.t.employers))]
        if "{" not in template:
            return template
        return template.format(city=city.name, last=self.last_name() if self.r() < 0.7 else last)

    # -- a whole person ------------------------------------------------------
    def person(self, *, city: City | None = None, last: str | None = None) -> Person:
        """A consumer: name, address, phones (home always, cell 80 %, work 45 %), email 85 %."""
        r = self.r
        sex = "M" if r() < 0.5 else "F"
        first = self.first_name(sex)
        middle = self.middle_name(sex)
        last = last or self.last_name()
        generation = _GENERATIONS[int(r() * len(_GENERATIONS))] if sex == "M" and r() < 0.04 else ""
        city = city or self.city()
        home_phone, home_digits = self.phone_and_digits(city)
        cell_phone, cell_digits = self.phone_and_digits(city) if r() < 0.80 else _NO_PHONE
        work_phone, work_digits = self.phone_and_digits(city) if r() < 0.45 else _NO_PHONE
        email = self.email(first, last) if r() < 0.85 else ""
        return Person(
            first=first,
            middle=middle,
            last=last,
            generation=generation,
            sex=sex,
            address=self.street_address(),
            address2=self.unit(),
            city=city.name,
            state=city.state,
            zip=self.zip_code(city),
            home_phone=home_phone,
            work_phone=work_phone,
            cell_phone=cell_phone,
            email=email,
            ssn=self.ssn(),
            birth_date=self.birth_date(),
            employer=self.employer(city, last) if r() < 0.75 else "",
            home_digits=home_digits,
            work_digits=work_digits,
            cell_digits=cell_digits,
        )

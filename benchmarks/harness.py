"""Timing, memory and reporting for benchmark scenarios.

A scenario runs a few times after a warm-up; we report the median and the spread
(min–max), the peak resident-memory growth during the runs, and — where the
scenario names one — a raw baseline measured in the same run with the ratio.
"""

from __future__ import annotations

import gc
import os
import platform
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def rss_mb() -> float:
    """Current resident set size in MB (Linux /proc; falls back to the peak)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Target:
    """A speed target from an issue, e.g. "< 300 ms" or ">= 50,000 debtors/s"."""

    text: str
    met: Callable[[Measurement], bool]


@dataclass
class Scenario:
    name: str
    issue: int
    run: Callable[[Any], Any]  # receives the bench context; returns an optional count of items
    target: Target | None = None
    baseline: Callable[[Any], Any] | None = None
    unit: str = "s"  # "s" → seconds per run; "items/s" → throughput from the returned count
    repeat: int = 5
    warmup: int = 1
    needs: tuple[str, ...] = ()  # modules that must import, else "not available"
    #: Runs before each run, untimed (e.g. a freshly signed-on window for a cold open).
    setup: Callable[[Any], Any] | None = None


@dataclass
class Measurement:
    scenario: Scenario
    times: list[float] = field(default_factory=list)
    items: int = 0
    baseline_times: list[float] = field(default_factory=list)
    memory_growth_mb: float = 0.0
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def rate(self) -> float:
        return self.items / self.median if self.times and self.median > 0 else 0.0

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline_times) if self.baseline_times else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline_median
        return self.median / base if base else None

    def figure(self) -> str:
        if self.error:
            return "—"
        if self.scenario.unit == "items/s":
            return f"{self.rate:,.0f}/s ({fmt_seconds(self.median)})"
        return fmt_seconds(self.median)

    def spread(self) -> str:
        if not self.times:
            return "—"
        return f"{fmt_seconds(min(self.times))}–{fmt_seconds(max(self.times))}"

    def verdict(self) -> str:
        if self.error:
            return f"not measured: {self.error}"
        if self.scenario.target is None:
            return "—"
        return "met" if self.scenario.target.met(self) else "NOT met"


def fmt_seconds(s: float) -> str:
    if s != s:  # NaN
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.0f} µs"
    if s < 1:
        return f"{s * 1e3:.1f} ms"
    return f"{s:.2f} s"


def measure(scenario: Scenario, ctx: Any, *, repeat: int | None = None) -> Measurement:
    result = Measurement(scenario)
    for module in scenario.needs:
        try:
            __import__(module)
        except ImportError:
            result.error = f"{module} is not built yet"
            return result
    runs = repeat if repeat is not None else scenario.repeat
    setup = scenario.setup or (lambda _ctx: None)
    try:
        for _ in range(scenario.warmup):
            setup(ctx)
            scenario.run(ctx)
        gc.collect()
        before = rss_mb()
        peak = before
        for _ in range(runs):
            setup(ctx)
            started = time.perf_counter()
            count = scenario.run(ctx)
            result.times.append(time.perf_counter() - started)
            result.items = int(count or 0)
            peak = max(peak, rss_mb())
        result.memory_growth_mb = max(0.0, peak - before)
        if scenario.baseline is not None:
            scenario.baseline(ctx)
            for _ in range(runs):
                started = time.perf_counter()
                scenario.baseline(ctx)
                result.baseline_times.append(time.perf_counter() - started)
    except Exception as exc:  # a failing scenario is reported, the others still run
        result.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
    return result


def machine_facts(extra: dict[str, str] | None = None) -> dict[str, str]:
    import sqlite3

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 2**20:.0f} GiB"
    except OSError:
        pass
    facts = {
        "cpu": f"{cpu} × {os.cpu_count()}",
        "memory": mem,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": platform.platform(terse=True),
    }
    facts.update(extra or {})
    return facts

"""Run the benchmark scenarios: ``python3 -m benchmarks [--accounts N] [--pg] [--smoke]``.

Generates (or reuses) a database of N accounts, runs every scenario a few times
after a warm-up, prints median, spread, peak memory growth and — where a scenario
names one — the raw baseline measured in the same run and the ratio, then appends
the results to benchmarks/RESULTS.md (not in smoke mode).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from .harness import Measurement, fmt_seconds, machine_facts, measure
from .scenarios import BenchContext, build_scenarios

RESULTS = Path(__file__).with_name("RESULTS.md")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m benchmarks", description=__doc__)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--db", help="an existing database URL (default: a generated SQLite file)")
    parser.add_argument("--pg", action="store_true", help="start a private PostgreSQL server")
    parser.add_argument("--smoke", action="store_true", help="tiny data, one run each, no RESULTS.md")
    parser.add_argument("--only", nargs="*", help="scenario names (substring match)")
    parser.add_argument("--repeat", type=int, default=None, help="runs per scenario")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached database")
    args = parser.parse_args(argv)
    if args.smoke:
        args.accounts = min(args.accounts, 2_000)
        args.repeat = 1

    with ExitStack() as stack:
        url, backend = _database(args, stack)
        ctx, generation = BenchContext.open(url, args.accounts, regenerate=args.regenerate or args.smoke)
        stack.callback(ctx.close)
        print(f"{backend}: {args.accounts:,} accounts at {ctx.safe_url}", flush=True)
        if generation is not None:
            print(f"  generation: {fmt_seconds(generation)}", flush=True)
        results: list[Measurement] = []
        for scenario in build_scenarios(ctx, backend=backend, smoke=args.smoke):
            if args.only and not any(name in scenario.name for name in args.only):
                continue
            m = measure(scenario, ctx, repeat=args.repeat)
            results.append(m)
            _print(m)
        if args.smoke:
            failed = [m for m in results if m.error and "not built yet" not in m.error]
            for m in failed:
                print(f"smoke failure: {m.scenario.name}: {m.error}", file=sys.stderr)
            return 1 if failed else 0
        _write(results, backend, args.accounts, generation, ctx)
    return 0


def _database(args: argparse.Namespace, stack: ExitStack) -> tuple[str, str]:
    if args.db:
        return args.db, "PostgreSQL" if args.db.startswith("postgresql") else "SQLite"
    if args.pg:
        from collectdesk.devtools import postgres

        return stack.enter_context(postgres.server("bench")), "PostgreSQL"
    folder = Path(tempfile.gettempdir()) / "collectdesk-bench"
    folder.mkdir(exist_ok=True)
    suffix = "smoke" if args.smoke else str(args.accounts)
    return f"sqlite:///{folder / f'bench-{suffix}.db'}", "SQLite"


def _print(m: Measurement) -> None:
    s = m.scenario
    line = f"  {s.name:<44} {m.figure():>22}  spread {m.spread():<22} mem +{m.memory_growth_mb:,.0f} MB"
    if m.ratio is not None:
        line += f"  baseline {fmt_seconds(m.baseline_median or 0)} ratio {m.ratio:.2f}×"
    line += f"  [{m.verdict()}]"
    print(line, flush=True)


def _write(results: list[Measurement], backend: str, accounts: int, generation: float | None,
           ctx: BenchContext) -> None:
    facts = machine_facts({"database": f"{backend} {ctx.server_version}"})
    lines = [
        f"\n## {dt.datetime.now():%Y-%m-%d %H:%M} — {backend}, {accounts:,} accounts\n",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in facts.items()) + "\n",
    ]
    if generation is not None:
        lines.append(f"Generation of the data: {fmt_seconds(generation)}"
                     + (" (target < 3 min on SQLite: " + ("met" if generation < 180 else "NOT met")
                        + ")" if backend == "SQLite" and accounts >= 1_000_000 else "") + "\n")
    lines += [
        "| scenario | issue | median | spread | peak mem growth | baseline | ratio | target | verdict |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for m in results:
        s = m.scenario
        base = fmt_seconds(m.baseline_median) if m.baseline_median else "—"
        ratio = f"{m.ratio:.2f}×" if m.ratio is not None else "—"
        lines.append(
            f"| {s.name} | #{s.issue} | {m.figure()} | {m.spread()} | {m.memory_growth_mb:,.0f} MB "
            f"| {base} | {ratio} | {s.target.text if s.target else '—'} | {m.verdict()} |")
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by `python3 -m benchmarks`; newest last.\n")
    with RESULTS.open("a") as f:
        f.write("\n".join(lines) + "\n")
    print(f"results appended to {RESULTS}")


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"benchmarks finished in {time.perf_counter() - started:.0f} s")
    raise SystemExit(code)

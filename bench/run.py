"""``make bench``: the application under gunicorn against bare baselines, as one ratio table.

    make bench                                    # or: .venv/bin/python -m bench.run [options]
    make bench BENCH_ARGS="--fresh --drop"        # reseed, and drop the databases at the end

Steps (docs/performance.md explains each): load or reuse one PostgreSQL database per scale
(``seed-scale``: 1,000 facilities × 5 rounds and 10,000 × 1 by default); serve the app and the
bare app (:mod:`bench.bare_app`) each with ``gunicorn -w 2``; measure with wrk; print the
table, write it to ``bench/results/latest.md`` and print the elapsed time. Servers are
stopped on exit, on Ctrl-C and on SIGTERM.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

from bench import data, fixtures, report, servers, suites, wrk
from bench.client import sign_in
from bench.fixtures import NATIONAL, PASSWORD

RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    p.add_argument("--facilities", type=int, default=1000, help="small scale: facilities (default 1000)")
    p.add_argument("--rounds", type=int, default=5, help="small scale: rounds (default 5)")
    p.add_argument("--large-facilities", type=int, default=10000, help="large scale: facilities (default 10000)")
    p.add_argument("--large-rounds", type=int, default=1, help="large scale: rounds (default 1)")
    p.add_argument("--no-large", action="store_true", help="skip the large scale (no growth rows)")
    p.add_argument("--duration", type=int, default=5, help="seconds of each wrk run on a page (default 5)")
    p.add_argument("--connections", type=int, default=4, help="wrk connections for pages (default 4)")
    p.add_argument("--save-duration", type=int, default=10, help="seconds of each save run (default 10)")
    p.add_argument("--save-connections", type=int, default=8, help="wrk connections for saves (default 8)")
    p.add_argument("--savers", type=int, default=8, help="facility accounts saving areas (default 8)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers of both servers (default 2)")
    p.add_argument("--fresh", action="store_true", help="reseed the databases even when reusable")
    p.add_argument("--drop", action="store_true", help="drop the bench databases at the end")
    p.add_argument("--micro", action="store_true", help="also run the in-process micro benchmarks (bench.micro)")
    p.add_argument("--output", type=Path, default=RESULTS / "latest.md", help="Markdown result file")
    return p.parse_args(argv)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not wrk.available():
        print("wrk is not installed: run `make wrk` (Debian package wrk).", file=sys.stderr)
        return 2
    started = time.perf_counter()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ".gitignore").write_text("# make bench's output: figures of one machine, never committed\n*\n")
    settings = suites.Settings(duration=args.duration, connections=args.connections, save_duration=args.save_duration,
                               save_connections=args.save_connections, work_dir=RESULTS)
    small = data.Scale(args.facilities, args.rounds)
    large = None if args.no_large else data.Scale(args.large_facilities, args.large_rounds)
    scales = [small] + ([large] if large else [])
    servers.install_cleanup()
    rows: list[report.Row] = []
    seed_times: dict[str, float] = {}
    try:
        log("databases: " + ", ".join(f"{s.name} ({s.label})" for s in scales))
        seed_times = data.prepare(scales, RESULTS, fresh=args.fresh, echo=log)
        rows = measure(args, settings, small, large)
    finally:
        servers.stop_all()
        if args.drop:
            for scale in scales:
                data.drop(scale)
            log("bench databases dropped")
    elapsed = time.perf_counter() - started
    print()
    print(report.format_table(rows))
    print()
    print(report.summary(rows))
    print(f"Elapsed: {elapsed:.0f} s ({elapsed / 60:.1f} min), of which loading or checking data "
          f"{seed_times.get('wall', 0):.0f} s")
    write_markdown(args, rows, elapsed, seed_times, scales)
    print(f"Written to {args.output}")
    if args.micro:
        from bench import micro

        micro.main([])
    return 0


def measure(args, settings: suites.Settings, small: data.Scale, large: data.Scale | None) -> list[report.Row]:
    log("fixtures (ids, accounts, saves, PDF table)")
    fix_small = fixtures.collect(data.database_url(small), small.label, savers=args.savers)
    fix_large = fixtures.collect(data.database_url(large), large.label) if large else None
    table = fixtures.write_pdf_table(fix_small, RESULTS / "pdf_table.json")
    from bench.bare_app import ensure_table

    ensure_table(data.database_url(small))
    bare_env = {**os.environ, "BENCH_DATABASE_URL": data.database_url(small), "BENCH_PDF_TABLE": str(table or "")}
    bare = servers.start("bare", "bench.bare_app:app", bare_env, RESULTS, workers=args.workers)
    kept = suites.Measured()
    rows: list[report.Row] = []

    app = servers.start("app-small", "wsgi:app", servers.app_environment(data.database_url(small)), RESULTS,
                        workers=args.workers)
    cookie = sign_in(app.base, NATIONAL, PASSWORD)
    log(f"pages at {small.label} ({len(fix_small.pages)})")
    rows += suites.pages(app.base, bare.base, cookie, fix_small, settings, kept)
    log("assessment PDF")
    rows += suites.pdf(app.base, bare.base, cookie, fix_small, settings)
    log(f"full exports at {small.label}")
    before = suites.export_times(app.base, cookie, fix_small, settings) if large else {}
    log(f"area saves ({len(fix_small.savers)} accounts)")
    rows += suites.saves(app.base, bare.base, fix_small, settings)
    app.stop()
    if large and fix_large:
        app = servers.start("app-large", "wsgi:app", servers.app_environment(data.database_url(large)), RESULTS,
                            workers=args.workers)
        cookie = sign_in(app.base, NATIONAL, PASSWORD)
        log(f"national pages at {large.label}")
        rows += suites.growth(app.base, cookie, fix_small, fix_large, settings, kept)
        log(f"full exports at {large.label}")
        after = suites.export_times(app.base, cookie, fix_large, settings, before=before)
        rows += suites.exports(fix_small, fix_large, before, after)
        app.stop()
    bare.stop()
    return sorted(rows, key=lambda r: r.section == "HTML size")  # sizes last, sections otherwise in order


def write_markdown(args, rows: list[report.Row], elapsed: float, seed_times: dict[str, float],
                   scales: list[data.Scale]) -> None:
    loaded = ", ".join(f"{name} {'reused' if t == 0 else f'loaded in {t:.0f} s'}" for name, t in seed_times.items()
                       if name != "wall")
    text = "\n".join([
        f"# make bench, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}, "
        f"load average before the report {os.getloadavg()[0]:.1f}. gunicorn -w {args.workers} (sync) for both servers; "
        f"wrk -t2 -c{args.connections} -d{args.duration}s per page, -c{args.save_connections} "
        f"-d{args.save_duration}s for saves.",
        f"Databases: {', '.join(s.name for s in scales)} ({loaded}).",
        "",
        report.format_markdown(rows),
        "",
        report.summary(rows) + f". Elapsed {elapsed:.0f} s.",
        "",
    ])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())

"""The measurements of ``make bench``, each returning rows of the ratio table.

* :func:`pages`: every signed-in page with wrk against the bare template page of the same
  byte size (and the page's HTML size against the 150 KB limit);
* :func:`saves`: area saves under concurrent load against the bare one-INSERT endpoint;
* :func:`pdf`: the facility's assessment PDF against a bare ReportLab document with the same table;
* :func:`growth` and :func:`exports`: the national pages and the full exports at 10,000
  facilities against 1,000.

Before wrk runs against a page, one plain GET checks that the page answers 200 (wrk counts
a redirect to the login page as a success).
"""
from __future__ import annotations

import statistics
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bench import client, wrk
from bench.fixtures import PASSWORD, Fixture
from bench.report import Row, Target, kb, no_data, rate, seconds, slower, throughput_share, time_ratio

NATIONAL_TARGET = Target(3)
PAGINATED_GROWTH = Target(1.5)
EXPORT_GROWTH = Target(10)
SAVE_TARGET = Target(0.5, at_most=False)
PDF_TARGET = Target(2)
SIZE_TARGET = Target(150, unit=" KB")


@dataclass
class Settings:
    duration: int = 5
    connections: int = 4
    save_duration: int = 10
    save_connections: int = 8
    export_repeat: int = 3
    export_budget_s: float = 15.0
    export_cap_s: float = 120.0
    work_dir: Path = Path("bench/results")


@dataclass
class Measured:
    """Figures kept for later comparisons (the growth rows compare 10k against these)."""

    pages: dict[str, wrk.WrkResult] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    exports: dict[str, float] = field(default_factory=dict)


class PageError(RuntimeError):
    pass


def _check(base: str, path: str, cookie: str) -> client.Response:
    answer = client.request(base + path, cookie=cookie)
    if answer.status != 200:
        raise PageError(f"GET {path} answered {answer.status} {answer.headers.get('Location', '')}")
    return answer


def _errors_note(result: wrk.WrkResult) -> str:
    return f"{result.errors} errors" if result.errors else ""


def pages(app_base: str, bare_base: str, cookie: str, fixture: Fixture, s: Settings, kept: Measured) -> list[Row]:
    rows: list[Row] = []
    sizes: list[Row] = []
    section = f"pages, {fixture.scale}, vs bare template page"
    for label, path in fixture.pages.items():
        if not path:
            rows.append(no_data(section, label, "no data in the seeded database"))
            sizes.append(no_data("HTML size", f"{label}, {fixture.scale}"))
            continue
        try:
            size = len(_check(app_base, path, cookie).body)
        except PageError as error:
            rows.append(Row(section, label, str(error), "-", None, extra_ok=False))
            continue
        app = wrk.run(app_base + path, duration=s.duration, connections=s.connections, cookie=cookie)
        bare = wrk.run(f"{bare_base}/page?size={size}", duration=s.duration, connections=s.connections)
        kept.pages[label], kept.sizes[label] = app, size
        national = label in fixture.national_pages or label.startswith("national")
        rows.append(Row(section, label, rate(app.requests_per_s, app.latency_avg_ms),
                        rate(bare.requests_per_s, bare.latency_avg_ms), slower(app.requests_per_s, bare.requests_per_s),
                        NATIONAL_TARGET if national else None, extra_ok=app.errors == 0, note=_errors_note(app)))
        sizes.append(Row("HTML size", f"{label}, {fixture.scale}", kb(size), "-", size / 1024, SIZE_TARGET))
    return rows + sizes


def growth(app_base: str, cookie: str, small: Fixture, large: Fixture, s: Settings, kept: Measured) -> list[Row]:
    """The paginated national pages at the large scale against the same pages at the small one."""
    section = f"growth, {small.scale} -> {large.scale}, paginated national pages"
    rows, sizes = [], []
    for label, path in large.national_pages.items():
        before = kept.pages.get(label)
        if before is None:
            rows.append(no_data(section, label, f"not measured at {small.scale}"))
            continue
        try:
            size = len(_check(app_base, path, cookie).body)
        except PageError as error:
            rows.append(Row(section, label, str(error), "-", None, extra_ok=False))
            continue
        after = wrk.run(app_base + path, duration=s.duration, connections=s.connections, cookie=cookie)
        rows.append(Row(section, label, rate(after.requests_per_s, after.latency_avg_ms),
                        rate(before.requests_per_s, before.latency_avg_ms) + f" at {small.scale}",
                        slower(after.requests_per_s, before.requests_per_s), PAGINATED_GROWTH,
                        extra_ok=after.errors == 0, note=_errors_note(after)))
        sizes.append(Row("HTML size", f"{label}, {large.scale}", kb(size), "-", size / 1024, SIZE_TARGET))
    return rows + sizes


@dataclass(frozen=True)
class TimedOut:
    """An export that took longer than the bench waits (``seconds``)."""

    seconds: float


def export_times(app_base: str, cookie: str, fixture: Fixture, s: Settings,
                 before: dict | None = None) -> dict[str, float | str | TimedOut]:
    """Median seconds of each full export (sequential GETs), or why there is none. With ``before``
    (the small scale's times) a request is given up after a little more than the growth target
    allows (:data:`EXPORT_GROWTH`), between 30 s and ``s.export_cap_s``: it fails either way."""
    times: dict[str, float | str | TimedOut] = {}
    for label, path in fixture.exports.items():
        if not path:
            times[label] = "route not present"
            continue
        small = (before or {}).get(label)
        wait = s.export_cap_s
        if isinstance(small, float):
            wait = min(s.export_cap_s, max(30.0, small * EXPORT_GROWTH.limit * 1.2))
        taken, answer = client.timed_get(app_base + path, cookie, s.export_repeat, s.export_budget_s, timeout=wait)
        if answer is None:
            times[label] = TimedOut(wait)
        else:
            times[label] = statistics.median(taken) if answer.status == 200 else f"answered {answer.status}"
    return times


def exports(small: Fixture, large: Fixture, before: dict, after: dict) -> list[Row]:
    section = f"growth, {small.scale} -> {large.scale}, full exports"
    rows = []
    for label in after:
        a, b = after[label], before.get(label, "not measured")
        if isinstance(b, TimedOut) or (isinstance(a, TimedOut) and isinstance(b, float)):
            late = a if isinstance(a, TimedOut) else b
            known = f"{seconds(b)} at {small.scale}" if isinstance(b, float) else "-"
            rows.append(Row(section, label, f"> {seconds(late.seconds)} (gave up)", known,
                            late.seconds / b if isinstance(b, float) and late is a else None,
                            EXPORT_GROWTH, extra_ok=False))
            continue
        if isinstance(a, str) or isinstance(b, str) or isinstance(a, TimedOut):
            why = a if isinstance(a, str) else b
            rows.append(no_data(section, label, str(why)))
            continue
        rows.append(Row(section, label, seconds(a), seconds(b) + f" at {small.scale}", time_ratio(a, b), EXPORT_GROWTH))
    return rows


def pdf(app_base: str, bare_base: str, cookie: str, fixture: Fixture, s: Settings) -> list[Row]:
    section = "PDF, vs bare ReportLab document with the same table"
    label = "facility's assessment PDF"
    if not fixture.pdf_path or not fixture.pdf_table:
        return [no_data(section, label)]
    answer = _check(app_base, fixture.pdf_path, cookie)
    if not answer.body.startswith(b"%PDF"):
        return [Row(section, label, "not a PDF", "-", None, extra_ok=False)]
    app = wrk.run(app_base + fixture.pdf_path, duration=s.duration, connections=1, threads=1, cookie=cookie)
    bare = wrk.run(bare_base + "/pdf", duration=s.duration, connections=1, threads=1)
    rows = len(fixture.pdf_table["indicators"]) - 1
    return [Row(section, label, f"{app.latency_avg_ms:.0f} ms", f"{bare.latency_avg_ms:.0f} ms",
                time_ratio(app.latency_avg_ms, bare.latency_avg_ms), PDF_TARGET, extra_ok=app.errors == 0,
                note=f"{rows} indicator rows, {len(answer.body) // 1024} KB")]


def sign_in_savers(app_base: str, fixture: Fixture) -> list[dict]:
    """Sign in every saver (two at a time: two workers) and return the Lua pairs, interleaved so that
    consecutive requests save different assessments."""
    sessions: dict[str, tuple[str, str]] = {}
    errors: list[Exception] = []

    def work(chunk: list[dict]) -> None:
        for saver in chunk:
            try:
                cookie = client.sign_in(app_base, saver["email"], PASSWORD)
                sessions[saver["email"]] = client.form_session(app_base, cookie, saver["pairs"][0]["path"])
            except Exception as error:  # reported below; one failed account spoils the fairness
                errors.append(error)

    threads = [threading.Thread(target=work, args=(fixture.savers[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    pairs = []
    for index in range(max(len(s["pairs"]) for s in fixture.savers)):
        for saver in fixture.savers:
            if index < len(saver["pairs"]):
                cookie, csrf = sessions[saver["email"]]
                pairs.append({**saver["pairs"][index], "cookie": cookie, "csrf": csrf})
    return pairs


def saves(app_base: str, bare_base: str, fixture: Fixture, s: Settings) -> list[Row]:
    section = "area save under concurrent load, vs bare one-INSERT endpoint"
    label = "save a score area (PostgreSQL)"
    if not fixture.savers:
        return [no_data(section, label, "no draft self-assessments")]
    pairs = sign_in_savers(app_base, fixture)
    script = wrk.save_script(s.work_dir, pairs)
    app = wrk.run(app_base + "/", duration=s.save_duration, connections=s.save_connections, script=script)
    bare = wrk.run(bare_base + "/insert", duration=s.save_duration, connections=s.save_connections,
                   script=wrk.insert_script(s.work_dir))
    saved, conflicts = int(app.extra.get("saved", 0)), int(app.extra.get("conflicts", 0))
    refused = int(app.extra.get("refused", 0))
    errors = app.errors + refused
    per_s = saved / app.duration_s if app.duration_s else 0.0
    note = (f"{len(fixture.savers)} accounts, {len(pairs)} areas, {s.save_connections} connections; "
            f"{saved} saved, {conflicts} conflicts, {errors} errors; bare: {bare.errors} errors")
    return [Row(section, label, rate(per_s, app.latency_avg_ms) + f", p99 {app.latency_ms.get(99, 0):.0f} ms",
                rate(bare.requests_per_s, bare.latency_avg_ms), throughput_share(per_s, bare.requests_per_s),
                SAVE_TARGET, extra_ok=errors == 0 and bare.errors == 0 and saved > 0, note=note)]

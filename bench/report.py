"""The ratio table of ``make bench``: one :class:`Row` per measured operation, printed as a
text table and written as Markdown (``bench/results/latest.md``).

Every ratio is oriented so that a target reads "at most" or "at least" the way the issue
states it: page and PDF ratios are *times slower than the baseline* (baseline requests per
second over the app's, or the app's time over the baseline's), growth ratios are *times
slower at 10,000 facilities than at 1,000*, the save ratio is *app throughput over baseline
throughput*.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

PASS, FAIL, NO_DATA, INFO = "pass", "FAIL", "no data", "-"


@dataclass(frozen=True)
class Target:
    """``ratio <= limit`` (``at_most``) or ``ratio >= limit``; ``unit`` for the printed target."""

    limit: float
    at_most: bool = True
    unit: str = "×"

    def met(self, value: float) -> bool:
        return value <= self.limit if self.at_most else value >= self.limit

    def __str__(self) -> str:
        return f"{'≤' if self.at_most else '≥'} {self.limit:g}{self.unit}"


@dataclass(frozen=True)
class Row:
    section: str
    operation: str
    app: str
    baseline: str
    ratio: float | None
    target: Target | None = None
    #: a condition besides the ratio (e.g. "no errors"); False fails the row
    extra_ok: bool = True
    note: str = ""
    no_data: bool = False

    @property
    def verdict(self) -> str:
        if self.no_data:
            return NO_DATA
        if self.target is None or self.ratio is None:
            return INFO if self.extra_ok else FAIL
        return PASS if self.target.met(self.ratio) and self.extra_ok else FAIL

    @property
    def ratio_text(self) -> str:
        if self.ratio is None:
            return "-"
        unit = self.target.unit if self.target else "×"
        return f"{self.ratio:.2f}{unit}" if unit == "×" else f"{self.ratio:.1f}{unit}"


def no_data(section: str, operation: str, why: str = "no data") -> Row:
    return Row(section, operation, "-", "-", None, None, note=why, no_data=True)


def slower(app_rate: float, base_rate: float) -> float:
    """Times slower: the baseline's requests per second over the app's (inf when the app made none)."""
    return base_rate / app_rate if app_rate > 0 else float("inf")


def throughput_share(app_rate: float, base_rate: float) -> float:
    """The app's requests per second as a share of the baseline's."""
    return app_rate / base_rate if base_rate > 0 else 0.0


def time_ratio(app_s: float, base_s: float) -> float:
    return app_s / base_s if base_s > 0 else float("inf")


def kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def rate(requests_per_s: float, mean_ms: float | None = None) -> str:
    text = f"{requests_per_s:.1f} req/s"
    return f"{text}, {mean_ms:.0f} ms" if mean_ms is not None else text


def seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


COLUMNS = ("operation", "app", "baseline", "ratio", "target", "result")


def _cells(row: Row) -> tuple[str, ...]:
    operation = row.operation + (f" ({row.note})" if row.note else "")
    return (operation, row.app, row.baseline, row.ratio_text, str(row.target) if row.target else "-", row.verdict)


def format_table(rows: Iterable[Row]) -> str:
    """A plain text table, grouped by section."""
    rows = list(rows)
    cells = [COLUMNS] + [_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(COLUMNS))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(COLUMNS, widths)), line]
    section = None
    for row, cell in zip(rows, cells[1:]):
        if row.section != section:
            section = row.section
            out.append(f"[{section}]")
        out.append("  ".join(c.ljust(w) for c, w in zip(cell, widths)).rstrip())
    return "\n".join(out)


def format_markdown(rows: Iterable[Row]) -> str:
    out = ["| section | " + " | ".join(COLUMNS) + " |", "|" + "---|" * (len(COLUMNS) + 1)]
    for row in rows:
        out.append(f"| {row.section} | " + " | ".join(c.replace("|", "\\|") for c in _cells(row)) + " |")
    return "\n".join(out)


def summary(rows: Iterable[Row]) -> str:
    rows = list(rows)
    counted = [r.verdict for r in rows]
    return (f"{counted.count(PASS)} pass, {counted.count(FAIL)} fail, {counted.count(NO_DATA)} no data, "
            f"{counted.count(INFO)} for information")

"""A facility's results across score-sheet versions, compared through the crosswalk.

When the rounds in a facility's trends used different versions of a score sheet, their
stored area results measure different sets of indicators and cannot be put side by side.
Here every result is re-scored on the *comparable* indicators only: those every version in
between kept as ``same`` or ``reworded`` (they keep their key; see
:mod:`shelterassess.scoresheets.crosswalk`). Areas follow the newest version; an area's
comparable score is the mean of its comparable indicators' scores / 3 x 100 (N/A left out),
the overall score the mean of the comparable area scores, as in
:mod:`shelterassess.assessments.domain`. Everything else is listed as not comparable.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.assessments.domain import exact_percentage
from shelterassess.i18n import localized
from shelterassess.scoresheets import queries as sheet_queries
from shelterassess.scoresheets.crosswalk import COMPARABLE, comparable_across


@dataclass(frozen=True)
class Result:
    """One row of the trends: a result (or follow-up) with the sheet it was scored on."""

    round_name: str
    source: str
    sheet: object  # ScoreSheetVersion
    #: indicator key -> 0..3 or None (N/A or unanswered)
    scores: Mapping[str, int | None]
    visited_on: dt.date | None = None


@dataclass(frozen=True)
class ComparedArea:
    key: str
    code: str
    title: str
    #: comparable indicators of the area / indicators of the area in the newest version
    compared: int
    total: int

    @property
    def label(self) -> str:
        return f"{self.code}. {self.title}"


@dataclass(frozen=True)
class ComparedRow:
    round_name: str
    source: str
    version: int
    percentages: tuple[float | None, ...]
    overall: float | None
    visited_on: dt.date | None = None


@dataclass(frozen=True)
class NotCompared:
    version: int
    code: str
    text: str
    #: why, in words ("new in version 2", "split from C3", ...)
    reason: str


@dataclass(frozen=True)
class CrossVersion:
    versions: tuple[int, ...]
    reference_version: int
    reference_sheet_id: int
    areas: tuple[ComparedArea, ...]
    rows: tuple[ComparedRow, ...]
    compared: int
    total: int
    #: indicators of the newest version, then of the earlier versions, that are left out
    not_compared: tuple[NotCompared, ...]

    @property
    def versions_text(self) -> str:
        return ", ".join(f"v{v}" for v in self.versions)

    @property
    def areas_not_compared(self) -> tuple[ComparedArea, ...]:
        return tuple(a for a in self.areas if not a.compared)


def compare(session: Session, results: Sequence[Result], language: str) -> CrossVersion:
    """The results re-scored on the indicators comparable across all their sheet versions."""
    reference = _reference(results)
    sheets = {r.sheet.id: r.sheet for r in results}
    common = {ind.key for ind in reference.indicators}
    for sheet in sheets.values():
        common &= _comparable(session, reference, sheet)
    areas = tuple(
        ComparedArea(area.key, area.code, localized(area, "title", language),
                     sum(ind.key in common for ind in area.indicators), len(area.indicators))
        for area in reference.areas
    )
    keys = {area.key: [ind.key for ind in area.indicators if ind.key in common] for area in reference.areas}
    rows = tuple(_row(r, [keys[a.key] for a in areas]) for r in results)
    others = sorted((s for s in sheets.values() if s.id != reference.id), key=lambda s: s.version)
    return CrossVersion(
        versions=tuple(sorted({s.version for s in sheets.values()})), reference_version=reference.version,
        reference_sheet_id=reference.id, areas=areas, rows=rows, compared=len(common),
        total=len(reference.indicators),
        not_compared=_later_not_compared(reference, common, language)
        + tuple(n for s in others for n in _earlier_not_compared(s, common, reference, language)),
    )


def _reference(results: Sequence[Result]):
    """The newest version of the latest result's sheet among the results."""
    latest = results[-1].sheet
    same_key = [r.sheet for r in results if r.sheet.key == latest.key]
    return max(same_key, key=lambda s: s.version)


def _comparable(session: Session, reference, sheet) -> set[str]:
    if sheet.id == reference.id:
        return {ind.key for ind in reference.indicators}
    if sheet.key != reference.key:
        return set()
    low, high = sorted((sheet.version, reference.version))
    chain = sheet_queries.crosswalk_chain(session, reference.key, low, high)
    if chain is None:
        return set()
    return comparable_across(chain, [i.key for i in reference.indicators], [i.key for i in sheet.indicators])


def _row(result: Result, area_keys: Sequence[Sequence[str]]) -> ComparedRow:
    exact = [exact_percentage(result.scores.get(k) for k in keys) if keys else None for keys in area_keys]
    existing = [p for p in exact if p is not None]
    overall = sum(existing, Fraction(0)) / len(existing) if existing else None
    return ComparedRow(result.round_name, result.source, result.sheet.version,
                       tuple(None if p is None else float(p) for p in exact),
                       None if overall is None else float(overall), result.visited_on)


def relation_label(relation: str) -> str:
    return {
        "same": _("same"), "reworded": _("reworded"), "split": _("split"), "merged": _("merged"), "new": _("new"),
    }.get(relation, relation)


def _later_not_compared(reference, common: set[str], language: str) -> tuple[NotCompared, ...]:
    found = []
    for ind in reference.indicators:
        if ind.key in common:
            continue
        if ind.crosswalk_relation in COMPARABLE or not ind.crosswalk_relation:
            reason = _("not in every version compared")
        elif ind.crosswalk_relation == "new":
            reason = _("new in version %(v)d", v=reference.version)
        else:
            reason = _("%(relation)s from version %(v)d", relation=relation_label(ind.crosswalk_relation),
                       v=reference.crosswalk_from_version or reference.version - 1)
        found.append(NotCompared(reference.version, ind.code, localized(ind, "text", language), reason))
    return tuple(found)


def _earlier_not_compared(sheet, common: set[str], reference, language: str) -> tuple[NotCompared, ...]:
    successors: dict[str, list[str]] = {}
    retired = set()
    if reference.crosswalk_from_version == sheet.version:
        codes = {ind.key: ind.code for ind in reference.indicators}
        for ind in reference.indicators:
            for key in ind.predecessor_keys:
                successors.setdefault(key, []).append(codes[ind.key])
        retired = {item["key"] for item in reference.retired_keys or []}
    found = []
    for ind in sheet.indicators:
        if ind.key in common:
            continue
        if ind.key in retired:
            reason = _("retired in version %(v)d", v=reference.version)
        elif ind.key in successors:
            reason = _("now %(codes)s in version %(v)d", codes=", ".join(successors[ind.key]), v=reference.version)
        else:
            reason = _("not in every version compared")
        found.append(NotCompared(sheet.version, ind.code, localized(ind, "text", language), reason))
    return tuple(found)

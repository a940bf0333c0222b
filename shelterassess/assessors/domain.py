"""Calibration practice cases, their comparison with a trainee's scores, whether an
attempt passes and whether the calibration rule for certification is met.

Pure Python: no Flask, no database. The score sheet and the practice cases come
from the shipped YAML files (parsed here from plain dicts); agreement figures come
from :func:`shelterassess.comparisons.domain.calibration_result`. The pass thresholds
are parameters (the app reads them from its configuration).
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Optional

from shelterassess.comparisons.domain import CalibrationResult, calibration_result

Texts = Mapping[str, str]
ScoreMap = Mapping[str, Optional[int]]
LEVELS = (0, 1, 2, 3)
#: A large difference between trainee and reference, as in :func:`calibration_result`.
LARGE_DIFFERENCE = 2


# -- the score sheet, as the calibration form sees it ---------------------------------

@dataclass(frozen=True)
class SheetIndicator:
    code: str
    key: str
    text: Texts
    guidance: Texts
    levels: Mapping[int, Texts]
    na_allowed: bool
    critical: bool


@dataclass(frozen=True)
class SheetArea:
    code: str
    key: str
    title: Texts
    indicators: tuple[SheetIndicator, ...]


@dataclass(frozen=True)
class PracticeSheet:
    key: str
    version: int
    areas: tuple[SheetArea, ...]

    @property
    def indicators(self) -> list[SheetIndicator]:
        return [ind for area in self.areas for ind in area.indicators]

    @property
    def keys(self) -> list[str]:
        return [ind.key for ind in self.indicators]


def parse_sheet(data: Mapping[str, Any]) -> PracticeSheet:
    """A score-sheet file (``scoresheets/data/*.yaml``) as a :class:`PracticeSheet`."""
    areas = tuple(
        SheetArea(
            code=area["code"], key=area["key"], title=area["title"],
            indicators=tuple(
                SheetIndicator(
                    code=ind["code"], key=ind["key"], text=ind["text"], guidance=ind.get("guidance") or {},
                    levels={int(level): texts for level, texts in ind["levels"].items()},
                    na_allowed=bool(ind.get("na_allowed")), critical=bool(ind.get("critical")),
                )
                for ind in area["indicators"]
            ),
        )
        for area in data["areas"]
    )
    return PracticeSheet(key=data["key"], version=int(data["version"]), areas=areas)


# -- practice cases ---------------------------------------------------------------------

@dataclass(frozen=True)
class PracticeCase:
    """A fictional shelter described in both languages, with the national team's reference
    scores and, per indicator, the written reason for the reference score (shown to the
    trainee after the attempt, never before)."""

    slug: str
    title: Texts
    summary: Texts
    description: Texts
    sheet_key: str
    sheet_version: int
    #: indicator key -> 0..3, or None for N/A
    reference: Mapping[str, Optional[int]]
    #: indicator key -> {"en": ..., "vi": ...}: why the reference score is what it is
    rationale: Mapping[str, Texts] = field(default_factory=dict)

    def paragraphs(self, language: str) -> list[str]:
        text = self.description.get(language) or next(iter(self.description.values()), "")
        return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def parse_practice_cases(data: Iterable[Mapping[str, Any]]) -> tuple[PracticeCase, ...]:
    return tuple(
        PracticeCase(
            slug=item["slug"], title=item["title"], summary=item.get("summary") or {},
            description=item["description"], sheet_key=item["sheet"]["key"],
            sheet_version=int(item["sheet"]["version"]), reference=dict(item["reference"]),
            rationale={key: dict(texts) for key, texts in (item.get("rationale") or {}).items()},
        )
        for item in data
    )


def _allowed(ind: SheetIndicator, value: Any) -> bool:
    if value is None:
        return ind.na_allowed
    return not isinstance(value, bool) and value in LEVELS


def reference_problems(case: PracticeCase, sheet: PracticeSheet) -> list[str]:
    """Why the case's reference scores do not fit the sheet (empty when they do)."""
    problems = []
    indicators = {ind.key: ind for ind in sheet.indicators}
    for key in indicators.keys() - case.reference.keys():
        problems.append(f"{key}: no reference score")
    for key in case.reference.keys() - indicators.keys():
        problems.append(f"{key}: not an indicator of {sheet.key} v{sheet.version}")
    for key, value in case.reference.items():
        ind = indicators.get(key)
        if ind is None:
            continue
        if value is None and not ind.na_allowed:
            problems.append(f"{key}: N/A is not allowed")
        elif not _allowed(ind, value):
            problems.append(f"{key}: {value!r} is not 0, 1, 2 or 3")
    return sorted(problems)


def rationale_problems(case: PracticeCase, sheet: PracticeSheet,
                       languages: tuple[str, ...] = ("en", "vi")) -> list[str]:
    """Indicators of the sheet whose reference score has no written reason in every language,
    and reasons given for keys the sheet does not have (empty when complete)."""
    keys = set(sheet.keys)
    problems = [f"{key}: no rationale" for key in keys - case.rationale.keys()]
    problems += [f"{key}: rationale for an indicator not in {sheet.key} v{sheet.version}"
                 for key in case.rationale.keys() - keys]
    problems += [f"{key}: rationale has no {lang} text" for key in keys & case.rationale.keys()
                 for lang in languages if not (case.rationale[key].get(lang) or "").strip()]
    return sorted(problems)


# -- a trainee's answers ----------------------------------------------------------------

@dataclass(frozen=True)
class AnswerProblem:
    code: str
    missing: bool  # True: not answered; False: a value the indicator does not allow


def answer_problems(sheet: PracticeSheet, scores: Mapping[str, Any]) -> list[AnswerProblem]:
    """Indicators not answered, or answered with N/A where it is not allowed, or out of range."""
    problems = []
    for ind in sheet.indicators:
        if ind.key not in scores:
            problems.append(AnswerProblem(ind.code, missing=True))
            continue
        value = scores[ind.key]
        if not _allowed(ind, value):
            problems.append(AnswerProblem(ind.code, missing=False))
    return problems


# -- comparing with the reference -----------------------------------------------------

@dataclass(frozen=True)
class ComparedIndicator:
    area_code: str
    indicator: SheetIndicator
    trainee: Optional[int]
    reference: Optional[int]
    #: why the national team gave the reference score ({"en": ..., "vi": ...}), None if not written
    rationale: Optional[Texts] = None

    @property
    def difference(self) -> Optional[int]:
        """Trainee minus reference; None when either is N/A."""
        if self.trainee is None or self.reference is None:
            return None
        return self.trainee - self.reference

    @property
    def large(self) -> bool:
        return self.difference is not None and abs(self.difference) >= LARGE_DIFFERENCE

    @property
    def reference_descriptor(self) -> Optional[Texts]:
        return None if self.reference is None else self.indicator.levels.get(self.reference)


# -- does an attempt pass? ------------------------------------------------------------

@dataclass(frozen=True)
class Thresholds:
    """What an attempt needs: within-one agreement (percent) and quadratic-weighted kappa
    against the reference, both at or above their minimum."""

    min_within_one: float
    min_kappa: float


#: Why an attempt did not pass (see :attr:`Verdict.failures`).
NO_PAIRS = "no-pairs"                # no indicator scored by both sides
WITHIN_ONE_LOW = "within-one-low"    # within-one agreement below its minimum
KAPPA_UNDEFINED = "kappa-undefined"  # kappa cannot be computed (e.g. one single level used)
KAPPA_LOW = "kappa-low"              # kappa below its minimum
#: Kappa is a float ratio: 0.6 may come out as 0.5999999999999999.
KAPPA_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Verdict:
    """An attempt passes only when both figures reach their minimum; an undefined kappa
    (``None``) fails, so answering one level everywhere never passes."""

    n: int
    within_one_pct: Optional[float]
    kappa: Optional[float]
    thresholds: Thresholds

    @property
    def within_one_ok(self) -> bool:
        if self.within_one_pct is None or self.n == 0:
            return False
        within = round(self.within_one_pct * self.n / 100)  # the count, exactly
        return Fraction(within * 100, self.n) >= Fraction(str(self.thresholds.min_within_one))

    @property
    def kappa_ok(self) -> bool:
        return self.kappa is not None and self.kappa >= self.thresholds.min_kappa - KAPPA_TOLERANCE

    @property
    def passed(self) -> bool:
        return self.within_one_ok and self.kappa_ok

    @property
    def failures(self) -> tuple[str, ...]:
        """Why the attempt failed, in the order to explain it; empty when it passed."""
        if self.n == 0:
            return (NO_PAIRS,)
        reasons = [] if self.within_one_ok else [WITHIN_ONE_LOW]
        if self.kappa is None:
            reasons.append(KAPPA_UNDEFINED)
        elif not self.kappa_ok:
            reasons.append(KAPPA_LOW)
        return tuple(reasons)


def judge(result: CalibrationResult, thresholds: Thresholds) -> Verdict:
    a = result.agreement
    return Verdict(a.n, a.within_one_pct, a.kappa, thresholds)


@dataclass(frozen=True)
class CalibrationOutcome:
    result: CalibrationResult
    rows: tuple[ComparedIndicator, ...]
    verdict: Verdict

    @property
    def passed(self) -> bool:
        return self.verdict.passed

    @property
    def large_differences(self) -> list[ComparedIndicator]:
        """Indicators 2 or more points from the reference, in the order of the result (largest first)."""
        by_key = {row.indicator.key: row for row in self.rows}
        return [by_key[key] for key in self.result.large_differences if key in by_key]


def compare(sheet: PracticeSheet, case: PracticeCase, trainee: ScoreMap, thresholds: Thresholds) -> CalibrationOutcome:
    """Trainee vs reference on the case's sheet; keys the sheet does not have are ignored."""
    keys = sheet.keys
    mine = {k: trainee.get(k) for k in keys}
    reference = {k: case.reference.get(k) for k in keys}
    rows = tuple(
        ComparedIndicator(area.code, ind, mine[ind.key], reference[ind.key], case.rationale.get(ind.key))
        for area in sheet.areas for ind in area.indicators
    )
    result = calibration_result(mine, reference)
    return CalibrationOutcome(result, rows, judge(result, thresholds))


# -- may the person be certified? ------------------------------------------------------

@dataclass(frozen=True)
class AttemptFact:
    """A calibration attempt as the certification rule sees it: its id, the local day it
    was submitted and whether it passed."""

    attempt_id: int
    submitted_on: dt.date
    passed: bool


#: What is missing for certification (see :attr:`CalibrationRule.missing`).
MISSING_TRAINING = "training"  # no training attended at all
MISSING_ATTEMPT = "attempt"    # no calibration attempt since the last attended training
MISSING_PASS = "pass"          # attempts since then, none passed  # nosec B105 # a status code, not a password


@dataclass(frozen=True)
class CalibrationRule:
    """Certification needs a passed calibration attempt (on any practice case) submitted on
    or after the day of the person's last attended training."""

    last_training_on: Optional[dt.date]
    attempts_since: int
    #: the latest passed attempt since the last training, None when there is none
    passed_attempt_id: Optional[int]

    @property
    def met(self) -> bool:
        return self.passed_attempt_id is not None

    @property
    def missing(self) -> Optional[str]:
        if self.last_training_on is None:
            return MISSING_TRAINING
        if self.met:
            return None
        return MISSING_ATTEMPT if self.attempts_since == 0 else MISSING_PASS


def calibration_rule(training_days: Iterable[dt.date], attempts: Iterable[AttemptFact]) -> CalibrationRule:
    """The rule for someone who attended trainings on ``training_days`` and made ``attempts``.

    An attempt on the day of the training counts (calibration is often its last session).
    """
    days = list(training_days)
    if not days:
        return CalibrationRule(None, 0, None)
    last = max(days)
    since = sorted((a for a in attempts if a.submitted_on >= last), key=lambda a: (a.submitted_on, a.attempt_id))
    passed = [a for a in since if a.passed]
    return CalibrationRule(last, len(since), passed[-1].attempt_id if passed else None)

"""Reading the library: the shipped data files (cached, read-only) and local practices."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.cases.domain import Case, Link, Practice, parse_cases, parse_links
from shelterassess.cases.models import LocalPractice, PracticeStatus
from shelterassess.scoresheets.models import Indicator, ScoreSheetVersion, SheetStatus

DATA_DIR = Path(__file__).parent / "data"
CASES_FILE = DATA_DIR / "cases.yaml"
THEMES_FILE = DATA_DIR / "themes.yaml"
LINKS_FILE = DATA_DIR / "indicator_links.yaml"


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


# -- data files (read once per process) -----------------------------------------------

@lru_cache(maxsize=1)
def all_cases() -> tuple[Case, ...]:
    return parse_cases(_read(CASES_FILE))


@lru_cache(maxsize=1)
def _cases_by_slug() -> dict[str, Case]:
    return {case.slug: case for case in all_cases()}


def case_by_slug(slug: str) -> Case | None:
    return _cases_by_slug().get(slug)


@lru_cache(maxsize=1)
def _labels_file() -> dict[str, dict[str, dict[str, str]]]:
    return _read(THEMES_FILE)


def pillar_labels() -> dict[str, dict[str, str]]:
    return _labels_file()["pillars"]


def theme_labels() -> dict[str, dict[str, str]]:
    return _labels_file()["themes"]


def all_labels() -> dict[str, dict[str, str]]:
    return {**pillar_labels(), **theme_labels()}


@lru_cache(maxsize=1)
def indicator_links() -> dict[str, tuple[Link, ...]]:
    return parse_links(_read(LINKS_FILE)) if LINKS_FILE.exists() else {}


def links_for(indicator_key: str) -> tuple[Link, ...]:
    return indicator_links().get(indicator_key, ())


# -- score sheet ----------------------------------------------------------------------

def current_sheet(session: Session) -> ScoreSheetVersion | None:
    """The most recently published score-sheet version."""
    return session.scalar(
        select(ScoreSheetVersion)
        .where(ScoreSheetVersion.status == SheetStatus.PUBLISHED.value)
        .order_by(ScoreSheetVersion.published_at.desc().nulls_last(), ScoreSheetVersion.id.desc())
        .limit(1)
    )


def indicators_by_key(session: Session, sheet: ScoreSheetVersion | None, keys: list[str]) -> dict[str, Indicator]:
    if sheet is None or not keys:
        return {}
    rows = session.scalars(select(Indicator).where(Indicator.sheet_id == sheet.id, Indicator.key.in_(keys)))
    return {ind.key: ind for ind in rows}


# -- local practices --------------------------------------------------------------------

def practices(session: Session, include_drafts: bool = False) -> list[LocalPractice]:
    query = select(LocalPractice).order_by(LocalPractice.created_at.desc(), LocalPractice.id.desc())
    if not include_drafts:
        query = query.where(LocalPractice.status == PracticeStatus.PUBLISHED.value)
    return list(session.scalars(query))


def practice_item(practice: LocalPractice) -> Practice:
    """The practice as the pure library rules see it."""
    facility = practice.facility
    country = facility.province.country.code if facility and facility.province else "VN"
    return Practice(
        id=practice.id,
        title={"vi": practice.title_vi, "en": practice.title_en},
        summary={"vi": practice.summary_vi, "en": practice.summary_en},
        body={lang: " ".join(getattr(practice, f"{name}_{lang}") for name in ("what_was_done", "results", "lessons"))
              for lang in ("vi", "en")},
        pillars=practice.pillar_list, themes=practice.theme_list, indicator_keys=practice.indicator_key_list,
        status=practice.status, facility_name=facility.name if facility else "", countries=(country,),
    )


def published_practices_by_indicator(session: Session) -> dict[str, list[LocalPractice]]:
    by_key: dict[str, list[LocalPractice]] = {}
    for practice in practices(session):
        for key in practice.indicator_key_list:
            by_key.setdefault(key, []).append(practice)
    return by_key

"""Read queries for score sheets."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from shelterassess.assessments.domain import AreaSpec, spec_of
from shelterassess.scoresheets.crosswalk import Crosswalk, Link
from shelterassess.scoresheets.models import Area, Indicator, ScoreSheetVersion, SheetStatus


def all_versions(session: Session) -> list[ScoreSheetVersion]:
    return list(session.scalars(select(ScoreSheetVersion).order_by(ScoreSheetVersion.key, ScoreSheetVersion.version.desc())))


def published_versions(session: Session) -> list[ScoreSheetVersion]:
    return list(
        session.scalars(
            select(ScoreSheetVersion)
            .where(ScoreSheetVersion.status == SheetStatus.PUBLISHED.value)
            .order_by(ScoreSheetVersion.key, ScoreSheetVersion.version.desc())
        )
    )


def content_counts(session: Session) -> dict[int, tuple[int, int]]:
    """Sheet id -> (number of areas, number of indicators)."""
    areas = dict(session.execute(select(Area.sheet_id, func.count(Area.id)).group_by(Area.sheet_id)).all())
    indicators = dict(
        session.execute(select(Indicator.sheet_id, func.count(Indicator.id)).group_by(Indicator.sheet_id)).all()
    )
    return {sheet_id: (count, indicators.get(sheet_id, 0)) for sheet_id, count in areas.items()}


def sheet_with_content(session: Session, sheet_id: int) -> ScoreSheetVersion | None:
    return session.scalar(
        select(ScoreSheetVersion)
        .where(ScoreSheetVersion.id == sheet_id)
        .options(selectinload(ScoreSheetVersion.areas).selectinload(Area.indicators).selectinload(Indicator.levels))
    )


def area_specs(sheet: ScoreSheetVersion) -> list[AreaSpec]:
    """The score sheet as the pure scoring rules see it, keyed by indicator id."""
    return [
        AreaSpec(
            key=str(area.id),
            indicators=[spec_of(ind, str(ind.id)) for ind in area.indicators],
        )
        for area in sheet.areas
    ]


# -- the crosswalk between versions -----------------------------------------------------

def crosswalk_of(sheet: ScoreSheetVersion) -> Crosswalk | None:
    """The crosswalk a version states to its ``crosswalk_from_version`` (None when it has none)."""
    if sheet.crosswalk_from_version is None:
        return None
    links = tuple(Link(ind.key, ind.crosswalk_relation or "same", tuple(ind.predecessor_keys))
                  for ind in sheet.indicators)
    retired = {item["key"]: item for item in sheet.retired_keys or []}
    return Crosswalk(sheet.crosswalk_from_version, links, retired)


def version_of(session: Session, key: str, version: int) -> ScoreSheetVersion | None:
    return session.scalar(
        select(ScoreSheetVersion).where(ScoreSheetVersion.key == key, ScoreSheetVersion.version == version)
    )


def crosswalk_chain(session: Session, key: str, earlier: int, later: int) -> list[Crosswalk] | None:
    """The crosswalks of versions ``earlier+1 .. later`` of a sheet, or None when a step is
    missing (a version that does not exist or states no crosswalk to the one before it)."""
    chain = []
    for version in range(earlier + 1, later + 1):
        sheet = version_of(session, key, version)
        crosswalk = crosswalk_of(sheet) if sheet is not None else None
        if crosswalk is None or crosswalk.from_version != version - 1:
            return None
        chain.append(crosswalk)
    return chain

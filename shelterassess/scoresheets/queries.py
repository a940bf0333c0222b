"""Read queries for score sheets."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from shelterassess.assessments.domain import AreaSpec, IndicatorSpec
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
            indicators=[IndicatorSpec(str(ind.id), critical=ind.critical, na_allowed=ind.na_allowed) for ind in area.indicators],
        )
        for area in sheet.areas
    ]

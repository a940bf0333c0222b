"""Read queries for score sheets."""
from __future__ import annotations

from sqlalchemy import select
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

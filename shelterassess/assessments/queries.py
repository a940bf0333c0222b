"""Read queries for assessments."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session, lazyload, selectinload

from shelterassess.assessments.domain import Answer, SheetScore, score_sheet
from shelterassess.assessments.models import Assessment, AssessmentKind, AssessmentStatus, Score
from shelterassess.facilities.models import Facility
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import Area, Indicator
from shelterassess.scoresheets.queries import area_specs


def scores_by_indicator(session: Session, assessment: Assessment) -> dict[int, Score]:
    rows = session.scalars(select(Score).where(Score.assessment_id == assessment.id))
    return {s.indicator_id: s for s in rows}


def area_scores(session: Session, assessment_id: int, area_id: int) -> dict[int, Score]:
    """The assessment's scores of one area by indicator id, in one statement, their indicators
    not joined (a save has them already; ``score.indicator`` still loads on demand)."""
    rows = session.scalars(
        select(Score).join(Indicator, Score.indicator_id == Indicator.id)
        .where(Score.assessment_id == assessment_id, Indicator.area_id == area_id)
        .options(lazyload(Score.indicator))
    )
    return {s.indicator_id: s for s in rows}


def area_ids_in_order(session: Session, sheet_id: int) -> list[int]:
    """The ids of a sheet's areas in page order (one statement: the area after a saved one)."""
    return list(session.scalars(select(Area.id).where(Area.sheet_id == sheet_id).order_by(Area.position)))


def load_indicator_levels(session: Session, area_id: int) -> None:
    """(Re)load an area's indicators with their level descriptors: two statements, not one per
    indicator (an area page shown again after a POST, which loaded the indicators without them)."""
    session.scalars(select(Indicator).where(Indicator.area_id == area_id)
                    .options(selectinload(Indicator.levels)).execution_options(populate_existing=True)).all()


def answers(scores: dict[int, Score]) -> dict[str, Answer]:
    return {str(i): Answer(s.value, s.not_applicable) for i, s in scores.items()}


def compute_score(
    session: Session, assessment: Assessment, scores: dict[int, Score] | None = None, lowest: int = 5
) -> SheetScore:
    scores = scores if scores is not None else scores_by_indicator(session, assessment)
    return score_sheet(area_specs(assessment.round.sheet), answers(scores), lowest=lowest)


def find_self_assessment(session: Session, facility_id: int, round_id: int) -> Assessment | None:
    return session.scalar(
        select(Assessment).where(
            Assessment.facility_id == facility_id,
            Assessment.round_id == round_id,
            Assessment.kind == AssessmentKind.SELF.value,
        )
    )


def find_assessment(session: Session, facility_id: int, round_id: int, kind: AssessmentKind,
                    team_id: int | None = None) -> Assessment | None:
    """The facility's self or agreed assessment in the round, or the team's peer assessment of it."""
    query = select(Assessment).where(Assessment.facility_id == facility_id, Assessment.round_id == round_id,
                                     Assessment.kind == kind.value)
    if team_id is not None:
        query = query.where(Assessment.team_id == team_id)
    return session.scalar(query.order_by(Assessment.id).limit(1))


def facility_self_assessments(session: Session, facility_id: int) -> list[Assessment]:
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.facility_id == facility_id, Assessment.kind == AssessmentKind.SELF.value)
            .order_by(Assessment.created_at.desc())
        )
    )


@dataclass(frozen=True)
class ProgressRow:
    assessment: Assessment
    answered: int
    total: int
    #: the facility's finalised agreed result of the same round, if any (its red flags are the official ones)
    agreed: Assessment | None = None


def answered_counts(session: Session, assessment_ids: list[int]) -> dict[int, tuple[int, int]]:
    """assessment id -> (answered, total) in one query."""
    if not assessment_ids:
        return {}
    answered = func.sum(case((or_(Score.value.is_not(None), Score.not_applicable), 1), else_=0))
    rows = session.execute(
        select(Score.assessment_id, answered, func.count(Score.id))
        .where(Score.assessment_id.in_(assessment_ids))
        .group_by(Score.assessment_id)
    )
    return {aid: (int(a or 0), int(t)) for aid, a, t in rows}


def national_self_assessments_query(round_id: int | None = None, province_id: int | None = None,
                                    status: str | None = None) -> Select:
    """Self-assessments, newest round first, then by facility code and id; filtered in SQL.

    With one round the order is by facility code alone, which the database reads off the
    facility code index a page at a time instead of sorting every row of the round.
    """
    query = (
        select(Assessment)
        .join(Facility, Assessment.facility_id == Facility.id)
        .where(Assessment.kind == AssessmentKind.SELF.value)
        # the page's facilities and rounds in two more statements: the model's joined loads (round,
        # facility, team, assignment, each with their own) made one statement of 19 joins that
        # PostgreSQL no longer planned as an index scan (16 ms for 50 rows at 1,000 facilities)
        .options(selectinload(Assessment.facility), selectinload(Assessment.round),
                 lazyload(Assessment.team), lazyload(Assessment.assignment))
    )
    if round_id:
        query = query.where(Assessment.round_id == round_id).order_by(Facility.code, Assessment.id)
    else:
        query = (query.join(Round, Assessment.round_id == Round.id)
                 .order_by(Round.name.desc(), Facility.code, Assessment.id))
    if province_id:
        query = query.where(Facility.province_id == province_id)
    if status:
        query = query.where(Assessment.status == status)
    return query


def progress_rows(session: Session, items: list[Assessment]) -> list[ProgressRow]:
    """Rows for the given assessments (a page of them): two more queries whatever their number."""
    counts = answered_counts(session, [a.id for a in items])
    agreed = finalised_agreed(session, {a.round_id for a in items}, {a.facility_id for a in items})
    return [ProgressRow(a, *counts.get(a.id, (0, 0)), agreed.get((a.facility_id, a.round_id))) for a in items]


def national_self_assessments(
    session: Session, round_id: int | None = None, province_id: int | None = None, status: str | None = None
) -> list[ProgressRow]:
    items = list(session.scalars(national_self_assessments_query(round_id, province_id, status)))
    return progress_rows(session, items)


def finalised_agreed(session: Session, round_ids: set[int],
                     facility_ids: set[int] | None = None) -> dict[tuple[int, int], Assessment]:
    """(facility id, round id) -> the finalised agreed assessment, for the given rounds (and facilities), in one query."""
    if not round_ids or facility_ids == set():
        return {}
    query = select(Assessment).options(lazyload("*")).where(  # its own columns only (the page reads its red flags)
        Assessment.kind == AssessmentKind.AGREED.value, Assessment.status == AssessmentStatus.SUBMITTED.value,
        Assessment.round_id.in_(round_ids))
    if facility_ids is not None:
        query = query.where(Assessment.facility_id.in_(facility_ids))
    rows = session.scalars(query)
    return {(a.facility_id, a.round_id): a for a in rows}

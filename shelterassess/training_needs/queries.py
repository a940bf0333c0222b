"""Read queries for skills and training needs. The needs are counted with one SQL aggregate."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session

from shelterassess.facilities.models import Facility, Province
from shelterassess.peer.models import TrainingSession
from shelterassess.plans.models import (
    ActionStatus,
    FundingCategory,
    ImprovementPlan,
    PlanAction,
    PlanStatus,
    Skill,
    training_session_action,
)
from shelterassess.training_needs.domain import NeedCount

#: Plans whose capacity-building actions count as training needs.
NEED_PLAN_STATUSES = (PlanStatus.ACCEPTED.value, PlanStatus.IN_PROGRESS.value)


def all_skills(session: Session) -> list[Skill]:
    return list(session.scalars(select(Skill).order_by(Skill.position, Skill.id)))


def active_skills(session: Session) -> list[Skill]:
    """The skills a new capacity-building action can name."""
    return [s for s in all_skills(session) if s.active]


def provinces(session: Session) -> list[Province]:
    return list(session.scalars(select(Province).order_by(Province.code)))


def _needs(query):
    """Capacity-building actions not dropped, in accepted or in-progress plans."""
    return (query.join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
            .join(Facility, ImprovementPlan.facility_id == Facility.id)
            .where(PlanAction.category == FundingCategory.CAPACITY_BUILDING.value,
                   PlanAction.status != ActionStatus.DROPPED.value,
                   ImprovementPlan.status.in_(NEED_PLAN_STATUSES)))


def need_counts(session: Session, round_id: int | None = None) -> list[NeedCount]:
    """Needs by skill and province: of every round (the training needs page), or of the plans of
    ``round_id`` only (the national workshop pack of that round)."""
    answered = exists().where(training_session_action.c.action_id == PlanAction.id)
    query = _needs(
        select(PlanAction.skill_id, Facility.province_id, func.count(PlanAction.id),
               func.sum(case((answered, 1), else_=0)))
    )
    if round_id is not None:
        query = query.where(ImprovementPlan.round_id == round_id)
    rows = session.execute(query.group_by(PlanAction.skill_id, Facility.province_id))
    return [NeedCount(skill_id, province_id, int(n), int(a or 0)) for skill_id, province_id, n, a in rows]


@dataclass(frozen=True)
class NeedLine:
    action: PlanAction
    plan: ImprovementPlan
    trainings: tuple[TrainingSession, ...]


def needs_for_skill(session: Session, skill_id: int) -> list[NeedLine]:
    """The open needs naming the skill, by province and facility, with the trainings already answering them."""
    actions = list(session.scalars(_needs(select(PlanAction)).where(PlanAction.skill_id == skill_id)
                                   .order_by(Facility.province_id, Facility.code, PlanAction.position)))
    trainings = trainings_for_actions(session, [a.id for a in actions])
    return [NeedLine(a, a.plan, tuple(trainings.get(a.id, ()))) for a in actions]


def trainings_for_actions(session: Session, action_ids: list[int]) -> dict[int, list[TrainingSession]]:
    """action id -> the training sessions scheduled to answer it, earliest first."""
    if not action_ids:
        return {}
    rows = session.execute(
        select(training_session_action.c.action_id, TrainingSession)
        .join(TrainingSession, TrainingSession.id == training_session_action.c.training_id)
        .where(training_session_action.c.action_id.in_(action_ids))
        .order_by(TrainingSession.held_on, TrainingSession.id)
    )
    found: dict[int, list[TrainingSession]] = {}
    for action_id, training in rows:
        found.setdefault(action_id, []).append(training)
    return found


def actions_of_training(session: Session, training_id: int) -> list[PlanAction]:
    """The capacity-building actions a training session answers."""
    return list(session.scalars(
        select(PlanAction).join(training_session_action, training_session_action.c.action_id == PlanAction.id)
        .join(ImprovementPlan, PlanAction.plan_id == ImprovementPlan.id)
        .join(Facility, ImprovementPlan.facility_id == Facility.id)
        .where(training_session_action.c.training_id == training_id)
        .order_by(Facility.code, PlanAction.position)
    ))


def upcoming_trainings(session: Session, today: dt.date) -> list[TrainingSession]:
    """Training sessions held today or later (an answer can be added to them)."""
    return list(session.scalars(select(TrainingSession).where(TrainingSession.held_on >= today)
                                .order_by(TrainingSession.held_on, TrainingSession.id)))

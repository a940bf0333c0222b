"""Read queries for comparisons: who scored a facility in a round, their scores, stored area results.

Per-facility comparisons read the indicator scores of a handful of assessments. National
tables and trends read the :class:`AreaResult` rows stored on submission, never raw scores
(product.md, "Design notes"); only the national per-indicator agreement needs indicator
scores, read in one query as (facility, rater, indicator key, value) rows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from shelterassess.assessments.models import Assessment, AssessmentKind, AssessmentStatus, Score
from shelterassess.comparisons.domain import Score as ScoreValue
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam, TeamAssignment
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import Indicator

ScoreMap = dict[str, ScoreValue]

SUBMITTED = AssessmentStatus.SUBMITTED.value


@dataclass(frozen=True)
class TeamRater:
    """A team assigned to the facility in the round, and its peer assessment (if started)."""

    team: PeerTeam
    peer: Assessment | None

    @property
    def member_ids(self) -> frozenset[int]:
        return frozenset(self.team.member_ids | {self.team.lead_id})

    @property
    def submitted(self) -> bool:
        return self.peer is not None and self.peer.is_submitted


@dataclass(frozen=True)
class ComparisonContext:
    """Facts :func:`~shelterassess.auth.permissions.can_view_comparison` needs besides the objects."""

    #: Members (and leads) of the assigned teams whose own peer assessment is submitted.
    submitted_team_member_ids: frozenset[int] = frozenset()
    submitted_team_ids: frozenset[int] = frozenset()
    #: The facility's finalised agreed result is released to it.
    released: bool = False


@dataclass(frozen=True)
class Raters:
    """Everyone who scored one facility in one round."""

    self_assessment: Assessment | None
    teams: list[TeamRater] = field(default_factory=list)
    agreed: Assessment | None = None

    @property
    def context(self) -> ComparisonContext:
        submitted = [t for t in self.teams if t.submitted]
        return ComparisonContext(
            submitted_team_member_ids=frozenset().union(*(t.member_ids for t in submitted)),
            submitted_team_ids=frozenset(t.team.id for t in submitted),
            released=self.agreed is not None and self.agreed.is_released,
        )

    @property
    def submitted_self(self) -> Assessment | None:
        return self.self_assessment if self.self_assessment and self.self_assessment.is_submitted else None

    @property
    def submitted_peers(self) -> list[TeamRater]:
        return [t for t in self.teams if t.submitted]

    @property
    def submitted_agreed(self) -> Assessment | None:
        return self.agreed if self.agreed and self.agreed.is_submitted else None


def _latest(session: Session, facility_id: int, round_id: int, kind: AssessmentKind) -> Assessment | None:
    """The facility's assessment of ``kind`` in the round, a submitted one first, then the newest."""
    return session.scalar(
        select(Assessment)
        .where(Assessment.facility_id == facility_id, Assessment.round_id == round_id, Assessment.kind == kind.value)
        .order_by((Assessment.status == SUBMITTED).desc(), Assessment.id.desc())
        .limit(1)
    )


def assigned_teams(session: Session, facility_id: int, round_id: int) -> list[TeamRater]:
    """Teams of the round assigned to the facility, in name order, with their peer assessment of it.
    Withdrawn assignments are left out: their peer assessments are never part of the result."""
    teams = list(session.scalars(
        select(PeerTeam)
        .join(TeamAssignment, TeamAssignment.team_id == PeerTeam.id)
        .where(PeerTeam.round_id == round_id, TeamAssignment.facility_id == facility_id,
               TeamAssignment.withdrawn_at.is_(None))
        .order_by(PeerTeam.name, PeerTeam.id)
    ).unique())
    peers = session.scalars(
        select(Assessment)
        .where(Assessment.facility_id == facility_id, Assessment.round_id == round_id,
               Assessment.kind == AssessmentKind.PEER.value, Assessment.team_id.in_([t.id for t in teams]))
        .order_by((Assessment.status == SUBMITTED).asc(), Assessment.id)
    ) if teams else []
    by_team = {p.team_id: p for p in peers}  # a submitted one wins (sorted last)
    return [TeamRater(team, by_team.get(team.id)) for team in teams]


def raters(session: Session, facility_id: int, round_id: int) -> Raters:
    return Raters(
        self_assessment=_latest(session, facility_id, round_id, AssessmentKind.SELF),
        teams=assigned_teams(session, facility_id, round_id),
        agreed=_latest(session, facility_id, round_id, AssessmentKind.AGREED),
    )


def comparison_context(session: Session, facility_id: int, round_id: int) -> ComparisonContext:
    """What :func:`~shelterassess.auth.permissions.can_view_comparison` needs for this facility and round."""
    return raters(session, facility_id, round_id).context


def assessed_rounds(session: Session, facility_id: int) -> list[Round]:
    """Rounds in which the facility has a self, peer or agreed assessment, newest first."""
    kinds = [k.value for k in (AssessmentKind.SELF, AssessmentKind.PEER, AssessmentKind.AGREED)]
    assessed = select(Assessment.round_id).where(Assessment.facility_id == facility_id, Assessment.kind.in_(kinds))
    return list(session.scalars(
        select(Round).where(Round.id.in_(assessed)).order_by(Round.created_at.desc(), Round.id.desc())
    ))


def score_maps(session: Session, assessment_ids: list[int]) -> dict[int, ScoreMap]:
    """assessment id -> {indicator key: 0..3, or None for N/A (or unanswered)}, in one query."""
    result: dict[int, ScoreMap] = {aid: {} for aid in assessment_ids}
    if not assessment_ids:
        return result
    rows = session.execute(
        select(Score.assessment_id, Indicator.key, Score.value)
        .join(Indicator, Score.indicator_id == Indicator.id)
        .where(Score.assessment_id.in_(assessment_ids))
    )
    for assessment_id, key, value in rows:
        result[assessment_id][key] = value
    return result


def score_map(session: Session, assessment: Assessment | None) -> ScoreMap:
    if assessment is None:
        return {}
    return score_maps(session, [assessment.id])[assessment.id]


# -- national view ------------------------------------------------------------------

def round_facilities(session: Session, round_id: int) -> list[Facility]:
    """Active facilities plus any facility assessed in the round, by code."""
    assessed = select(Assessment.facility_id).where(Assessment.round_id == round_id)
    return list(session.scalars(
        select(Facility).where(or_(Facility.active.is_(True), Facility.id.in_(assessed))).order_by(Facility.code)
    ))


# -- trends -------------------------------------------------------------------------

def facility_results(session: Session, facility_id: int) -> list[Assessment]:
    """The facility's submitted self and agreed assessments of every round, oldest round first."""
    return list(session.scalars(
        select(Assessment)
        .join(Round, Assessment.round_id == Round.id)
        .where(Assessment.facility_id == facility_id, Assessment.status == SUBMITTED,
               Assessment.kind.in_([AssessmentKind.SELF.value, AssessmentKind.AGREED.value]))
        .options(selectinload(Assessment.area_results))
        .order_by(Round.created_at, Round.id, Assessment.id)
    ))

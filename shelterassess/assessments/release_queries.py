"""Read queries for releasing agreed results to facilities, facility by facility.

A facility sees its peer and agreed scores once the national team has released its
finalised agreed assessment (``Assessment.released_at``); a result finalised after a
round-wide release waits for its own release.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelterassess.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from shelterassess.assessments.peer_queries import round_assessments
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam, TeamAssignment
from shelterassess.rounds.models import Round


@dataclass(frozen=True)
class ReleaseRow:
    """A facility taking part in a round (a self-assessment or a team assignment) and its result."""

    facility: Facility
    agreed: Assessment | None

    @property
    def state(self) -> str:
        """"none" (no agreed assessment), "reconciling", "finalised" (not released) or "released"."""
        if self.agreed is None:
            return "none"
        if not self.agreed.is_submitted:
            return "reconciling"
        return "released" if self.agreed.released_at is not None else "finalised"


@dataclass(frozen=True)
class ReleaseOverview:
    round: Round
    rows: list[ReleaseRow]

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)

    @property
    def without_result(self) -> int:
        """Facilities with no finalised agreed result yet (none or still reconciling)."""
        return self.count("none") + self.count("reconciling")


def release_overview(session: Session, round_: Round) -> ReleaseOverview:
    """Every facility taking part in the round, by code, with its agreed assessment."""
    with_self = select(Assessment.facility_id).where(Assessment.round_id == round_.id,
                                                     Assessment.kind == AssessmentKind.SELF.value)
    assigned = (select(TeamAssignment.facility_id).join(PeerTeam, TeamAssignment.team_id == PeerTeam.id)
                .where(PeerTeam.round_id == round_.id, TeamAssignment.withdrawn_at.is_(None)))
    with_agreed = select(Assessment.facility_id).where(Assessment.round_id == round_.id,
                                                       Assessment.kind == AssessmentKind.AGREED.value)
    facilities = session.scalars(
        select(Facility).where(Facility.id.in_(with_self.union(assigned, with_agreed))).order_by(Facility.code)
    )
    agreed = {a.facility_id: a for a in round_assessments(session, round_.id, (AssessmentKind.AGREED,))}
    return ReleaseOverview(round_, [ReleaseRow(f, agreed.get(f.id)) for f in facilities])


def release_counts(session: Session, round_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Round id -> (finalised agreed results, of which released)."""
    if not round_ids:
        return {}
    rows = session.execute(
        select(Assessment.round_id, Assessment.released_at.is_not(None), func.count())
        .where(Assessment.round_id.in_(round_ids), Assessment.kind == AssessmentKind.AGREED.value,
               Assessment.status == AssessmentStatus.SUBMITTED.value)
        .group_by(Assessment.round_id, Assessment.released_at.is_not(None))
    ).all()
    counts = {rid: (0, 0) for rid in round_ids}
    for round_id, released, n in rows:
        finalised, done = counts[round_id]
        counts[round_id] = (finalised + n, done + (n if released else 0))
    return counts

"""Read queries the workshop pack needs beyond those of the pages it summarises.

Everything else (agreed results, agreement pairs, red flags, training needs, compliance,
allocation) comes from the queries and report-data builders of the pages themselves, so the
pack's figures are the pages' figures. These two queries read a few rows per assessment:
who submitted what (participation) and the stored :class:`AreaResult` rows of the submitted
self and peer assessments (national self and peer means by area). A withdrawn team's peer
assessment is left out, as on every other page.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from shelterassess.assessments.models import AreaResult, Assessment, AssessmentKind, AssessmentStatus
from shelterassess.peer.models import TeamAssignment

SUBMITTED = AssessmentStatus.SUBMITTED.value
SELF, PEER, AGREED = AssessmentKind.SELF.value, AssessmentKind.PEER.value, AssessmentKind.AGREED.value


def _counted(query):
    """Submitted self, peer and agreed assessments, without the peer assessments of withdrawn teams."""
    return (query.outerjoin(TeamAssignment, (TeamAssignment.team_id == Assessment.team_id)
                            & (TeamAssignment.facility_id == Assessment.facility_id))
            .where(Assessment.status == SUBMITTED, Assessment.kind.in_([SELF, PEER, AGREED]),
                   TeamAssignment.withdrawn_at.is_(None)))


@dataclass
class Submitted:
    """What one facility submitted in the round."""

    self_assessment: bool = False
    peer_assessments: int = 0
    agreed: bool = False
    released: bool = False

    @property
    def taking_part(self) -> bool:
        return self.self_assessment or self.peer_assessments > 0 or self.agreed


def submitted_by_facility(session: Session, round_id: int) -> dict[int, Submitted]:
    """facility id -> what was submitted for it in the round (one query)."""
    rows = session.execute(_counted(
        select(Assessment.facility_id, Assessment.kind, Assessment.released_at.is_not(None))
        .where(Assessment.round_id == round_id)
    ))
    found: dict[int, Submitted] = defaultdict(Submitted)
    for facility_id, kind, released in rows:
        item = found[facility_id]
        if kind == SELF:
            item.self_assessment = True
        elif kind == PEER:
            item.peer_assessments += 1  # nosemgrep: read-modify-write-counter (a dataclass, not a row)
        else:
            item.agreed, item.released = True, item.released or bool(released)
    return dict(found)


@dataclass
class RaterAreas:
    """Stored area percentages of one facility's submitted self and peer assessments."""

    #: area id -> percentage of the self-assessment (None: all N/A)
    self_areas: dict[int, float | None] = field(default_factory=dict)
    self_overall: float | None = None
    #: peer assessment id -> {area id -> percentage}, and its overall percentage
    peer_areas: dict[int, dict[int, float | None]] = field(default_factory=dict)
    peer_overall: dict[int, float | None] = field(default_factory=dict)


def rater_area_results(session: Session, round_id: int) -> dict[int, RaterAreas]:
    """facility id -> its self and peer area results in the round (one query over stored rows)."""
    rows = session.execute(_counted(
        select(Assessment.facility_id, Assessment.kind, Assessment.id, Assessment.overall_percentage,
               AreaResult.area_id, AreaResult.percentage)
        .join(AreaResult, AreaResult.assessment_id == Assessment.id)
        .where(Assessment.round_id == round_id, Assessment.kind.in_([SELF, PEER]))
    ).order_by(Assessment.facility_id, Assessment.id))
    found: dict[int, RaterAreas] = defaultdict(RaterAreas)
    for facility_id, kind, assessment_id, overall, area_id, percentage in rows:
        item = found[facility_id]
        if kind == SELF:
            item.self_areas[area_id], item.self_overall = percentage, overall
        else:
            item.peer_areas.setdefault(assessment_id, {})[area_id] = percentage
            item.peer_overall[assessment_id] = overall
    return dict(found)

"""Which peer and agreed assessments an API caller may read: the pages' predicates
(``can_view_peer_assessment``, ``can_view_agreed``) with the same context the pages load (the
caller's own team's peer assessment, the facility's agreed result), plus their SQL equivalents for
the list, so a page of results is counted and cut in the database.

Blind rules kept: a team sees the facility's submitted self-assessment once its own peer
assessment is submitted (as on its peer page); a facility sees peer scores and the agreed result only once the result is
released to it; a team sees only its own peer assessment until it is submitted, then the other
teams' submitted ones and the agreed result; an agreed draft is shown, as on the reconciliation
page, only to the national team and to the lead of a team whose own peer assessment is submitted.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, and_, exists, false, or_, select
from sqlalchemy.orm import Session, aliased

from shelterassess.assessments import peer_queries
from shelterassess.assessments.models import Assessment, AssessmentKind, AssessmentStatus
from shelterassess.auth import permissions as perm
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam, TeamAssignment, TeamMember
from shelterassess.rounds.models import Round

SUBMITTED = AssessmentStatus.SUBMITTED.value


def can_view(session: Session, user: Any, found: Assessment) -> bool:
    """The pages' rule for one assessment of any kind."""
    if found.kind == AssessmentKind.SELF.value and perm.can_view_assessment(user, found):
        return True
    own = peer_queries.own_peer(session, user.id, found.facility_id, found.round_id)
    if found.kind == AssessmentKind.SELF.value:  # an assessing team, once its own peer assessment is submitted
        return perm.can_view_self_as_peer(user, found, own)
    if found.kind == AssessmentKind.PEER.value:
        result = peer_queries.find_agreed(session, found.facility_id, found.round_id)
        return perm.can_view_peer_assessment(user, found, own, result)
    if found.kind == AssessmentKind.AGREED.value:
        return perm.can_view_agreed(user, found, own) and (
            found.is_submitted or perm.is_national(user) or perm.can_view_reconciliation(user, own))
    return False


def _withdrawn(a) -> Any:
    """The peer assessment's team assignment was withdrawn."""
    return exists().where(TeamAssignment.team_id == a.team_id, TeamAssignment.facility_id == a.facility_id,
                          TeamAssignment.withdrawn_at.is_not(None))


def _own_submitted_peer(user_id: int, other, lead_only: bool = False) -> Any:
    """The caller's team's submitted, not withdrawn peer assessment of ``other``'s facility and round
    (the team assigned, as ``peer_queries.own_peer`` finds it)."""
    own = aliased(Assessment)
    mine = select(TeamMember.team_id).where(TeamMember.user_id == user_id)
    query = (
        exists()
        .where(own.kind == AssessmentKind.PEER.value, own.status == SUBMITTED,
               own.facility_id == other.facility_id, own.round_id == other.round_id, own.team_id.in_(mine))
        .where(exists().where(TeamAssignment.team_id == own.team_id, TeamAssignment.facility_id == own.facility_id,
                              TeamAssignment.withdrawn_at.is_(None)))
    )
    if lead_only:
        query = query.where(exists().where(PeerTeam.id == own.team_id, PeerTeam.lead_id == user_id))
    return query


def _released(facility_id: int | None, other) -> Any:
    """``other``'s facility is the caller's, and its agreed result of the round is released."""
    if facility_id is None:
        return false()
    agreed = aliased(Assessment)
    return and_(other.facility_id == facility_id, exists().where(
        agreed.kind == AssessmentKind.AGREED.value, agreed.status == SUBMITTED, agreed.released_at.is_not(None),
        agreed.facility_id == other.facility_id, agreed.round_id == other.round_id))


def kind_query(kind: str, round_id: int | None, status: str | None) -> Select:
    """Assessments of ``kind`` in the self list's order (newest round first, facility code, id)."""
    query = (
        select(Assessment)
        .join(Facility, Assessment.facility_id == Facility.id)
        .join(Round, Assessment.round_id == Round.id)
        .where(Assessment.kind == kind)
        .order_by(Round.name.desc(), Facility.code, Assessment.id)
    )
    if round_id:
        query = query.where(Assessment.round_id == round_id)
    if status:
        query = query.where(Assessment.status == status)
    return query


def restrict_self(query: Select, user: Any, own_facility: int | None) -> Select:
    """The self-assessments list cut to the caller's facility, plus the submitted self-assessments
    of the facilities the caller's team assessed and submitted its own peer assessment of
    (``can_view_self_as_peer``)."""
    if perm.can_view_all_assessments(user):
        return query
    own = Assessment.facility_id == own_facility if own_facility is not None else false()
    return query.where(or_(own, and_(Assessment.status == SUBMITTED, _own_submitted_peer(user.id, Assessment))))


def restrict(query: Select, user: Any, kind: str, own_facility: int | None) -> Select:
    """``query`` (over Assessment, already of ``kind``) cut to what ``can_view`` allows, in SQL."""
    if perm.is_national(user):
        return query
    if kind == AssessmentKind.PEER.value:
        mine = select(TeamMember.team_id).where(TeamMember.user_id == user.id)
        shown_after_submission = and_(Assessment.status == SUBMITTED, ~_withdrawn(Assessment), or_(
            _released(own_facility, Assessment), _own_submitted_peer(user.id, Assessment)))
        return query.where(or_(Assessment.team_id.in_(mine), shown_after_submission))
    # agreed: released to the facility; a team with its own submitted (the draft: its lead only)
    return query.where(or_(
        _released(own_facility, Assessment),
        and_(Assessment.status == SUBMITTED, _own_submitted_peer(user.id, Assessment)),
        _own_submitted_peer(user.id, Assessment, lead_only=True)))

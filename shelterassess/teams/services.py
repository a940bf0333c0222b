"""Form peer teams, assign them to facilities and schedule visits. Flush only; the caller commits.

Every change runs the rules of :mod:`shelterassess.teams.domain`. Errors raise
:class:`TeamRulesFailed`; warnings raise it too unless ``confirm_warnings`` is set,
and the functions return the warnings they saved anyway (the seed can log them).
"""
from __future__ import annotations

import datetime as dt
from typing import Sequence

from sqlalchemy.orm import Session

from shelterassess.assessments.models import AssessmentEvent
from shelterassess.auth.models import User
from shelterassess.db import utcnow
from shelterassess.errors import ValidationFailed
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import PeerTeam, TeamAssignment, TeamMember
from shelterassess.rounds.models import Round, RoundStatus
from shelterassess.teams import domain, queries
from shelterassess.teams.domain import RuleResult
from shelterassess.teams.queries import assignments_for_facility, teams_for_user  # noqa: F401 (public API)

NAME_MAX_LENGTH = 200


class TeamRulesFailed(ValidationFailed):
    """The change broke a rule (``errors``) or has warnings nobody confirmed yet.

    ``reasons`` carry the rule codes only; views translate ``results`` into messages.
    """

    def __init__(self, results: Sequence[RuleResult]):
        self.results = list(results)
        super().__init__([(None, f"{r.level}: {r.code} {dict(r.message_params)}") for r in self.results])

    @property
    def errors(self) -> list[RuleResult]:
        return domain.errors(self.results)

    @property
    def warnings(self) -> list[RuleResult]:
        return domain.warnings(self.results)

    @property
    def needs_confirmation(self) -> bool:
        """Only warnings: saving is allowed once the national team confirms them."""
        return not self.errors


def create_team(
    session: Session, round_: Round, name: str, members: Sequence[User], lead: User | None,
    confirm_warnings: bool = False,
) -> tuple[PeerTeam, list[RuleResult]]:
    """A new team of the round; returns it with the warnings that were confirmed."""
    name = name.strip()
    _check_round_not_closed(round_)
    plan = queries.team_plan(session, name, _unique(members), lead.id if lead else None)
    results = _name_results(session, round_, name) + domain.check_team(plan, queries.round_context(session, round_))
    found = _decide(results, domain.warnings(results), confirm_warnings)
    team = PeerTeam(round=round_, name=name, lead_id=lead.id)
    team.members = [TeamMember(user_id=u.id) for u in _unique(members)]
    session.add(team)
    session.flush()
    return team, found


def update_team(
    session: Session, team: PeerTeam, name: str, members: Sequence[User], lead: User | None,
    confirm_warnings: bool = False,
) -> list[RuleResult]:
    """Rename the team or change its members or lead, checked against its current assignments.

    Only warnings the change brings need confirming: those that applied before were confirmed then.
    """
    name = name.strip()
    _check_round_not_closed(team.round)
    context = queries.round_context(session, team.round, exclude_team_id=team.id)
    before = domain.check_team(queries.plan_of(session, team), context)
    facility_ids = [a.facility_id for a in team.assignments]
    plan = queries.team_plan(session, name, _unique(members), lead.id if lead else None, facility_ids, team.id)
    results = _name_results(session, team.round, name, team.id) + domain.check_team(plan, context)
    found = _decide(results, domain.new_warnings(results, before), confirm_warnings)
    team.name, team.lead_id = name, lead.id
    wanted = {u.id for u in _unique(members)}
    team.members = [m for m in team.members if m.user_id in wanted] + [
        TeamMember(user_id=uid) for uid in sorted(wanted - team.member_ids)
    ]
    session.flush()
    return found


def delete_team(session: Session, team: PeerTeam) -> None:
    """Only a team that has not started any peer assessment can be deleted."""
    _check_round_not_closed(team.round)
    if queries.has_peer_assessment(session, team.id):
        raise TeamRulesFailed([domain.error("team_has_assessments", team=team.name)])
    session.delete(team)
    session.flush()


def assign(
    session: Session, team: PeerTeam, facility: Facility, planned_visit_on: dt.date | None,
    confirm_warnings: bool = False,
) -> tuple[TeamAssignment, list[RuleResult]]:
    """Assign ``team`` to assess ``facility`` in its round, with the planned visit date (optional)."""
    _check_round_not_closed(team.round)
    context = queries.round_context(session, team.round, exclude_team_id=team.id)
    results = domain.check_assignment(queries.plan_of(session, team), facility.id, context)
    if not facility.active:
        results.insert(0, domain.error("facility_inactive", facility=facility.code))
    if queries.has_finalised_result(session, facility.id, team.round_id):
        results.insert(0, domain.error("result_finalised", facility=facility.code))
    found = _decide(results, domain.warnings(results), confirm_warnings)
    assignment = TeamAssignment(team=team, facility_id=facility.id, planned_visit_on=planned_visit_on)
    session.add(assignment)
    session.flush()
    return assignment, found


def unassign(session: Session, assignment: TeamAssignment) -> None:
    """Remove an assignment whose peer assessment has not been started."""
    team = assignment.team
    _check_round_not_closed(team.round)
    if queries.has_peer_assessment(session, team.id, assignment.facility_id):
        raise TeamRulesFailed([domain.error("assignment_has_assessment", team=team.name,
                                            facility=assignment.facility.code)])
    team.assignments.remove(assignment)
    session.flush()


WITHDRAW_REASON_MIN = 10


def withdraw_assignment(session: Session, user: User, assignment: TeamAssignment, reason: str) -> None:
    """The national team withdraws a team from a facility (who, when, why recorded): the team
    scores no more and its peer assessment, if any, is never part of the facility's result.
    Refused once the agreed result is finalised (it was reconciled with this team)."""
    reason = reason.strip()
    from shelterassess.assessments.peer_services import lock_result_sources

    lock_result_sources(session, assignment.facility_id, assignment.team.round_id)
    team = assignment.team
    _check_round_not_closed(team.round)
    if assignment.is_withdrawn:
        raise TeamRulesFailed([domain.error("assignment_withdrawn", team=team.name, facility=assignment.facility.code)])
    if len(reason) < WITHDRAW_REASON_MIN:
        raise TeamRulesFailed([domain.error("withdraw_reason_missing", min=WITHDRAW_REASON_MIN)])
    if queries.has_finalised_result(session, assignment.facility_id, team.round_id):
        raise TeamRulesFailed([domain.error("result_finalised", facility=assignment.facility.code)])
    assignment.withdrawn_at, assignment.withdrawn_by_id, assignment.withdraw_reason = utcnow(), user.id, reason
    peer = queries.peer_assessments(session, [team.id]).get((team.id, assignment.facility_id))
    if peer is not None:
        session.add(AssessmentEvent(assessment_id=peer.id, action="assignment_withdrawn", user_id=user.id,
                                    reason=reason))
    session.flush()


def set_visit_date(session: Session, assignment: TeamAssignment, planned_visit_on: dt.date | None) -> None:
    _check_round_not_closed(assignment.team.round)
    assignment.planned_visit_on = planned_visit_on
    session.flush()


# -- helpers ---------------------------------------------------------------------

def _decide(results: list[RuleResult], to_confirm: list[RuleResult], confirmed: bool) -> list[RuleResult]:
    """Raise on errors, and on warnings not confirmed; return the warnings saved anyway."""
    if domain.errors(results):
        raise TeamRulesFailed(results)
    if to_confirm and not confirmed:
        raise TeamRulesFailed(to_confirm)
    return domain.warnings(results)


def _name_results(session: Session, round_: Round, name: str, team_id: int | None = None) -> list[RuleResult]:
    if not name or len(name) > NAME_MAX_LENGTH:
        return [domain.error("name_missing")]
    if queries.team_name_taken(session, round_.id, name, team_id):
        return [domain.error("name_taken", name=name, round=round_.name)]
    return []


def _check_round_not_closed(round_: Round) -> None:
    if round_.status == RoundStatus.CLOSED.value:
        raise TeamRulesFailed([domain.error("round_closed", round=round_.name)])


def _unique(users: Sequence[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.id, user)
    return list(seen.values())

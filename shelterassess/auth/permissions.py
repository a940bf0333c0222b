"""Who may do what: pure predicates, the one place access rules live.

Views call them (through :func:`require`) and templates call them (they are
registered as Jinja globals), so a button is shown exactly when its route allows
the action. Each predicate takes the user and the object concerned and looks only
at their attributes: no database, no request.
"""
from __future__ import annotations

from typing import Any, Iterable, Protocol

from shelterassess.auth.roles import Role


class UserLike(Protocol):
    id: int
    role: str
    facility_id: int | None
    is_authenticated: bool


def _role(user: Any) -> Role | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Role(user.role)


def is_admin(user: Any) -> bool:
    return _role(user) is Role.ADMIN


def is_national(user: Any) -> bool:
    return _role(user) is Role.NATIONAL_TEAM


def is_facility_member(user: Any, facility_id: int | None) -> bool:
    role = _role(user)
    return role is not None and role.belongs_to_facility and facility_id is not None and user.facility_id == facility_id


# -- accounts and reference data -------------------------------------------------

def can_manage_users(user: Any) -> bool:
    return is_admin(user)


def can_manage_facilities(user: Any) -> bool:
    return is_admin(user)


def can_manage_scoresheets(user: Any) -> bool:
    return is_admin(user)


def can_view_scoresheets(user: Any) -> bool:
    return _role(user) is not None


# -- facilities ------------------------------------------------------------------

def can_list_facilities(user: Any) -> bool:
    return _role(user) is not None


def can_view_facility(user: Any, facility: Any) -> bool:
    return _role(user) is not None


def can_view_facility_contact(user: Any, facility: Any) -> bool:
    """Address and phone are sensitive: the facility's own users, the national team, admins."""
    return is_facility_member(user, facility.id) or is_national(user) or is_admin(user)


# -- rounds ----------------------------------------------------------------------

def can_manage_rounds(user: Any) -> bool:
    return is_national(user)


def can_view_rounds(user: Any) -> bool:
    return _role(user) in (Role.NATIONAL_TEAM, Role.FACILITY_STAFF, Role.FACILITY_MANAGER)


# -- self-assessments ------------------------------------------------------------

def can_view_all_assessments(user: Any) -> bool:
    return is_national(user)


def can_start_self_assessment(user: Any, facility: Any, round_: Any) -> bool:
    return is_facility_member(user, facility.id) and round_.is_open and facility.active


def can_view_assessment(user: Any, assessment: Any) -> bool:
    if is_national(user):
        return True
    return assessment.kind == "self" and is_facility_member(user, assessment.facility_id)


def can_edit_assessment(user: Any, assessment: Any) -> bool:
    return (
        assessment.kind == "self"
        and is_facility_member(user, assessment.facility_id)
        and not assessment.is_submitted
        and assessment.round.is_open
    )


def can_submit_assessment(user: Any, assessment: Any) -> bool:
    return can_edit_assessment(user, assessment) and _role(user) is Role.FACILITY_MANAGER


def can_reopen_assessment(user: Any, assessment: Any) -> bool:
    """A submitted self or peer assessment (agreed results: :func:`can_reopen_agreed`). The
    service still refuses while the agreed result reconciled from it is finalised."""
    return (is_national(user) and assessment.kind != "agreed" and assessment.is_submitted
            and assessment.round.is_open)


def can_print_blank_sheet(user: Any, facility: Any, assigned_teams: Iterable[Any] = ()) -> bool:
    """The facility's own staff, the national team, and the members of a team assigned to visit
    it (``assigned_teams``: the round's teams assigned to the facility; the sheet is blank)."""
    return (is_facility_member(user, facility.id) or is_national(user)
            or any(is_team_member(user, team) for team in assigned_teams))


# -- case library ----------------------------------------------------------------

def can_view_cases(user: Any) -> bool:
    return _role(user) is not None


def can_manage_practices(user: Any) -> bool:
    """Add, edit and publish local practices; see drafts."""
    return is_national(user)


def can_view_practice(user: Any, practice: Any) -> bool:
    return can_manage_practices(user) or (can_view_cases(user) and practice.is_published)


# -- peer teams and visits -------------------------------------------------------

def can_manage_teams(user: Any) -> bool:
    """Form teams, change members, assign facilities and schedule visits."""
    return is_national(user)


def is_team_member(user: Any, team: Any) -> bool:
    return _role(user) is not None and user.id in team.member_ids


def is_team_lead(user: Any, team: Any) -> bool:
    return is_team_member(user, team) and team.lead_id == user.id


def can_view_team(user: Any, team: Any) -> bool:
    return can_manage_teams(user) or is_team_member(user, team)


def can_view_own_teams(user: Any) -> bool:
    """Assessors are facility staff and managers; their "My teams" page."""
    role = _role(user)
    return role is not None and role.belongs_to_facility


def can_view_visits(user: Any) -> bool:
    """The national team sees every planned visit, assessors those of their teams."""
    return can_manage_teams(user) or can_view_own_teams(user)


# -- assessors: training, certification, calibration (issue 3) ---------------------

def can_manage_training(user: Any) -> bool:
    """Training sessions and participants; certifying and revoking assessors; all assessor records."""
    return is_national(user)


def can_view_assessor_record(user: Any, subject: Any) -> bool:
    """A person's trainings, calibration results and certification: the national team and the person."""
    return can_manage_training(user) or (_role(user) is not None and subject.id == user.id)


def can_calibrate(user: Any) -> bool:
    """Score the practice cases: facility staff and managers (future assessors) and the national team."""
    role = _role(user)
    return role is not None and (role.belongs_to_facility or role is Role.NATIONAL_TEAM)


def can_view_calibration_attempt(user: Any, attempt: Any) -> bool:
    """A calibration result is seen by the trainee and by the national team."""
    return can_calibrate(user) and (attempt.user_id == user.id or can_manage_training(user))


# -- peer scoring, reconciliation, release of results (issues 3 and 7) ----------------
# Blind rules: a team sees the facility's self-assessment and other teams' scores only
# once its own peer assessment (``own_peer``) of the same facility and round is
# submitted; a team's draft is seen by the team and the national team.
# Release: the facility sees its peer and agreed scores only once the national team has
# released its finalised agreed result (``result``: the facility's agreed assessment of
# the round, or None), facility by facility. A withdrawn team scores no more, and its
# peer assessment is never part of the result.

def _same_facility_round(a: Any, b: Any) -> bool:
    return a.facility_id == b.facility_id and a.round_id == b.round_id


def _withdrawn(peer: Any) -> bool:
    return bool(getattr(peer, "is_withdrawn", False))


def _own_peer_submitted(user: Any, own_peer: Any, other: Any) -> bool:
    return (
        own_peer is not None
        and own_peer.kind == "peer"
        and own_peer.is_submitted
        and not _withdrawn(own_peer)
        and own_peer.team is not None
        and is_team_member(user, own_peer.team)
        and _same_facility_round(own_peer, other)
    )


def is_result_released(result: Any) -> bool:
    """``result`` is a finalised agreed assessment released to its facility."""
    return result is not None and result.kind == "agreed" and result.is_submitted and result.released_at is not None


def _released_to_facility(user: Any, assessment: Any, result: Any) -> bool:
    return (
        assessment.is_submitted
        and is_result_released(result)
        and _same_facility_round(assessment, result)
        and is_facility_member(user, assessment.facility_id)
    )


def can_view_peer_pages(user: Any) -> bool:
    """The peer-assessment list: assessors (facility staff and managers) and the national team."""
    role = _role(user)
    return role is not None and (role.belongs_to_facility or role is Role.NATIONAL_TEAM)


def can_start_peer_assessment(user: Any, assignment: Any) -> bool:
    team = assignment.team
    return (is_team_member(user, team) and team.round.is_open and assignment.facility.active
            and not assignment.is_withdrawn)


def can_view_peer_assessment(user: Any, peer: Any, own_peer: Any = None, result: Any = None) -> bool:
    if peer.kind != "peer":
        return False
    if is_national(user) or (peer.team is not None and is_team_member(user, peer.team)):
        return True
    if not peer.is_submitted or _withdrawn(peer):
        return False
    return _released_to_facility(user, peer, result) or _own_peer_submitted(user, own_peer, peer)


def can_edit_peer_assessment(user: Any, peer: Any) -> bool:
    return (
        peer.kind == "peer"
        and peer.team is not None
        and is_team_member(user, peer.team)
        and not peer.is_submitted
        and not _withdrawn(peer)
        and peer.round.is_open
    )


def can_submit_peer_assessment(user: Any, peer: Any) -> bool:
    return can_edit_peer_assessment(user, peer) and is_team_lead(user, peer.team)


def can_view_self_as_peer(user: Any, self_assessment: Any, own_peer: Any) -> bool:
    """The facility's self-assessment, for an assessing team once its own is submitted."""
    if self_assessment.kind != "self":
        return False
    if is_national(user):
        return True
    return self_assessment.is_submitted and _own_peer_submitted(user, own_peer, self_assessment)


def can_reconcile(user: Any, team: Any) -> bool:
    """The lead of an assigned team saves and finalises the agreed scores."""
    return team is not None and is_team_lead(user, team)


def can_view_reconciliation(user: Any, own_peer: Any) -> bool:
    """National team (read-only); the lead of a team whose own peer assessment is submitted."""
    if is_national(user):
        return True
    return (own_peer is not None and own_peer.is_submitted and not _withdrawn(own_peer)
            and can_reconcile(user, own_peer.team))


def can_edit_reconciliation(user: Any, own_peer: Any, agreed: Any) -> bool:
    return (
        not is_national(user)
        and can_view_reconciliation(user, own_peer)
        and own_peer.round.is_open
        and (agreed is None or not agreed.is_submitted)
    )


def can_release_results(user: Any) -> bool:
    """Release results to facilities (and withdraw a release); withdraw team assignments."""
    return is_national(user)


def can_reopen_agreed(user: Any, agreed: Any) -> bool:
    """Send a finalised agreed result back to reconciliation (recorded, with a reason)."""
    return (is_national(user) and agreed is not None and agreed.kind == "agreed" and agreed.is_submitted
            and agreed.round.is_open)


def can_view_agreed(user: Any, agreed: Any, own_peer: Any = None) -> bool:
    if agreed.kind != "agreed":
        return False
    if is_national(user):
        return True
    return _released_to_facility(user, agreed, agreed) or _own_peer_submitted(user, own_peer, agreed)


def can_view_peer_results(user: Any, facility: Any, round_: Any, own_peer: Any = None, result: Any = None) -> bool:
    """Self, peer and agreed side by side: national; the facility once its result is released; a team
    once its own is submitted."""
    if is_national(user):
        return True
    if (is_facility_member(user, facility.id) and is_result_released(result)
            and result.facility_id == facility.id and result.round_id == round_.id):
        return True
    return (
        own_peer is not None
        and own_peer.is_submitted
        and not _withdrawn(own_peer)
        and own_peer.team is not None
        and is_team_member(user, own_peer.team)
        and own_peer.facility_id == facility.id
        and own_peer.round_id == round_.id
    )


# -- comparisons (self vs peer vs agreed; national view; trends) -------------------

def can_view_national_comparison(user: Any) -> bool:
    """The national table, national agreement figures and the comparisons index."""
    return is_national(user)


def can_view_comparison(user: Any, facility: Any, round_: Any, context: Any) -> bool:
    """One facility's comparison in a round.

    The national team always; members of a team assigned to the facility in the round once
    their own team's peer assessment is submitted (``context.submitted_team_member_ids``,
    computed by the view); the facility's users once its result is released
    (``context.released``).
    """
    if is_national(user):
        return True
    if is_facility_member(user, facility.id):
        return bool(context.released)
    return _role(user) is not None and user.id in context.submitted_team_member_ids


def can_view_trends(user: Any, facility: Any) -> bool:
    return is_national(user) or is_facility_member(user, facility.id)


def can_view_agreed_result(user: Any, facility: Any, round_: Any, result: Any = None) -> bool:
    """The facility's agreed (official) result of a round: national team; the facility after release."""
    return is_national(user) or (
        is_facility_member(user, facility.id) and is_result_released(result)
        and result.facility_id == facility.id and result.round_id == round_.id
    )


# -- follow-up visits and training needs (issue 8) -----------------------------------
# ``visit`` is a follow-up visit (status, team, plan.facility_id). Its team's members fill the
# visit form and the lead submits it; the national team schedules, reads and reopens. The
# visited facility's users see the results once the visit is submitted.

def _visit_submitted(visit: Any) -> bool:
    return visit.status == "submitted"


def can_manage_follow_ups(user: Any) -> bool:
    """Schedule follow-up visits, reopen submitted ones, see every visit and the compliance table."""
    return is_national(user)


def can_view_follow_ups(user: Any) -> bool:
    """The list of follow-up visits: the national team (all), facility staff and managers (their
    teams' visits and their own facility's submitted ones)."""
    role = _role(user)
    return role is not None and (role.belongs_to_facility or role is Role.NATIONAL_TEAM)


def can_view_follow_up_visit(user: Any, visit: Any) -> bool:
    """The visit form: the visiting team and the national team (read-only)."""
    return is_national(user) or is_team_member(user, visit.team)


def can_edit_follow_up_visit(user: Any, visit: Any) -> bool:
    return not is_national(user) and is_team_member(user, visit.team) and not _visit_submitted(visit)


def can_submit_follow_up_visit(user: Any, visit: Any) -> bool:
    return can_edit_follow_up_visit(user, visit) and is_team_lead(user, visit.team)


def can_reopen_follow_up_visit(user: Any, visit: Any) -> bool:
    return is_national(user) and _visit_submitted(visit)


def can_view_follow_up_results(user: Any, visit: Any) -> bool:
    """Before/after, compliance and cost per point (page and PDF): the national team and the
    visiting team (also while the visit is a draft); the facility's users once it is submitted."""
    return can_view_follow_up_visit(user, visit) or (
        _visit_submitted(visit) and is_facility_member(user, visit.plan.facility_id))


def can_manage_skills(user: Any) -> bool:
    """Add, rename and deactivate the skills capacity-building actions name."""
    return is_admin(user) or is_national(user)


def can_view_training_needs(user: Any) -> bool:
    """Needs by skill and province, and scheduling a follow-up training for them."""
    return is_national(user)


# -- improvement plans (issue 8) --------------------------------------------------------
# ``plan`` is an improvement plan (facility_id, round_id, status). ``lead_peer`` is the peer
# assessment of the team the user leads among those assigned to the plan's facility in its
# round (withdrawn assignments left out), or None. The lead of a team whose peer assessment
# is submitted, and the national team, draft and edit the plan while it is a draft or
# returned; the facility sees it once shared (never a draft); its manager accepts or returns
# it; its staff and manager report progress once it is accepted. Administrators see no plan.

_PLAN_EDITABLE = ("draft", "returned")
_PLAN_UNDER_WAY = ("accepted", "in_progress")


def _leads_assessing_team(user: Any, lead_peer: Any, facility_id: int, round_id: int) -> bool:
    return (
        lead_peer is not None
        and lead_peer.kind == "peer"
        and lead_peer.is_submitted
        and not _withdrawn(lead_peer)
        and lead_peer.team is not None
        and is_team_lead(user, lead_peer.team)
        and lead_peer.facility_id == facility_id
        and lead_peer.round_id == round_id
    )


def _plan_author(user: Any, facility_id: int, round_id: int, lead_peer: Any) -> bool:
    return is_national(user) or _leads_assessing_team(user, lead_peer, facility_id, round_id)


def can_view_plans(user: Any) -> bool:
    """The plans page: facility staff and managers (their facility's plans, and the plans they draft
    as team leads) and the national team."""
    role = _role(user)
    return role is not None and (role.belongs_to_facility or role is Role.NATIONAL_TEAM)


def can_view_plans_overview(user: Any) -> bool:
    """All plans of a round with totals by category and province, overdue actions first."""
    return is_national(user)


def can_draft_plan(user: Any, facility: Any, round_: Any, lead_peer: Any = None) -> bool:
    """Draft the facility's plan of the round (the service needs the finalised agreed result)."""
    return _plan_author(user, facility.id, round_.id, lead_peer)


def can_view_plan(user: Any, plan: Any, lead_peer: Any = None) -> bool:
    """The plan page and its PDF."""
    if _plan_author(user, plan.facility_id, plan.round_id, lead_peer):
        return True
    return is_facility_member(user, plan.facility_id) and plan.status != "draft"


def can_edit_plan(user: Any, plan: Any, lead_peer: Any = None) -> bool:
    """Add, change, merge, drop, restore and reorder actions; share the plan with the facility."""
    return plan.status in _PLAN_EDITABLE and _plan_author(user, plan.facility_id, plan.round_id, lead_peer)


def can_decide_plan(user: Any, plan: Any) -> bool:
    """Accept a shared plan, or return it with comments: the facility's manager."""
    return (plan.status == "shared" and _role(user) is Role.FACILITY_MANAGER
            and is_facility_member(user, plan.facility_id))


def can_start_plan(user: Any, plan: Any) -> bool:
    """Mark an accepted plan as in progress (it also starts when an action does)."""
    return (plan.status == "accepted" and _role(user) is Role.FACILITY_MANAGER
            and is_facility_member(user, plan.facility_id))


def can_close_plan(user: Any, plan: Any) -> bool:
    return plan.status == "in_progress" and is_national(user)


def can_reopen_plan(user: Any, plan: Any) -> bool:
    """Send an accepted plan back to draft (recorded, with a reason)."""
    return plan.status in _PLAN_UNDER_WAY and is_national(user)


def can_add_progress_note(user: Any, plan: Any, lead_peer: Any = None) -> bool:
    """Progress notes: the facility's staff and manager, and the lead of the team that drafted it."""
    if plan.status not in _PLAN_UNDER_WAY:
        return False
    return is_facility_member(user, plan.facility_id) or _leads_assessing_team(
        user, lead_peer, plan.facility_id, plan.round_id)


def can_set_action_status(user: Any, plan: Any) -> bool:
    """Planned, in progress, done or dropped (with a reason): the facility's staff and manager."""
    return plan.status in _PLAN_UNDER_WAY and is_facility_member(user, plan.facility_id)


# -- national workshop pack (issue 9) ------------------------------------------------

def can_view_workshop_pack(user: Any) -> bool:
    """The national workshop pack of a round (its page, PDF and workbook, named or anonymised):
    the national team, who prepare the workshops. It lists every facility's results, plans and
    funding side by side, so no one else (not even the administrator) sees it."""
    return is_national(user)


# -- funding (issue 9) ------------------------------------------------------------------
# ``funding_round`` is a funding round (status: draft, approved, reopened). The national team
# creates funding rounds, computes, compares and adjusts the allocation, approves and reopens
# it. A facility's staff and manager see their own facility's allocation, the actions it funds
# and the letter once the round is approved (never a draft, nor a reopened round). Administrators
# see nothing of it.

def can_manage_funding(user: Any) -> bool:
    """Funding rounds, their proposal, scenarios, adjustments and exports."""
    return is_national(user)


def can_view_funding(user: Any) -> bool:
    """The funding page: every funding round (national team), the facility's approved allocations."""
    role = _role(user)
    return role is not None and (role.belongs_to_facility or role is Role.NATIONAL_TEAM)


def can_change_allocation(user: Any, funding_round: Any) -> bool:
    """Parameters, proposal, scenarios, adjustments, facilities added by hand."""
    return is_national(user) and funding_round.status != "approved"


def can_approve_allocation(user: Any, funding_round: Any) -> bool:
    return can_change_allocation(user, funding_round) and funding_round.proposal_at is not None


def can_reopen_allocation(user: Any, funding_round: Any) -> bool:
    return is_national(user) and funding_round.status == "approved"


def can_view_facility_allocation(user: Any, funding_round: Any, facility_id: int) -> bool:
    """One facility's allocation and its letter: the national team; the facility once approved."""
    return is_national(user) or (is_facility_member(user, facility_id) and funding_round.status == "approved")


# -- visit toolkit and escalated concerns (issue 10) -------------------------------------
# The toolkit (agenda, checklist, protocols, undertaking) is for members of peer teams and the
# national team; a visit's pack for that visit's team (assignment not withdrawn) and the
# national team. ``teams`` is the list of the user's teams the view loads; ``visited`` the
# (facility id, team) pairs of the facilities the user's teams are or were sent to.
# An escalation (``escalation``: facility_id, recorded_by_id, status, has_action) is seen by
# the national team and the person who recorded it, never by the facility; the national team
# acknowledges it, records actions, closes and reopens it; the recorder adds information.

def can_view_toolkit(user: Any, teams: Any = ()) -> bool:
    return is_national(user) or any(is_team_member(user, team) for team in teams)


def can_view_visit_toolkit(user: Any, assignment: Any) -> bool:
    return is_national(user) or (is_team_member(user, assignment.team) and not assignment.is_withdrawn)


def can_record_escalation(user: Any, facility: Any = None, visited: Any = ()) -> bool:
    """Record a concern about ``facility`` (or, with None, about any facility at all): the
    national team; a member of a team sent to that facility."""
    if is_national(user):
        return facility is None or bool(getattr(facility, "active", True))
    return any(is_team_member(user, team) and (facility is None or facility_id == facility.id)
               for facility_id, team in visited)


def can_list_escalations(user: Any) -> bool:
    """The list of escalations: the national team (all), assessors (those they recorded)."""
    role = _role(user)
    return role is not None and (role.belongs_to_facility or role is Role.NATIONAL_TEAM)


def can_manage_escalations(user: Any) -> bool:
    """Every escalation, the open ones on the dashboard, and the steps that act on them."""
    return is_national(user)


def is_escalation_recorder(user: Any, escalation: Any) -> bool:
    return _role(user) is not None and escalation.recorded_by_id == user.id


def can_view_escalation(user: Any, escalation: Any) -> bool:
    return can_manage_escalations(user) or is_escalation_recorder(user, escalation)


def can_acknowledge_escalation(user: Any, escalation: Any) -> bool:
    return can_manage_escalations(user) and escalation.status == "open"


def can_record_escalation_action(user: Any, escalation: Any) -> bool:
    return can_manage_escalations(user) and escalation.status in ("open", "acknowledged")


def can_close_escalation(user: Any, escalation: Any) -> bool:
    return can_manage_escalations(user) and escalation.status == "acknowledged" and bool(escalation.has_action)


def can_reopen_escalation(user: Any, escalation: Any) -> bool:
    return can_manage_escalations(user) and escalation.status == "closed"


def can_add_escalation_information(user: Any, escalation: Any) -> bool:
    return is_escalation_recorder(user, escalation) and escalation.status in ("open", "acknowledged")


# -- audit trail -------------------------------------------------------------------

def can_view_audit(user: Any) -> bool:
    """The audit trail (read only; no route changes it): the national team and administrators."""
    return is_national(user) or is_admin(user)


PREDICATES = {
    name: fn for name, fn in dict(globals()).items() if name.startswith(("can_", "is_")) and callable(fn)
}

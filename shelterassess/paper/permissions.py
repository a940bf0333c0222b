"""Who may type paper sheets in: whoever may edit the assessment (self: the facility's staff;
peer: the team's members) or record the follow-up visit's results (the visiting team's members),
with the predicates of :mod:`shelterassess.auth.permissions`."""
from __future__ import annotations

from typing import Any

from shelterassess.assessments.area_form import could_edit_as_draft
from shelterassess.auth import permissions as perm

#: The assessment kinds whose paper sheet is reached through the assessment. A follow-up
#: assessment's sheet is the visit's: see the ``*_visit_*`` predicates below.
KINDS = ("self", "peer")


def can_view_for_paper(user: Any, assessment: Any) -> bool:
    """Whether the assessment is visible to ``user`` at all (if not, the paper pages are a 404)."""
    if assessment.kind == "self":
        return perm.can_view_assessment(user, assessment)
    if assessment.kind == "peer":
        return perm.can_view_peer_assessment(user, assessment)
    return False


def can_enter_paper_sheet(user: Any, assessment: Any) -> bool:
    """Type a paper sheet in, or resolve its two entries, now."""
    if assessment.kind == "self":
        return perm.can_edit_assessment(user, assessment)
    if assessment.kind == "peer":
        return perm.can_edit_peer_assessment(user, assessment)
    return False


def could_enter_paper_sheet(user: Any, assessment: Any) -> bool:
    """Whether ``user`` could type a paper sheet in were the assessment a draft in an open round:
    they see the paper pages of a submitted assessment, and why nothing can be saved."""
    return assessment.kind in KINDS and could_edit_as_draft(user, assessment)


def can_view_visit_for_paper(user: Any, visit: Any) -> bool:
    """Whether the follow-up visit is visible to ``user`` at all (if not, its paper pages are a 404);
    also who may print its blank sheet (the national team may print it for the team)."""
    return perm.can_view_follow_up_visit(user, visit)


def can_enter_visit_paper_sheet(user: Any, visit: Any) -> bool:
    """Type the visit's paper sheet in, or resolve its entries, now: whoever may record its results."""
    return perm.can_edit_follow_up_visit(user, visit)


def could_enter_visit_paper_sheet(user: Any, visit: Any) -> bool:
    """Whether ``user`` could record the visit's results were it not submitted (a member of the
    visiting team, not the national team): they see the paper pages of a submitted visit."""
    return not perm.is_national(user) and perm.is_team_member(user, visit.team)

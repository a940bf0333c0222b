"""Who may import an ODK submission into an assessment: whoever may edit it (self: the
facility's staff and manager; peer: the assessing team's members), with the predicates of
:mod:`shelterassess.auth.permissions`, as for paper sheets (:mod:`shelterassess.paper.permissions`).

A peer assessment's import is never reachable by the assessed facility's staff, nor by another
team: only the team and the national team see it at all (the others get a 404); the national
team reads but never imports (403).
"""
from __future__ import annotations

from typing import Any

from shelterassess.assessments.area_form import could_edit_as_draft
from shelterassess.auth import permissions as perm

#: The assessment kinds a submission can be imported into (an agreed assessment is reconciled,
#: a follow-up assessment is recorded on its visit).
KINDS = ("self", "peer")


def can_view_for_import(user: Any, assessment: Any) -> bool:
    """Whether the import page exists for ``user`` at all (if not: 404). For a peer assessment,
    the team and the national team only, whatever was released or submitted since."""
    if assessment.kind == "self":
        return perm.can_view_assessment(user, assessment)
    if assessment.kind == "peer":
        return perm.can_view_peer_assessment(user, assessment)
    return False


def can_import(user: Any, assessment: Any) -> bool:
    """Import into the assessment now: it is a draft in an open round that ``user`` may edit."""
    if assessment.kind == "self":
        return perm.can_edit_assessment(user, assessment)
    if assessment.kind == "peer":
        return perm.can_edit_peer_assessment(user, assessment)
    return False


def could_import(user: Any, assessment: Any) -> bool:
    """Whether ``user`` could import were the assessment a draft in an open round: they see the
    page of a submitted assessment, with the read-only message, rather than a 403."""
    return assessment.kind in KINDS and could_edit_as_draft(user, assessment)

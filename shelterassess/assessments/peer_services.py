"""Peer scoring, reconciliation into agreed scores, and release of results.

Services flush only; the request or CLI command commits once. Peer assessments are
filled with :func:`shelterassess.assessments.services.save_area` like self-assessments.
Access rules are checked by the callers (views) with :mod:`shelterassess.auth.permissions`.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from shelterassess.assessments import peer_queries, queries, services
from shelterassess.assessments.models import Assessment, AssessmentEvent, AssessmentKind
from shelterassess.assessments.reconciliation import AgreedEntry, Problem, ProblemKind, check_agreed
from shelterassess.auth.models import User
from shelterassess.db import utcnow
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.facilities.models import Facility
from shelterassess.peer.models import TeamAssignment
from shelterassess.rounds.models import Round

WITHDRAW_REASON_MIN = 5


@dataclass(frozen=True)
class AgreedInput:
    """What the reconciliation form sent for one indicator."""

    indicator_id: int
    value: int | None
    not_applicable: bool
    reason: str
    version: int | None


# -- peer scoring ----------------------------------------------------------------

def start_peer_assessment(session: Session, user: User, assignment: TeamAssignment) -> Assessment:
    """The team's peer assessment of the assigned facility in the team's round, created once
    (also when two members start it at the same moment)."""
    team = assignment.team
    existing = peer_queries.find_peer(session, team.id, assignment.facility_id, team.round_id)
    if existing is not None:
        return existing
    if not assignment.facility.active:
        raise ValidationFailed([(None, _("This facility is not active."))])
    return services.start_assessment(session, user, assignment.facility, team.round, AssessmentKind.PEER, team.id)


def submit_peer_assessment(session: Session, user: User, peer: Assessment) -> None:
    """Lock the team's peer assessment; every indicator must be answered."""
    if peer.kind != AssessmentKind.PEER.value:
        raise ValidationFailed([(None, _("This is not a peer assessment."))])
    services.submit(session, user, peer)


# -- reconciliation ----------------------------------------------------------------

def _ensure_available(data: peer_queries.ReconciliationData) -> None:
    if not data.available:
        raise ValidationFailed([(None, _("Reconciliation opens when the facility's self-assessment and at least "
                                         "one team's peer assessment are submitted."))])


def _problem_message(problem: Problem) -> tuple[str, str]:
    if problem.kind is ProblemKind.INVALID:
        return f"agreed-{problem.key}", _("%(code)s: choose an agreed score of 0, 1, 2 or 3 (or N/A where allowed).",
                                          code=problem.code)
    if problem.kind is ProblemKind.MISSING:
        return f"agreed-{problem.key}", _("%(code)s: choose the agreed score.", code=problem.code)
    if problem.kind is ProblemKind.REASON_TOO_LONG:
        return f"reason-{problem.key}", _("%(code)s: the reason is too long.", code=problem.code)
    return f"reason-{problem.key}", _("%(code)s: the scores differ by 2 or more (or on N/A); write the reason for "
                                      "the agreed score.", code=problem.code)


def _raise_problems(problems: list[Problem]) -> None:
    if problems:
        raise ValidationFailed([_problem_message(p) for p in problems])


def start_agreed_assessment(session: Session, user: User, facility: Facility, round_: Round) -> Assessment:
    """The facility's agreed assessment for the round (one per facility and round), created once."""
    existing = peer_queries.find_agreed(session, facility.id, round_.id)
    if existing is not None:
        return existing
    return services.start_assessment(session, user, facility, round_, AssessmentKind.AGREED)


def save_agreed(session: Session, user: User, facility: Facility, round_: Round,
                inputs: list[AgreedInput]) -> Assessment:
    """Save agreed scores and reasons as a draft. All or nothing: any invalid entry, any
    missing reason or any stale entry saves none."""
    data = peer_queries.reconciliation_data(session, facility, round_)
    _ensure_available(data)
    if data.agreed is not None and data.agreed.is_submitted:
        raise ValidationFailed([(None, _("The agreed assessment has been finalised and is read-only."))])
    rows = {int(r.ratings.key): r for r in data.rows}
    if any(item.indicator_id not in rows for item in inputs):
        raise ValidationFailed([(None, _("The form does not match this score sheet. Reload the page."))])
    entries = {str(i.indicator_id): AgreedEntry(i.value, i.not_applicable, i.reason.strip()) for i in inputs}
    given = [rows[i.indicator_id].ratings for i in inputs]
    _raise_problems(check_agreed(given, entries))
    agreed = data.agreed or start_agreed_assessment(session, user, facility, round_)
    scores = queries.scores_by_indicator(session, agreed)
    stale = [rows[i.indicator_id].indicator.code for i in inputs
             if i.version is not None and i.version != scores[i.indicator_id].version
             and _differs(scores[i.indicator_id], entries[str(i.indicator_id)])]
    if stale:
        raise StaleData(stale)
    changed = False
    for item in inputs:
        score, entry = scores[item.indicator_id], entries[str(item.indicator_id)]
        if _differs(score, entry):
            score.value, score.not_applicable, score.note = entry.value, entry.not_applicable, entry.reason
            score.updated_by_id = user.id
            changed = True
    if changed:
        agreed.updated_at = utcnow()
        session.add(AssessmentEvent(assessment_id=agreed.id, action="reconciled", user_id=user.id))
    session.flush()
    return agreed


def _differs(score, entry: AgreedEntry) -> bool:
    return (score.value, score.not_applicable, score.note) != (entry.value, entry.not_applicable, entry.reason)


def finalise_agreed(session: Session, user: User, facility: Facility, round_: Round) -> Assessment:
    """Submit the agreed assessment: every indicator agreed, every needed reason written.
    It becomes the facility's official result for the round (area results stored)."""
    data = peer_queries.reconciliation_data(session, facility, round_)
    _ensure_available(data)
    if data.agreed is None:
        raise ValidationFailed([(None, _("Save the agreed scores before finalising."))])
    entries = {
        r.ratings.key: AgreedEntry(r.agreed_score.value, r.agreed_score.not_applicable, r.agreed_score.note)
        for r in data.rows if r.agreed_score is not None
    }
    _raise_problems(check_agreed([r.ratings for r in data.rows], entries, complete=True))
    services.submit(session, user, data.agreed)
    return data.agreed


# -- release of results -------------------------------------------------------------

def _record_on_round(session: Session, user: User, round_: Round, action: str, reason: str = "") -> None:
    """Record a round-wide decision on every peer and agreed assessment of the round."""
    for assessment in peer_queries.round_assessments(session, round_.id, (AssessmentKind.PEER, AssessmentKind.AGREED)):
        session.add(AssessmentEvent(assessment_id=assessment.id, action=action, user_id=user.id, reason=reason))


def release_results(session: Session, user: User, round_: Round) -> None:
    """Let facilities see the peer and agreed scores of the round."""
    if round_.results_released_at is not None:
        raise ValidationFailed([(None, _("The results of this round are released already."))])
    round_.results_released_at = utcnow()
    _record_on_round(session, user, round_, "results_released")
    session.flush()


def withdraw_release(session: Session, user: User, round_: Round, reason: str) -> None:
    """Hide the peer and agreed scores from facilities again; who and why are recorded."""
    reason = reason.strip()
    if round_.results_released_at is None:
        raise ValidationFailed([(None, _("The results of this round are not released."))])
    if len(reason) < WITHDRAW_REASON_MIN:
        raise ValidationFailed([("reason", _("Say why the release is withdrawn."))])
    round_.results_released_at = None
    _record_on_round(session, user, round_, "release_withdrawn", reason)
    session.flush()

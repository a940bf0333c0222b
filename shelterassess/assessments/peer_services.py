"""Peer scoring, reconciliation into agreed scores, and release of results.

Services flush only; the request or CLI command commits once. Peer assessments are
filled with :func:`shelterassess.assessments.services.save_area` like self-assessments.
Access rules are checked by the callers (views) with :mod:`shelterassess.auth.permissions`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import format_date
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

VISIT_NOTE_MIN = 5
VISIT_NOTE_MAX = 1000


@dataclass(frozen=True)
class VisitInput:
    """The actual visit, given when the lead submits the peer assessment."""

    visited_on: dt.date
    note: str
    today: dt.date


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
    if assignment.is_withdrawn:
        raise ValidationFailed([(None, _("The national team withdrew this team's assignment."))])
    existing = peer_queries.find_peer(session, team.id, assignment.facility_id, team.round_id)
    if existing is not None:
        return existing
    if not assignment.facility.active:
        raise ValidationFailed([(None, _("This facility is not active."))])
    return services.start_assessment(session, user, assignment.facility, team.round, AssessmentKind.PEER, team.id)


def submit_peer_assessment(session: Session, user: User, peer: Assessment, visit: VisitInput) -> None:
    """Lock the team's peer assessment and record the day the team actually visited.

    Every indicator must be answered; the visit cannot be in the future nor before the
    round opened; a visit on another day than the planned one needs a note saying why
    (e.g. scoring before the planned visit)."""
    if peer.kind != AssessmentKind.PEER.value:
        raise ValidationFailed([(None, _("This is not a peer assessment."))])
    services.lock_assessment(session, peer)  # a finalisation reading this team's status waits for us
    if peer.is_withdrawn:
        raise ValidationFailed([(None, _("The national team withdrew this team's assignment; its peer assessment "
                                         "is not part of the result."))])
    assignment = peer.assignment
    _check_visit(peer, assignment.planned_visit_on if assignment else None, visit)
    services.submit(session, user, peer)
    if assignment is not None:
        assignment.visited_on = visit.visited_on
        assignment.visit_note = visit.note.strip()
    session.flush()


def _check_visit(peer: Assessment, planned: dt.date | None, visit: VisitInput) -> None:
    errors: list[tuple[str | None, str]] = []
    opened = peer.round.opened_at.date() if peer.round.opened_at else None
    if visit.visited_on > visit.today:
        errors.append(("visited_on", _("The visit date cannot be in the future.")))
    elif opened is not None and visit.visited_on < opened:
        errors.append(("visited_on", _("The visit date is before the round opened (%(date)s).",
                                       date=format_date(opened))))
    if planned is not None and visit.visited_on != planned and len(visit.note.strip()) < VISIT_NOTE_MIN:
        errors.append(("visit_note", _("The visit was planned for %(date)s. Say why the team visited on another day.",
                                       date=format_date(planned))))
    if len(visit.note) > VISIT_NOTE_MAX:
        errors.append(("visit_note", _("The note is longer than %(n)d characters.", n=VISIT_NOTE_MAX)))
    if errors:
        raise ValidationFailed(errors)


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
    missing reason or any stale entry saves none. The facility's result sources are locked
    first, so a finalisation or another save waits for this one (or this one for them)."""
    lock_result_sources(session, facility.id, round_.id)
    data = peer_queries.reconciliation_data(session, facility, round_)
    _ensure_available(data)
    if data.agreed is not None and data.agreed.is_submitted:
        raise ValidationFailed([(None, _("The agreed assessment has been finalised and is read-only."))])
    rows = {int(r.ratings.key): r for r in data.rows}
    if any(item.indicator_id not in rows for item in inputs):
        raise ValidationFailed([(None, services.form_mismatch_message())])
    entries = {str(i.indicator_id): AgreedEntry(i.value, i.not_applicable, i.reason.strip()) for i in inputs}
    given = [rows[i.indicator_id].ratings for i in inputs]
    _raise_problems(check_agreed(given, entries))
    agreed = data.agreed or start_agreed_assessment(session, user, facility, round_)
    user_id = user.id  # loaded now: reloading it mid-change would autoflush, bumping a version twice
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
            score.updated_by_id = user_id
            changed = True
    if changed:
        agreed.updated_at = utcnow()
        session.add(AssessmentEvent(assessment_id=agreed.id, action="reconciled", user_id=user_id))
    services.flush_or_stale(session, [rows[i.indicator_id].indicator.code for i in inputs])
    return agreed


#: Kept here too: the release, team and follow-up services import it from this module.
lock_result_sources = services.lock_result_sources


def _differs(score, entry: AgreedEntry) -> bool:
    return (score.value, score.not_applicable, score.note) != (entry.value, entry.not_applicable, entry.reason)


def finalise_agreed(session: Session, user: User, facility: Facility, round_: Round) -> Assessment:
    """Submit the agreed assessment: every indicator agreed, every needed reason written.
    It becomes the facility's official result for the round (area results stored)."""
    lock_result_sources(session, facility.id, round_.id)
    data = peer_queries.reconciliation_data(session, facility, round_)
    _ensure_available(data)
    if data.agreed is not None and data.agreed.is_submitted:
        raise ValidationFailed([(None, _("The agreed assessment has been finalised and is read-only."))])
    if data.pending_teams:
        raise ValidationFailed([(None, _(
            "Not every team has submitted: %(teams)s. Finalise once they have, or ask the national team to "
            "withdraw their assignment.", teams=", ".join(t.name for t in data.pending_teams)))])
    if data.agreed is None:
        raise ValidationFailed([(None, _("Save the agreed scores before finalising."))])
    entries = {
        r.ratings.key: AgreedEntry(r.agreed_score.value, r.agreed_score.not_applicable, r.agreed_score.note)
        for r in data.rows if r.agreed_score is not None
    }
    _raise_problems(check_agreed([r.ratings for r in data.rows], entries, complete=True))
    services.submit(session, user, data.agreed)
    return data.agreed

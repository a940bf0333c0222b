"""Follow-up visits: schedule, record results, submit, reopen. Flush only; the caller commits.

The new scores are a follow-up :class:`~shelterassess.assessments.models.Assessment` holding
Score rows for the plan's linked indicators only, created when the visit is scheduled (so
saving the form only ever updates rows). Results and scores carry version columns: a save
based on an older copy is refused (:class:`StaleData`), and so is a save that loses a race
at the database (SQLAlchemy's version check), instead of overwriting or failing with a 500.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from shelterassess.assessments import services as assessment_services
from shelterassess.assessments.domain import Answer, IndicatorSpec, InvalidAnswer, check_answer
from shelterassess.assessments.models import AreaResult, AssessmentEvent, AssessmentKind, AssessmentStatus, Score
from shelterassess.auth.models import User
from shelterassess.db import utcnow
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.followups import domain, queries
from shelterassess.followups.models import FollowUpActionResult, FollowUpVisit, VisitStatus
from shelterassess.peer.models import PeerTeam
from shelterassess.plans.models import ImprovementPlan
from shelterassess.scoresheets.models import EVIDENCE_SOURCES
from shelterassess.teams import domain as team_rules
from shelterassess.teams import queries as team_queries
from shelterassess.teams.domain import OtherTeam, RoundContext, RuleResult
from shelterassess.teams.services import TeamRulesFailed

NOTE_MAX_LENGTH = assessment_services.NOTE_MAX_LENGTH


@dataclass(frozen=True)
class ActionInput:
    """What the visit form sent for one action. ``outcome`` "" = not recorded yet."""

    action_id: int
    outcome: str
    note: str
    version: int | None


@dataclass(frozen=True)
class ScoreInput:
    """What the visit form sent for one linked indicator. ``value`` -1 = not a score at all."""

    indicator_id: int
    value: int | None
    not_applicable: bool
    evidence: tuple[str, ...]
    note: str
    version: int | None


# -- scheduling ---------------------------------------------------------------------

def schedule_visit(session: Session, user: User, plan: ImprovementPlan, team: PeerTeam | None,
                   planned_on: dt.date | None, today: dt.date) -> FollowUpVisit:
    """A follow-up visit of ``plan`` by ``team`` on ``planned_on``, with its follow-up assessment
    (the linked indicators only) and one empty result per action not dropped."""
    live = queries.live_actions(plan)
    errors = _schedule_errors(session, plan, team, planned_on, today, live)
    if errors:
        raise ValidationFailed(errors)
    rules = team_errors(session, team, plan)  # type: ignore[arg-type]
    if rules:
        raise TeamRulesFailed(rules)
    visit = FollowUpVisit(plan_id=plan.id, team_id=team.id, planned_on=planned_on, created_by_id=user.id)
    try:
        with session.begin_nested():
            session.add(visit)
            session.flush()
    except IntegrityError:
        raise ValidationFailed([(None, _("This plan already has a follow-up visit that is not submitted."))])
    assessment = assessment_services.start_assessment(
        session, user, plan.facility, plan.round, AssessmentKind.FOLLOW_UP,
        indicator_ids={i.id for i in queries.linked_indicators(live)})
    visit.assessment_id = assessment.id
    for action in live:
        session.add(FollowUpActionResult(visit_id=visit.id, action_id=action.id))
    session.flush()
    return visit


def team_errors(session: Session, team: PeerTeam, plan: ImprovementPlan) -> list[RuleResult]:
    """The peer-team rules (``teams/domain.py``) applied to a follow-up: a valid team (size, lead,
    certified members, each from a facility), no member from the visited facility, and no two
    facilities following each other up in the plan's round. Errors only: the composition warnings
    were confirmed when the team was formed."""
    visited = plan.facility_id
    members = team_queries.plan_of(session, team)
    others: dict[int, OtherTeam] = {}
    for other, facility_id in queries.follow_up_teams_of_round(session, plan.round_id, plan.id):
        known = others.get(other.id)
        facility_ids = (known.facility_ids if known else frozenset()) | {facility_id}
        member_facilities = frozenset(m.user.facility_id for m in other.members if m.user.facility_id)
        others[other.id] = OtherTeam(other.id, other.name, member_facilities, facility_ids)
    context = RoundContext(others=tuple(others.values()), facility_codes=queries.facility_codes(session))
    results = (team_rules.check_composition(members)
               + team_rules.check_member_conflicts(members, {visited}, context)
               + team_rules.check_reciprocal(members, {visited}, context))
    return team_rules.errors(results)


def _schedule_errors(session, plan, team, planned_on, today, live) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    if plan.status not in queries.VISITABLE_PLAN_STATUSES:
        errors.append((None, _("Only an accepted plan, or one in progress, can have a follow-up visit.")))
    elif not live:
        errors.append((None, _("Every action of this plan was dropped: there is nothing to follow up.")))
    existing = queries.open_visit(session, plan.id)
    if existing is not None:
        errors.append((None, _("This plan already has a follow-up visit that is not submitted (team %(team)s).",
                               team=existing.team.name)))
    if team is None:
        errors.append(("team_id", _("Choose the team that visits.")))
    if planned_on is None:
        errors.append(("planned_on", _("Give the planned date of the visit.")))
    elif planned_on < today:
        errors.append(("planned_on", _("The planned date cannot be in the past.")))
    return errors


# -- the visit form -------------------------------------------------------------------

def _lock(session: Session, visit: FollowUpVisit) -> None:
    """Lock the visit's follow-up assessment (see :func:`assessment_services.lock_assessment`) and
    re-read the visit: saving, submitting and reopening it then happen one after the other."""
    if visit.assessment is not None:
        assessment_services.lock_assessment(session, visit.assessment)


def _ensure_editable(visit: FollowUpVisit) -> None:
    if visit.status == VisitStatus.SUBMITTED.value:
        raise ValidationFailed([(None, _("This follow-up visit was submitted and is read-only."))])


def save_results(session: Session, user: User, visit: FollowUpVisit, actions: list[ActionInput],
                 scores: list[ScoreInput]) -> None:
    """Save what the visit found. All or nothing: any invalid, unknown or stale entry saves none."""
    _lock(session, visit)
    _ensure_editable(visit)
    data = queries.visit_data(session, visit)
    rows = {r.action.id: r for r in data.actions}
    indicators = {r.indicator.id: r for r in data.indicators}
    if any(a.action_id not in rows for a in actions) or any(s.indicator_id not in indicators for s in scores):
        raise ValidationFailed([(None, _("The form names an action or an indicator this visit does not check "
                                         "(the plan may have changed). Nothing was saved: reload the page."))])
    errors = [e for a in actions for e in _action_errors(rows[a.action_id].number, a)]
    errors += [e for s in scores for e in _score_errors(indicators[s.indicator_id].indicator, s)]
    if errors:
        raise ValidationFailed(errors)
    stale = [_("action %(n)d", n=rows[a.action_id].number) for a in actions if _stale(rows[a.action_id].result, a)]
    stale += [indicators[s.indicator_id].indicator.code for s in scores
              if _stale(indicators[s.indicator_id].score, s)]
    if stale:
        raise StaleData(stale)
    _apply_all(session, user, visit, data, actions, scores)
    if visit.status == VisitStatus.PLANNED.value:
        visit.status = VisitStatus.IN_PROGRESS.value
    _flush_or_stale(session)


def _action_errors(number: int, item: ActionInput) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    if item.outcome and item.outcome not in domain.OUTCOMES:
        errors.append((f"outcome-{item.action_id}", _(
            "Action %(n)d: choose implemented, partly implemented, not implemented or no longer relevant.", n=number)))
    if len(item.note) > NOTE_MAX_LENGTH:
        errors.append((f"anote-{item.action_id}", _("Action %(n)d: the note is longer than %(max)d characters.",
                                                    n=number, max=NOTE_MAX_LENGTH)))
    return errors


def _score_errors(indicator, item: ScoreInput) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    try:
        check_answer(IndicatorSpec(indicator.key, indicator.critical, indicator.na_allowed),
                     Answer(item.value, item.not_applicable))
    except InvalidAnswer:
        errors.append((f"score-{indicator.id}", _("%(code)s: choose 0, 1, 2 or 3%(na)s.", code=indicator.code,
                                                  na=_(" or N/A") if indicator.na_allowed else "")))
    if any(e not in EVIDENCE_SOURCES for e in item.evidence):
        errors.append((f"evidence-{indicator.id}", _("%(code)s: unknown evidence source.", code=indicator.code)))
    if len(item.note) > NOTE_MAX_LENGTH:
        errors.append((f"note-{indicator.id}", _("%(code)s: the note is longer than %(n)d characters.",
                                                 code=indicator.code, n=NOTE_MAX_LENGTH)))
    return errors


def _content(row) -> tuple:
    if row is None:
        return (None, "")
    if isinstance(row, FollowUpActionResult):
        return (row.outcome or None, row.note)
    return (row.value, row.not_applicable, row.evidence_list, row.note)


def _wanted(item) -> tuple:
    if isinstance(item, ActionInput):
        return (item.outcome or None, item.note)
    evidence = [e for e in EVIDENCE_SOURCES if e in item.evidence]
    return (item.value, item.not_applicable, evidence, item.note)


def _stale(row, item) -> bool:
    """The form was based on an older copy of ``row`` and would change it."""
    return (row is not None and item.version is not None and item.version != row.version
            and _content(row) != _wanted(item))


def _apply_all(session: Session, user: User, visit: FollowUpVisit, data: queries.VisitData,
               actions: list[ActionInput], scores: list[ScoreInput]) -> None:
    user_id = user.id  # loaded now: reloading it mid-change would autoflush, bumping a version twice
    results = {r.action.id: r.result for r in data.actions}
    for item in actions:
        row = results[item.action_id]
        if row is None:  # an action added to the plan after the visit was scheduled
            row = FollowUpActionResult(visit_id=visit.id, action_id=item.action_id)
            session.add(row)
        if _content(row) != _wanted(item):
            row.outcome, row.note = item.outcome or None, item.note
    found = {r.indicator.id: r.score for r in data.indicators}
    for item in scores:
        score = found[item.indicator_id]
        if score is None:  # an indicator linked after the visit was scheduled
            score = Score(assessment_id=visit.assessment_id, indicator_id=item.indicator_id)
            session.add(score)
        if _content(score) != _wanted(item):
            score.value, score.not_applicable, score.note = item.value, item.not_applicable, item.note
            score.evidence = ",".join(_wanted(item)[2])
            score.updated_by_id = user_id


def _flush_or_stale(session: Session) -> None:
    """Flush; a row someone else changed or created in the meantime refuses the whole save."""
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        raise StaleData([])


# -- submitting and reopening ------------------------------------------------------------

def submit_visit(session: Session, user: User, visit: FollowUpVisit, visited_on: dt.date | None,
                 today: dt.date) -> None:
    """Lock the visit: every action has an outcome, every linked indicator a score or N/A, and the
    day of the visit is given (not in the future, not before the plan was accepted). Stores the
    follow-up's area results for the areas it re-scored."""
    _lock(session, visit)
    _ensure_editable(visit)
    data = queries.visit_data(session, visit)
    errors = _visit_date_errors(visit, visited_on, today) + _missing_errors(data)
    if errors:
        raise ValidationFailed(errors)
    _store_results(session, user, data)
    visit.status = VisitStatus.SUBMITTED.value
    visit.visited_on, visit.submitted_at, visit.submitted_by_id = visited_on, utcnow(), user.id
    # Touch every row the submission was checked against: a save racing with it fails one of the two.
    for row in [r.result for r in data.actions if r.result] + [r.score for r in data.indicators if r.score]:
        flag_modified(row, "note")
    _flush_or_stale(session)


def _visit_date_errors(visit: FollowUpVisit, visited_on: dt.date | None, today: dt.date):
    if visited_on is None:
        return [("visited_on", _("Give the day of the visit."))]
    if visited_on > today:
        return [("visited_on", _("The visit date cannot be in the future."))]
    accepted = visit.plan.decided_at.date() if visit.plan.decided_at else None
    if accepted is not None and visited_on < accepted:
        return [("visited_on", _("The visit date is before the plan was accepted (%(date)s).",
                                 date=format_date(accepted)))]
    return []


def _missing_errors(data: queries.VisitData) -> list[tuple[str | None, str]]:
    actions, indicators = domain.missing_answers(data.findings(), data.after(),
                                                 [r.indicator.key for r in data.indicators])
    numbers = {r.action.id: r.number for r in data.actions}
    codes = {r.indicator.key: r.indicator.code for r in data.indicators}
    errors: list[tuple[str | None, str]] = []
    if actions:
        errors.append((None, _("Record what was found for every action before submitting. Missing: %(list)s.",
                               list=", ".join(_("action %(n)d", n=numbers[a]) for a in actions))))
    if indicators:
        errors.append((None, _("Give a new score (or N/A) for every linked indicator before submitting. "
                               "Missing: %(list)s.", list=", ".join(codes[k] for k in indicators))))
    return errors


def _store_results(session: Session, user: User, data: queries.VisitData) -> None:
    assessment = data.visit.assessment
    sheet = data.plan.round.sheet
    specs = queries.area_specs_by_key(sheet)
    before, after = queries.agreed_answers(session, data.plan), data.after()
    areas = {a.key: a for a in sheet.areas}
    assessment.area_results = [
        AreaResult(area_id=areas[s.key].id, position=pos, percentage=s.percentage, applicable=s.applicable,
                   total=s.total)
        for pos, s in domain.after_area_scores(specs, before, after)
    ]
    overall = domain.before_after(specs, before, after).overall_after
    assessment.overall_percentage = None if overall is None else float(overall)
    assessment.red_flag_count = len(domain.red_flags_after(specs, after))
    assessment.status = AssessmentStatus.SUBMITTED.value
    assessment.submitted_at, assessment.submitted_by_id = utcnow(), user.id
    session.add(AssessmentEvent(assessment_id=assessment.id, action="submitted", user_id=user.id))


def reopen_visit(session: Session, user: User, visit: FollowUpVisit, reason: str) -> None:
    """The national team unlocks a submitted visit; who, when and why are recorded on its assessment."""
    _lock(session, visit)
    if visit.status != VisitStatus.SUBMITTED.value:
        raise ValidationFailed([(None, _("Only a submitted follow-up visit can be reopened."))])
    assessment_services.reopen(session, user, visit.assessment, reason)
    visit.status = VisitStatus.IN_PROGRESS.value
    visit.submitted_at = None
    visit.submitted_by_id = None
    _flush_or_stale(session)

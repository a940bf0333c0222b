"""Improvement plans: drafting a plan from the finalised agreed result, the workflow
(share, accept or return, start, close, reopen) and the facility's progress reports.
Changes to actions are in :mod:`.action_services`.

Services flush only; the request or CLI command commits once. Every change is recorded as
a :class:`PlanEvent` (who, when, what). Every change also bumps the plan's version
(``version_id_col``), so two requests changing the same plan at the same moment cannot both
commit: the second one's flush raises SQLAlchemy's ``StaleDataError``, turned into
:class:`~shelterassess.errors.StaleData` here. Access rules are checked by the views.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from shelterassess.assessments import peer_queries
from shelterassess.assessments.models import Assessment
from shelterassess.auth.models import User
from shelterassess.cases import queries as case_queries
from shelterassess.db import utcnow
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.facilities.models import Facility
from shelterassess.i18n import localized
from shelterassess.plans import changes, domain, labels, queries
from shelterassess.plans.models import ActionProgressNote, ImprovementPlan, PlanAction, PlanEvent
from shelterassess.rounds.models import Round

CASE_KEYS_MAX = 400


# -- shared by the plan services --------------------------------------------------------------

def refuse(problems: list[domain.Problem]) -> None:
    """Raise ValidationFailed with the translated messages, when there are problems."""
    if problems:
        raise ValidationFailed([(p.field, labels.problem_message(p)) for p in problems])


def record(session: Session, plan: ImprovementPlan, user: User | None, code: str, detail: str = "",
           action: PlanAction | None = None) -> None:
    session.add(PlanEvent(plan_id=plan.id, action_id=action.id if action else None,
                          user_id=user.id if user else None, action=code, detail=detail))


def touch(plan: ImprovementPlan) -> None:
    """Mark the plan changed: its version goes up with the flush (see the module docstring)."""
    plan.updated_at = utcnow()


def flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        raise StaleData(["plan"]) from error


def ensure_editable(plan: ImprovementPlan) -> None:
    if domain.is_editable(plan.status):
        return
    if plan.status == domain.SHARED:
        message = _("The plan is shared with the facility: it cannot change until the facility manager returns it.")
    elif plan.status == domain.CLOSED:
        message = _("The plan is closed.")
    else:
        message = _("The facility accepted this plan: it changes only after the national team reopens it.")
    raise ValidationFailed([(None, message)])


def _transition(plan: ImprovementPlan, transition: str) -> str:
    try:
        return domain.next_status(plan.status, transition)
    except domain.InvalidTransition:
        raise ValidationFailed([(None, _("This cannot be done while the plan is “%(status)s”.",
                                         status=labels.label(labels.PLAN_STATUS, plan.status)))]) from None


# -- drafting ---------------------------------------------------------------------------------

def create_plan(session: Session, user: User, facility: Facility, round_: Round) -> ImprovementPlan:
    """The facility's plan for the round, drafted from its finalised agreed result with one
    proposed action per weak indicator (:func:`domain.proposals`). One plan per facility and
    round: an existing plan is returned, also when someone else creates it at the same moment
    (the unique constraint refuses the second row and the row that won is returned)."""
    existing = queries.plan_for(session, facility.id, round_.id)
    if existing is not None:
        return existing
    agreed = peer_queries.official_result(session, facility.id, round_.id)
    if agreed is None:
        raise ValidationFailed([(None, _(
            "The agreed result of %(facility)s for %(round)s is not finalised yet. The plan is drafted from the "
            "finalised agreed result: the team lead finalises it first.", facility=facility.code, round=round_.name))])
    plan = ImprovementPlan(facility_id=facility.id, round_id=round_.id, agreed_id=agreed.id, created_by_id=user.id,
                           status=domain.DRAFT)
    try:
        with session.begin_nested():
            session.add(plan)
            session.flush()
    except IntegrityError:
        existing = queries.plan_for(session, facility.id, round_.id)
        if existing is None:
            raise
        return existing
    count = _add_proposals(session, plan, agreed)
    record(session, plan, user, "created", str(count))
    session.flush()
    return plan


def _add_proposals(session: Session, plan: ImprovementPlan, agreed: Assessment) -> int:
    indicators = {ind.id: ind for ind in agreed.round.sheet.indicators}
    proposed = domain.proposals(queries.agreed_indicators(session, agreed))
    for position, proposal in enumerate(proposed, start=1):
        indicator = indicators[proposal.indicator_id]
        target = next((lv for lv in indicator.levels if lv.level == proposal.value + 1), None)
        cases = ",".join(link.case for link in case_queries.links_for(indicator.key))
        session.add(PlanAction(
            plan_id=plan.id, position=position, indicators=[indicator],
            description=_("Reach level %(level)d on %(code)s: %(descriptor)s", level=proposal.value + 1,
                          code=indicator.code, descriptor=localized(target, "descriptor") if target else ""),
            category=domain.suggested_category(indicator.area.key), case_keys=cases[:CASE_KEYS_MAX],
        ))
    return len(proposed)


# -- workflow ---------------------------------------------------------------------------------

def share(session: Session, user: User, plan: ImprovementPlan) -> None:
    """The facility sees the plan; its manager accepts or returns it."""
    status = _transition(plan, "share")
    refuse(domain.share_problems(plan.actions))
    plan.status, plan.shared_at = status, utcnow()
    record(session, plan, user, "shared")
    touch(plan)
    flush(session)


def accept(session: Session, user: User, plan: ImprovementPlan) -> None:
    plan.status = _transition(plan, "accept")
    plan.decided_at, plan.decided_by_id = utcnow(), user.id
    record(session, plan, user, "accepted")
    touch(plan)
    flush(session)


def return_plan(session: Session, user: User, plan: ImprovementPlan, comment: str) -> None:
    """Back to the team with the manager's comments; the team changes it and shares it again."""
    status = _transition(plan, "return")
    comment = (comment or "").strip()
    if len(comment) < domain.REASON_MIN:
        refuse([domain.Problem("comment", "comment_missing", (("min", domain.REASON_MIN),))])
    if len(comment) > domain.COMMENT_MAX:
        refuse([domain.Problem("comment", "too_long", (("max", domain.COMMENT_MAX),))])
    plan.status, plan.return_comment = status, comment
    plan.decided_at, plan.decided_by_id = utcnow(), user.id
    record(session, plan, user, "returned", comment)
    touch(plan)
    flush(session)


def start(session: Session, user: User, plan: ImprovementPlan) -> None:
    plan.status = _transition(plan, "start")
    record(session, plan, user, "started")
    touch(plan)
    flush(session)


def close(session: Session, user: User, plan: ImprovementPlan) -> None:
    plan.status = _transition(plan, "close")
    plan.closed_at = utcnow()
    record(session, plan, user, "closed")
    touch(plan)
    flush(session)


def reopen(session: Session, user: User, plan: ImprovementPlan, reason: str) -> None:
    """An accepted plan back to draft, with the reason recorded: the team changes it, shares it
    again and the manager accepts it again. Progress notes and statuses stay."""
    status = _transition(plan, "reopen")
    refuse(domain.reason_problems(reason, "reason"))
    plan.status = status
    record(session, plan, user, "reopened", reason.strip())
    touch(plan)
    flush(session)


# -- progress -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProgressInput:
    """A progress report on one action: a status (None: not changed, or not the user's to change),
    the reason when dropped, and a dated note."""

    status: str | None
    drop_reason: str
    noted_on: dt.date | None
    note: str
    today: dt.date
    version: int | None = None


def report_progress(session: Session, user: User, action: PlanAction, item: ProgressInput) -> None:
    """Record a note and/or a new status. Once accepted, the facility reports progress without a
    reopen; the first action in progress or done puts an accepted plan in progress."""
    plan = action.plan
    if not domain.takes_progress(plan.status):
        raise ValidationFailed([(None, _("Progress is reported once the facility has accepted the plan, until it "
                                         "is closed."))])
    note = (item.note or "").replace("\r\n", "\n").strip()
    new_reason = item.status == domain.DROPPED and item.drop_reason.strip() != action.drop_reason
    status_changed = item.status is not None and (item.status != action.status or new_reason)
    problems = _progress_problems(item, note, status_changed)
    refuse(problems)
    if status_changed and item.version is not None and item.version != action.version:
        raise StaleData([str(action.position)])
    if status_changed:
        _set_status(session, user, plan, action, item)
    if note:
        action.notes.append(ActionProgressNote(noted_on=item.noted_on or item.today, text=note, user_id=user.id))
        record(session, plan, user, "note_added", changes.change_lines(
            [("note", "", f"{(item.noted_on or item.today).isoformat()} {note}")]), action)
    touch(plan)
    flush(session)


def _progress_problems(item: ProgressInput, note: str, status_changed: bool) -> list[domain.Problem]:
    problems: list[domain.Problem] = []
    if item.status is not None and item.status not in domain.ACTION_STATUSES:
        problems.append(domain.Problem("status", "status_unknown"))
    elif status_changed and item.status == domain.DROPPED:
        problems += domain.reason_problems(item.drop_reason)
    if note and len(note) > domain.NOTE_MAX:
        problems.append(domain.Problem("note", "too_long", (("max", domain.NOTE_MAX),)))
    if note and item.noted_on is not None and item.noted_on > item.today:
        problems.append(domain.Problem("noted_on", "note_date_future"))
    if not note and not status_changed:
        problems.append(domain.Problem("note", "note_missing"))
    return problems


def _set_status(session: Session, user: User, plan: ImprovementPlan, action: PlanAction,
                item: ProgressInput) -> None:
    before = {"status": action.status, "drop_reason": action.drop_reason}
    action.status = item.status
    action.drop_reason = item.drop_reason.strip() if item.status == domain.DROPPED else ""
    after = {"status": action.status, "drop_reason": action.drop_reason}
    record(session, plan, user, "action_status", changes.change_lines(changes.changes(before, after)), action)
    if domain.starts_work(plan.status, action.status):
        plan.status = domain.next_status(plan.status, "start")
        record(session, plan, user, "started", changes.change_lines([("status", domain.ACCEPTED, domain.IN_PROGRESS)]),
               action)

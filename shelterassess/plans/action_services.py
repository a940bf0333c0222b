"""Changing the actions of a draft or returned plan: add, edit (optimistic locking), merge,
drop with a reason, restore, reorder. Flush only; every change recorded and the plan's
version bumped (see :mod:`.services`)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shelterassess.auth.models import User
from shelterassess.cases import queries as case_queries
from shelterassess.db import utcnow
from shelterassess.errors import StaleData, ValidationFailed
from shelterassess.followups.models import FollowUpActionResult
from shelterassess.plans import changes, domain, queries
from shelterassess.plans.models import ImprovementPlan, PlanAction
from shelterassess.plans.services import CASE_KEYS_MAX, ensure_editable, flush, record, refuse, touch
from shelterassess.scoresheets.models import Indicator


@dataclass(frozen=True)
class ActionInput:
    """What the action form sent. ``cost`` is the text typed (parsed by :func:`.money.parse_cost`);
    ``version`` is the action's version the form was based on (None for a new action)."""

    description: str
    responsible_role: str = ""
    responsible_name: str = ""
    start_on: dt.date | None = None
    due_on: dt.date | None = None
    cost: str = "0"
    category: str = domain.OTHER
    skill_id: int | None = None
    indicator_ids: tuple[int, ...] = ()
    case_keys: tuple[str, ...] = ()
    practice_id: int | None = None
    version: int | None = None


def snapshot(action: PlanAction) -> dict[str, str]:
    """The action as language-neutral text, field by field: what is compared and recorded."""
    return _snapshot(action.description, action.responsible_role, action.responsible_name, action.start_on,
                     action.due_on, action.cost_vnd, action.category, action.skill.key if action.skill else "",
                     [i.code for i in action.indicators], action.case_key_list, action.practice_id,
                     action.status, action.drop_reason)


def _snapshot(description, role, name, start_on, due_on, cost, category, skill_key, codes, cases, practice_id,
              status, drop_reason) -> dict[str, str]:
    return {
        "description": description.strip(), "responsible": " / ".join(x for x in (role, name.strip()) if x),
        "start_on": start_on.isoformat() if start_on else "", "due_on": due_on.isoformat() if due_on else "",
        "cost_vnd": str(cost), "category": category, "skill": skill_key, "indicators": ", ".join(codes),
        "cases": ", ".join(cases), "practice": str(practice_id or ""), "status": status, "drop_reason": drop_reason,
    }


# -- validation ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Valid:
    cost: int
    indicators: list[Indicator]
    skill_id: int | None
    skill_key: str


def _validate(session: Session, plan: ImprovementPlan, item: ActionInput,
              current_skill_id: int | None = None) -> _Valid:
    skills = {s.id: s for s in queries.active_skills(session, current_skill_id)}
    indicators = {i.id: i for i in queries.sheet_indicators(plan)}
    rules = domain.ActionRules(frozenset(indicators), frozenset(skills))
    cost, problems = domain.check_action(domain.ActionFields(
        item.description, item.responsible_role, item.responsible_name, item.start_on, item.due_on, item.cost,
        item.category, item.skill_id, item.indicator_ids), rules)
    unknown_case = any(case_queries.case_by_slug(k) is None for k in item.case_keys)
    if unknown_case or len(",".join(item.case_keys)) > CASE_KEYS_MAX:
        problems.append(domain.Problem("case_keys", "cases_unknown"))
    if item.practice_id is not None and item.practice_id not in {p.id for p in queries.published_practices(session)}:
        problems.append(domain.Problem("practice_id", "practice_unknown"))
    refuse(problems)
    skill_id = item.skill_id if item.category == domain.CAPACITY_BUILDING else None
    return _Valid(cost, [indicators[i] for i in dict.fromkeys(item.indicator_ids)], skill_id,
                  skills[skill_id].key if skill_id else "")


def _apply(action: PlanAction, item: ActionInput, valid: _Valid) -> None:
    action.description = item.description.strip()
    action.responsible_role = item.responsible_role
    action.responsible_name = item.responsible_name.strip()
    action.start_on, action.due_on = item.start_on, item.due_on
    action.cost_vnd = valid.cost
    action.category, action.skill_id = item.category, valid.skill_id
    action.indicators = sorted(valid.indicators, key=lambda i: (i.area.position, i.position))
    action.case_keys = ",".join(item.case_keys)
    action.practice_id = item.practice_id
    action.updated_at = utcnow()  # an UPDATE (and a new version) even when only the indicators change


def _proposed(action: PlanAction, item: ActionInput, valid: _Valid) -> dict[str, str]:
    codes = [i.code for i in sorted(valid.indicators, key=lambda i: (i.area.position, i.position))]
    return _snapshot(item.description, item.responsible_role, item.responsible_name, item.start_on, item.due_on,
                     valid.cost, item.category, valid.skill_key, codes, list(item.case_keys), item.practice_id,
                     action.status, action.drop_reason)


# -- add and edit ----------------------------------------------------------------------------------

def add_action(session: Session, user: User, plan: ImprovementPlan, item: ActionInput) -> PlanAction:
    ensure_editable(plan)
    valid = _validate(session, plan, item)
    action = PlanAction(position=max((a.position for a in plan.actions), default=0) + 1)
    _apply(action, item, valid)
    plan.actions.append(action)
    session.flush()
    record(session, plan, user, "action_added", changes.change_lines(changes.changes({}, snapshot(action))), action)
    touch(plan)
    flush(session)
    return action


def save_action(session: Session, user: User, action: PlanAction, item: ActionInput) -> PlanAction:
    """Save an edited action. Refused with :class:`StaleData` when someone saved it since the form
    was opened (``item.version`` older than the stored one) and the two copies differ, or when
    someone saves it at the same moment (the flush finds the version changed)."""
    plan = action.plan
    ensure_editable(plan)
    valid = _validate(session, plan, item, action.skill_id)
    before, after = snapshot(action), _proposed(action, item, valid)
    if item.version is not None and item.version != action.version and after != before:
        raise StaleData([str(action.position)])
    if after == before:
        return action
    _apply(action, item, valid)
    record(session, plan, user, "action_edited", changes.change_lines(changes.changes(before, after)), action)
    touch(plan)
    flush(session)
    return action


# -- merge, drop, restore, move ------------------------------------------------------------------

def _source(action: PlanAction) -> domain.MergeSource:
    return domain.MergeSource(
        id=action.id, position=action.position, description=action.description,
        indicator_ids=tuple(i.id for i in action.indicators), cost_vnd=action.cost_vnd, category=action.category,
        skill_id=action.skill_id, start_on=action.start_on, due_on=action.due_on,
        responsible_role=action.responsible_role, responsible_name=action.responsible_name,
        case_keys=tuple(action.case_key_list), practice_id=action.practice_id, status=action.status)


def merge_actions(session: Session, user: User, plan: ImprovementPlan, action_ids: list[int]) -> PlanAction:
    """One action from several (the rule: :func:`domain.merge`). The first in plan order is kept."""
    ensure_editable(plan)
    chosen = [a for a in plan.actions if a.id in set(action_ids)]
    if len(chosen) != len(set(action_ids)):
        refuse([domain.Problem("action_ids", "merge_unknown")])
    try:
        merged = domain.merge([_source(a) for a in chosen])
    except domain.MergeRefused as refused:
        refuse([domain.Problem("action_ids", refused.code, (("max", domain.MAX_COST_VND),))])
    _ensure_not_followed_up(session, list(merged.remove_ids))
    numbers = {a.id: n for n, a in enumerate(plan.actions, start=1)}
    keep = next(a for a in chosen if a.id == merged.keep_id)
    before = snapshot(keep)
    _apply_merge(keep, merged, {i.id: i for a in chosen for i in a.indicators})
    for gone in [a for a in chosen if a.id != keep.id]:
        for note in list(gone.notes):
            note.action = keep
        plan.actions.remove(gone)
    _renumber(plan.actions)
    merged_numbers = ", ".join(str(numbers[a.id]) for a in chosen)
    detail = [("actions", merged_numbers, str(numbers[keep.id])), *changes.changes(before, snapshot(keep))]
    record(session, plan, user, "actions_merged", changes.change_lines(detail), keep)
    touch(plan)
    flush(session)
    return keep


def _apply_merge(keep: PlanAction, merged: domain.Merged, indicators: dict[int, Indicator]) -> None:
    keep.description = merged.description
    keep.indicators = sorted((indicators[i] for i in merged.indicator_ids), key=lambda i: (i.area.position, i.position))
    keep.cost_vnd, keep.skill_id = merged.cost_vnd, merged.skill_id
    keep.start_on, keep.due_on = merged.start_on, merged.due_on
    keep.responsible_role, keep.responsible_name = merged.responsible_role, merged.responsible_name
    keep.case_keys = ",".join(merged.case_keys)[:CASE_KEYS_MAX]
    keep.practice_id = merged.practice_id
    keep.updated_at = utcnow()


def _ensure_not_followed_up(session: Session, action_ids: list[int]) -> None:
    if action_ids and session.scalar(select(func.count(FollowUpActionResult.id))
                                     .where(FollowUpActionResult.action_id.in_(action_ids))):
        raise ValidationFailed([(None, _("A follow-up visit recorded results for one of these actions, so it "
                                         "cannot be merged away."))])


def _renumber(actions: list[PlanAction]) -> None:
    for position, action in enumerate(actions, start=1):
        if action.position != position:
            action.position = position


def drop_action(session: Session, user: User, action: PlanAction, reason: str, version: int | None = None) -> None:
    """Drop an action of a draft plan with a reason; it stays listed (and can be restored) but
    costs nothing in the funding request."""
    plan = action.plan
    ensure_editable(plan)
    refuse(domain.reason_problems(reason))
    if version is not None and version != action.version:
        raise StaleData([str(action.position)])
    action.status, action.drop_reason = domain.DROPPED, reason.strip()
    record(session, plan, user, "action_dropped", reason.strip(), action)
    touch(plan)
    flush(session)


def restore_action(session: Session, user: User, action: PlanAction) -> None:
    plan = action.plan
    ensure_editable(plan)
    if action.status != domain.DROPPED:
        return
    before = {"status": action.status, "drop_reason": action.drop_reason}
    action.status, action.drop_reason = domain.PLANNED, ""
    record(session, plan, user, "action_restored",
           changes.change_lines(changes.changes(before, {"status": action.status, "drop_reason": ""})), action)
    touch(plan)
    flush(session)


def move_action(session: Session, user: User, action: PlanAction, offset: int) -> None:
    """Move an action up (-1) or down (+1) in the plan."""
    plan = action.plan
    ensure_editable(plan)
    order = domain.move([a.id for a in plan.actions], action.id, offset)
    before = next(n for n, a in enumerate(plan.actions, start=1) if a.id == action.id)
    after = order.index(action.id) + 1
    if before == after:
        return
    by_id = {a.id: a for a in plan.actions}
    for position, action_id in enumerate(order, start=1):
        by_id[action_id].position = position
    record(session, plan, user, "action_moved", changes.change_lines([("position", str(before), str(after))]), action)
    touch(plan)
    flush(session)

"""Improvement-plan rules. Pure Python: no Flask, no database.

* **Proposals** (:func:`proposals`): one action per indicator of the finalised agreed result
  that has a red flag (a critical indicator at or below its red-flag level), then one per other indicator scored
  0 or 1: critical first, then lower score first, then score-sheet order (area position,
  indicator position). Indicators marked N/A or left unscored are never proposed.
* **Validation** of an action (:func:`check_action`) and of a plan about to be shared
  (:func:`share_problems`) returns :class:`Problem` codes; services turn them into messages.
* **Money** is whole Vietnamese đồng, read by :func:`shelterassess.plans.money.parse_cost`.
* **Workflow** (:data:`TRANSITIONS`): draft → shared → accepted | returned; returned → shared;
  accepted → in progress → closed; accepted or in progress → draft only by a recorded reopen.
* **Funding request** per category (:func:`funding_request`): the sum of the costs of the
  actions that are not dropped. **Overdue** (:func:`is_overdue`): due before today and still
  planned or in progress.
* **Merge** (:func:`merge`): see its docstring (and docs/decisions.md).
* The history's ``field: old → new`` lines: :mod:`shelterassess.plans.changes`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

from shelterassess.assessments.domain import is_red_flag
from shelterassess.plans.money import MAX_COST_VND, CostError, parse_cost

# -- vocabularies (the same values as the enums of plans/models.py) ---------------------

DRAFT, SHARED, RETURNED, ACCEPTED, IN_PROGRESS, CLOSED = (
    "draft", "shared", "returned", "accepted", "in_progress", "closed")
PLAN_STATUSES = (DRAFT, SHARED, RETURNED, ACCEPTED, IN_PROGRESS, CLOSED)

PLANNED, ACTION_IN_PROGRESS, DONE, DROPPED = "planned", "in_progress", "done", "dropped"
ACTION_STATUSES = (PLANNED, ACTION_IN_PROGRESS, DONE, DROPPED)
#: Statuses in which an action still has to be carried out (and can be overdue).
OPEN_ACTION_STATUSES = (PLANNED, ACTION_IN_PROGRESS)

CAPACITY_BUILDING, FACILITIES_IMPROVEMENT, OTHER = "capacity_building", "facilities_improvement", "other"
CATEGORIES = (CAPACITY_BUILDING, FACILITIES_IMPROVEMENT, OTHER)

#: Who at the facility is responsible for an action (a named person may be given as well).
RESPONSIBLE_ROLES = ("facility_manager", "deputy_manager", "social_worker", "counsellor", "case_manager",
                     "health_worker", "all_staff")

#: Highest agreed score that gets a proposed action.
PROPOSE_UP_TO = 1

DESCRIPTION_MAX = 2000
RESPONSIBLE_NAME_MAX = 200
REASON_MIN = 5
REASON_MAX = 1000
NOTE_MAX = 2000
COMMENT_MAX = 2000


@dataclass(frozen=True)
class Problem:
    """A refused input: the form field (or None for the whole form), a code and its parameters."""

    field: str | None
    code: str
    params: tuple[tuple[str, object], ...] = ()

    @property
    def param_dict(self) -> dict[str, object]:
        return dict(self.params)


# -- proposals ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AgreedIndicator:
    """One indicator of the finalised agreed result, with what the proposal order needs."""

    indicator_id: int
    code: str
    critical: bool
    value: int | None
    not_applicable: bool
    area_position: int
    position: int
    #: The indicator's red-flag level (a critical indicator scored <= this is a red flag).
    red_flag_at: int = 0

    @property
    def red_flag(self) -> bool:
        return is_red_flag(self.critical, self.red_flag_at, self.value)


@dataclass(frozen=True)
class Proposal:
    indicator_id: int
    code: str
    value: int
    critical: bool
    red_flag_at: int = 0

    @property
    def red_flag(self) -> bool:
        return is_red_flag(self.critical, self.red_flag_at, self.value)


def proposals(indicators: Iterable[AgreedIndicator]) -> list[Proposal]:
    """One proposed action per weak indicator, in the order the plan lists them (module docstring)."""
    weak = [i for i in indicators
            if not i.not_applicable and i.value is not None and i.value <= PROPOSE_UP_TO]
    weak.sort(key=lambda i: (not i.red_flag, not i.critical, i.value,
                             i.area_position, i.position))
    return [Proposal(i.indicator_id, i.code, i.value, i.critical, i.red_flag_at)  # type: ignore[arg-type]
            for i in weak]


def suggested_category(area_key: str) -> str:
    """The funding category a proposal starts with: facilities improvement for the facilities
    area, "other" elsewhere (capacity building needs a skill, which the lead chooses)."""
    return FACILITIES_IMPROVEMENT if area_key.split(".")[0] == "facilities" else OTHER


# -- validating an action -------------------------------------------------------------------

@dataclass(frozen=True)
class ActionFields:
    """An action as a form or a service gives it, before validation."""

    description: str
    responsible_role: str = ""
    responsible_name: str = ""
    start_on: dt.date | None = None
    due_on: dt.date | None = None
    cost: str = "0"
    category: str = OTHER
    skill_id: int | None = None
    indicator_ids: tuple[int, ...] = ()
    status: str = PLANNED
    drop_reason: str = ""


@dataclass(frozen=True)
class ActionRules:
    """What an action is checked against: the plan's score sheet and the lists it may choose from."""

    sheet_indicator_ids: frozenset[int]
    skill_ids: frozenset[int] = frozenset()
    roles: tuple[str, ...] = RESPONSIBLE_ROLES


def check_action(fields: ActionFields, rules: ActionRules) -> tuple[int | None, list[Problem]]:
    """The cost in whole đồng (None when it is refused) and every problem found."""
    problems = [*_text_problems(fields, rules), *_date_problems(fields), *_category_problems(fields, rules),
                *_status_problems(fields), *_indicator_problems(fields, rules)]
    cost: int | None = None
    try:
        cost = parse_cost(fields.cost)
    except CostError as error:
        params = (("max", MAX_COST_VND),) if error.code == "cost_too_large" else ()
        problems.append(Problem("cost", error.code, params))
    return cost, problems


def _text_problems(fields: ActionFields, rules: ActionRules) -> list[Problem]:
    problems = []
    description = fields.description.strip()
    if not description:
        problems.append(Problem("description", "description_missing"))
    elif len(description) > DESCRIPTION_MAX:
        problems.append(Problem("description", "too_long", (("max", DESCRIPTION_MAX),)))
    if fields.responsible_role and fields.responsible_role not in rules.roles:
        problems.append(Problem("responsible_role", "role_unknown"))
    if len(fields.responsible_name.strip()) > RESPONSIBLE_NAME_MAX:
        problems.append(Problem("responsible_name", "too_long", (("max", RESPONSIBLE_NAME_MAX),)))
    return problems


def _date_problems(fields: ActionFields) -> list[Problem]:
    if fields.start_on and fields.due_on and fields.due_on < fields.start_on:
        return [Problem("due_on", "due_before_start")]
    return []


def _category_problems(fields: ActionFields, rules: ActionRules) -> list[Problem]:
    if fields.category not in CATEGORIES:
        return [Problem("category", "category_unknown")]
    if fields.category != CAPACITY_BUILDING:
        return []
    if fields.skill_id is None:
        return [Problem("skill_id", "skill_missing")]
    if fields.skill_id not in rules.skill_ids:
        return [Problem("skill_id", "skill_unknown")]
    return []


def _status_problems(fields: ActionFields) -> list[Problem]:
    if fields.status not in ACTION_STATUSES:
        return [Problem("status", "status_unknown")]
    return reason_problems(fields.drop_reason) if fields.status == DROPPED else []


def reason_problems(reason: str, field: str = "drop_reason") -> list[Problem]:
    """A reason (to drop an action, to reopen a plan) of REASON_MIN to REASON_MAX characters."""
    text = (reason or "").strip()
    if len(text) < REASON_MIN:
        return [Problem(field, "reason_missing", (("min", REASON_MIN),))]
    if len(text) > REASON_MAX:
        return [Problem(field, "too_long", (("max", REASON_MAX),))]
    return []


def _indicator_problems(fields: ActionFields, rules: ActionRules) -> list[Problem]:
    if not fields.indicator_ids:
        return [Problem("indicator_ids", "indicators_missing")]
    unknown = sorted({i for i in fields.indicator_ids if i not in rules.sheet_indicator_ids})
    if unknown:
        return [Problem("indicator_ids", "indicators_unknown", (("ids", ", ".join(map(str, unknown))),))]
    return []


# -- the plan as a whole ------------------------------------------------------------------

class ActionLike(Protocol):
    status: str
    category: str
    cost_vnd: int
    due_on: dt.date | None
    description: str
    responsible_role: str
    responsible_name: str


def share_problems(actions: Sequence[ActionLike]) -> list[Problem]:
    """Before the facility sees it, every action that is not dropped says what, who and by when.
    Action numbers are 1-based, in plan order (dropped actions keep their number)."""
    if not any(a.status != DROPPED for a in actions):
        return [Problem(None, "plan_empty")]
    problems = []
    for number, action in enumerate(actions, start=1):
        if action.status == DROPPED:
            continue
        if not action.description.strip():
            problems.append(Problem(None, "share_description_missing", (("number", number),)))
        if not (action.responsible_role or action.responsible_name.strip()):
            problems.append(Problem(None, "share_owner_missing", (("number", number),)))
        if action.due_on is None:
            problems.append(Problem(None, "share_due_missing", (("number", number),)))
    return problems


def funding_request(actions: Iterable[ActionLike]) -> dict[str, int]:
    """Whole đồng per funding category (every category, in CATEGORIES order), dropped actions left out."""
    totals = {category: 0 for category in CATEGORIES}
    for action in actions:
        if action.status != DROPPED and action.category in totals:
            totals[action.category] += action.cost_vnd
    return totals


def is_overdue(action: ActionLike, today: dt.date) -> bool:
    return action.due_on is not None and action.due_on < today and action.status in OPEN_ACTION_STATUSES


# -- workflow -------------------------------------------------------------------------------

#: transition -> (statuses it may start from, status it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "share": (frozenset({DRAFT, RETURNED}), SHARED),
    "accept": (frozenset({SHARED}), ACCEPTED),
    "return": (frozenset({SHARED}), RETURNED),
    "start": (frozenset({ACCEPTED}), IN_PROGRESS),
    "close": (frozenset({IN_PROGRESS}), CLOSED),
    "reopen": (frozenset({ACCEPTED, IN_PROGRESS}), DRAFT),
}
#: The team edits the actions only in these statuses.
EDITABLE_STATUSES = frozenset({DRAFT, RETURNED})
#: The facility reports progress (notes, action status) only in these statuses.
PROGRESS_STATUSES = frozenset({ACCEPTED, IN_PROGRESS})


class InvalidTransition(ValueError):
    def __init__(self, status: str, transition: str):
        super().__init__(f"{transition} from {status}")
        self.status = status
        self.transition = transition


def allowed_transitions(status: str) -> tuple[str, ...]:
    return tuple(name for name, (sources, _target) in TRANSITIONS.items() if status in sources)


def can_transition(status: str, transition: str) -> bool:
    return transition in TRANSITIONS and status in TRANSITIONS[transition][0]


def next_status(status: str, transition: str) -> str:
    if not can_transition(status, transition):
        raise InvalidTransition(status, transition)
    return TRANSITIONS[transition][1]


def is_editable(status: str) -> bool:
    return status in EDITABLE_STATUSES


def takes_progress(status: str) -> bool:
    return status in PROGRESS_STATUSES


def starts_work(plan_status: str, action_status: str) -> bool:
    """An accepted plan is in progress as soon as one action is in progress or done."""
    return plan_status == ACCEPTED and action_status in (ACTION_IN_PROGRESS, DONE)


# -- merging and ordering -----------------------------------------------------------------

@dataclass(frozen=True)
class MergeSource:
    """An action about to be merged, as the merge rule sees it."""

    id: int
    position: int
    description: str
    indicator_ids: tuple[int, ...]
    cost_vnd: int
    category: str
    skill_id: int | None = None
    start_on: dt.date | None = None
    due_on: dt.date | None = None
    responsible_role: str = ""
    responsible_name: str = ""
    case_keys: tuple[str, ...] = ()
    practice_id: int | None = None
    status: str = PLANNED


@dataclass(frozen=True)
class Merged:
    keep_id: int
    remove_ids: tuple[int, ...]
    description: str
    indicator_ids: tuple[int, ...]
    cost_vnd: int
    skill_id: int | None
    start_on: dt.date | None
    due_on: dt.date | None
    responsible_role: str
    responsible_name: str
    case_keys: tuple[str, ...]
    practice_id: int | None


class MergeRefused(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _unique(values: Iterable) -> tuple:
    return tuple(dict.fromkeys(v for v in values if v))


def merge(actions: Sequence[MergeSource]) -> Merged:
    """One action from several. The first in plan order is kept (its id, number and progress
    notes stay; the others' notes move to it) and the others are removed:

    * linked indicators: the union, each once, in the order the actions list them;
    * cost: the sum of the costs (still at most :data:`MAX_COST_VND`);
    * description: the distinct descriptions in plan order, separated by a blank line;
    * dates: the earliest start and the latest due date;
    * owner: the kept action's role and name, else those of the first action that has one;
    * cases: the union; local practice and skill: the first given.

    Refused (:class:`MergeRefused`) for fewer than two actions, a dropped action, different
    funding categories or different skills: the funding request per category and the training
    needs per skill would change without anyone choosing it.
    """
    if len(actions) < 2:
        raise MergeRefused("merge_too_few")
    if any(a.status == DROPPED for a in actions):
        raise MergeRefused("merge_dropped")
    if len({a.category for a in actions}) > 1:
        raise MergeRefused("merge_categories")
    if len({a.skill_id for a in actions if a.skill_id is not None}) > 1:
        raise MergeRefused("merge_skills")
    ordered = sorted(actions, key=lambda a: (a.position, a.id))
    cost = sum(a.cost_vnd for a in ordered)
    if cost > MAX_COST_VND:
        raise MergeRefused("merge_cost_too_large")
    owner = next((a for a in ordered if a.responsible_role or a.responsible_name.strip()), ordered[0])
    starts = [a.start_on for a in ordered if a.start_on]
    dues = [a.due_on for a in ordered if a.due_on]
    return Merged(
        keep_id=ordered[0].id, remove_ids=tuple(a.id for a in ordered[1:]),
        description="\n\n".join(_unique(a.description.strip() for a in ordered)),
        indicator_ids=_unique(i for a in ordered for i in a.indicator_ids),
        cost_vnd=cost, skill_id=next((a.skill_id for a in ordered if a.skill_id is not None), None),
        start_on=min(starts) if starts else None, due_on=max(dues) if dues else None,
        responsible_role=owner.responsible_role, responsible_name=owner.responsible_name,
        case_keys=_unique(k for a in ordered for k in a.case_keys),
        practice_id=next((a.practice_id for a in ordered if a.practice_id is not None), None),
    )


def move(ids: Sequence[int], moved: int, offset: int) -> list[int]:
    """``ids`` with ``moved`` shifted by ``offset`` places (-1 up, +1 down), kept within the list."""
    order = list(ids)
    index = order.index(moved)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    return order

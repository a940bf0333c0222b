"""Translated words of the plans package, shared by services (messages), pages and the PDF.

Lazy strings (``_l``): they are translated when shown, in the language of the page or of the
PDF being rendered (``force_locale``).
"""
from __future__ import annotations

from flask_babel import format_currency, format_date, format_decimal
from flask_babel import lazy_gettext as _l

from shelterassess.plans import domain

PLAN_STATUS = {
    domain.DRAFT: _l("Draft"),
    domain.SHARED: _l("Shared with the facility"),
    domain.RETURNED: _l("Returned with comments"),
    domain.ACCEPTED: _l("Accepted"),
    domain.IN_PROGRESS: _l("In progress"),
    domain.CLOSED: _l("Closed"),
}

ACTION_STATUS = {
    domain.PLANNED: _l("Planned"),
    domain.ACTION_IN_PROGRESS: _l("In progress"),
    domain.DONE: _l("Done"),
    domain.DROPPED: _l("Dropped"),
}

CATEGORY = {
    domain.CAPACITY_BUILDING: _l("Capacity building"),
    domain.FACILITIES_IMPROVEMENT: _l("Facilities improvement"),
    domain.OTHER: _l("Other needs"),
}

ROLE = {
    "facility_manager": _l("Facility manager"),
    "deputy_manager": _l("Deputy manager"),
    "social_worker": _l("Social worker"),
    "counsellor": _l("Counsellor"),
    "case_manager": _l("Case manager"),
    "health_worker": _l("Health worker"),
    "all_staff": _l("All staff"),
}

#: Field names of the history lines (``PlanEvent.detail``), see :mod:`.changes`.
FIELD = {
    "description": _l("What will be done"),
    "responsible": _l("Responsible"),
    "start_on": _l("Start"),
    "due_on": _l("Due"),
    "cost_vnd": _l("Cost estimate"),
    "category": _l("Funding category"),
    "skill": _l("Skill"),
    "indicators": _l("Indicators"),
    "cases": _l("Cases"),
    "practice": _l("Local practice"),
    "status": _l("Status"),
    "drop_reason": _l("Reason for dropping"),
    "position": _l("Number"),
    "actions": _l("Actions"),
    "note": _l("Note"),
}

EVENT = {
    "created": _l("Plan drafted from the finalised agreed result"),
    "action_added": _l("Action added"),
    "action_edited": _l("Action changed"),
    "actions_merged": _l("Actions merged"),
    "action_dropped": _l("Action dropped"),
    "action_restored": _l("Action restored"),
    "action_moved": _l("Action moved"),
    "action_status": _l("Action status changed"),
    "note_added": _l("Progress note added"),
    "shared": _l("Shared with the facility"),
    "accepted": _l("Accepted by the facility manager"),
    "returned": _l("Returned by the facility manager"),
    "started": _l("Work started"),
    "closed": _l("Plan closed"),
    "reopened": _l("Reopened by the national team"),
}

PROBLEM = {
    "description_missing": _l("Describe what will be done."),
    "too_long": _l("This text is longer than %(max)d characters."),
    "role_unknown": _l("Choose a role from the list."),
    "due_before_start": _l("The due date cannot be before the start date."),
    "cost_missing": _l("Enter the cost estimate in đồng (0 when the action costs nothing)."),
    "cost_not_a_number": _l("Enter the cost as a whole number of đồng, in digits only (for example 1500000 or "
                            "1.500.000)."),
    "cost_negative": _l("The cost cannot be negative."),
    "cost_decimal": _l("The cost is in whole đồng, without decimals. Dots, commas or spaces may only separate "
                       "groups of three digits."),
    "cost_too_large": _l("The cost is above the limit of %(max)s đồng for one action. Check the number of zeros."),
    "category_unknown": _l("Choose a funding category."),
    "skill_missing": _l("A capacity-building action names the skill it builds: choose one."),
    "skill_unknown": _l("Choose a skill from the list."),
    "status_unknown": _l("Choose a status from the list."),
    "reason_missing": _l("Give the reason (at least %(min)d characters)."),
    "indicators_missing": _l("Link the action to at least one indicator."),
    "indicators_unknown": _l("Not indicators of this plan's score sheet: %(ids)s. Choose from the list."),
    "cases_unknown": _l("Choose cases from the list."),
    "practice_unknown": _l("Choose a published local practice from the list."),
    "merge_too_few": _l("Choose at least two actions to merge."),
    "merge_dropped": _l("Dropped actions cannot be merged. Restore them first."),
    "merge_categories": _l("These actions have different funding categories. Give them the same category first: "
                           "merging would otherwise move money to another budget line."),
    "merge_skills": _l("These capacity-building actions build different skills. Merging would lose a training "
                       "need; keep them apart or change the skill first."),
    "merge_cost_too_large": _l("Together these actions cost more than the limit of %(max)s đồng for one action."),
    "merge_unknown": _l("Choose actions of this plan."),
    "plan_empty": _l("The plan has no action to share."),
    "share_description_missing": _l("Action %(number)d: describe what will be done."),
    "share_owner_missing": _l("Action %(number)d: say who is responsible."),
    "share_due_missing": _l("Action %(number)d: give the due date."),
    "comment_missing": _l("Write your comments for the team (at least %(min)d characters)."),
    "note_missing": _l("Write the progress note, or change only the status."),
    "note_date_future": _l("The note's date cannot be in the future."),
}


def problem_message(problem: domain.Problem) -> str:
    params = problem.param_dict
    if "max" in params and problem.code in ("cost_too_large", "merge_cost_too_large"):
        params["max"] = format_decimal(params["max"])
    template = PROBLEM.get(problem.code)
    return str(template) % params if template is not None else problem.code


def label(mapping: dict, key: str | None) -> str:
    return str(mapping[key]) if key in mapping else (key or "")


def vnd(value: int | None) -> str:
    """Whole đồng with the locale's grouping and symbol: "1.500.000 ₫" (vi), "₫1,500,000" (en)."""
    return "" if value is None else format_currency(value, "VND")


def day(value) -> str:
    return "" if value is None else format_date(value, "medium")

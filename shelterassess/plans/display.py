"""What the plan pages show, already translated: the history lines and the two copies of an
action when a save is refused as stale."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _

from shelterassess.i18n import localized
from shelterassess.plans import changes, domain, labels, money
from shelterassess.plans.models import PlanAction, PlanEvent

#: events whose detail is free text (a reason or a comment), not ``field: old → new`` lines
TEXT_EVENTS = ("action_dropped", "returned", "reopened")


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    who: str
    what: str
    number: int | None
    lines: list[tuple[str, str, str]] = field(default_factory=list)
    text: str = ""


def _value(name: str, value: str) -> str:
    if name == "category":
        return labels.label(labels.CATEGORY, value)
    if name == "status":
        return labels.label(labels.ACTION_STATUS, value) if value in labels.ACTION_STATUS else labels.label(
            labels.PLAN_STATUS, value)
    if name == "responsible":
        role, sep, rest = value.partition(" / ")
        return labels.label(labels.ROLE, role) + sep + rest if role in labels.ROLE else value
    if name == "cost_vnd" and value.isascii() and value.isdigit():  # not "²", which int() refuses
        return labels.vnd(int(value))
    if name in ("start_on", "due_on") and value:
        try:
            return labels.day(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def history(events: list[PlanEvent], numbers: dict[int, int]) -> list[HistoryRow]:
    """``events`` newest first, translated. ``numbers``: action id -> its number in the plan
    (merged-away actions have none)."""
    rows = []
    for event in events:
        what = labels.label(labels.EVENT, event.action)
        who = event.user.display_name if event.user else _("the application")
        number = numbers.get(event.action_id) if event.action_id else None
        if event.action == "created":
            rows.append(HistoryRow(event.at, who, what, None, text=_("%(n)s proposed actions", n=event.detail)))
        elif event.action in TEXT_EVENTS:
            rows.append(HistoryRow(event.at, who, what, number, text=event.detail))
        else:
            lines = [(labels.label(labels.FIELD, name), _value(name, old), _value(name, new))
                     for name, old, new in changes.parse_change_lines(event.detail)]
            rows.append(HistoryRow(event.at, who, what, number, lines))
    return rows


def by_action(latest: dict[int, list[PlanEvent]], numbers: dict[int, int]) -> dict[int, list[HistoryRow]]:
    """Action id -> its latest changes as history lines (newest first)."""
    return {action_id: history(events, numbers) for action_id, events in latest.items()}


@dataclass(frozen=True)
class VersionRow:
    label: str
    yours: str
    saved: str

    @property
    def differs(self) -> bool:
        return self.yours != self.saved


def _responsible(role: str, name: str) -> str:
    return " / ".join(x for x in (labels.label(labels.ROLE, role) if role else "", name.strip()) if x)


def compare_versions(form, saved: PlanAction, indicators, skills) -> list[VersionRow]:
    """The action as typed in ``form`` against the saved copy, field by field."""
    codes = {str(i.id): i.code for i in indicators}
    skill_names = {str(s.id): localized(s, "name") for s in skills}
    capacity = form.category.data == domain.CAPACITY_BUILDING
    typed_skill = skill_names.get(form.skill_id.data or "", "") if capacity else ""
    try:
        typed_cost = labels.vnd(money.parse_cost(form.cost.data))
    except money.CostError:
        typed_cost = form.cost.data or ""
    return [
        VersionRow(str(labels.FIELD["description"]), form.description.data or "", saved.description),
        VersionRow(str(labels.FIELD["indicators"]),
                   ", ".join(codes.get(i, i) for i in form.indicator_ids.data or ()),
                   ", ".join(i.code for i in saved.indicators)),
        VersionRow(str(labels.FIELD["responsible"]),
                   _responsible(form.responsible_role.data or "", form.responsible_name.data or ""),
                   _responsible(saved.responsible_role, saved.responsible_name)),
        VersionRow(str(labels.FIELD["start_on"]), labels.day(form.start_on.data), labels.day(saved.start_on)),
        VersionRow(str(labels.FIELD["due_on"]), labels.day(form.due_on.data), labels.day(saved.due_on)),
        VersionRow(str(labels.FIELD["cost_vnd"]), typed_cost, labels.vnd(saved.cost_vnd)),
        VersionRow(str(labels.FIELD["category"]), labels.label(labels.CATEGORY, form.category.data),
                   labels.label(labels.CATEGORY, saved.category)),
        VersionRow(str(labels.FIELD["skill"]), typed_skill, localized(saved.skill, "name") if saved.skill else ""),
    ]

"""The changes and progress notes of a plan or of one action, newest first: the latest few of each
action in one statement (window functions) for the plan page, and the whole lists for the history
pages (paged in SQL)."""
from __future__ import annotations

from typing import Mapping

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from shelterassess.plans.models import ActionProgressNote, ImprovementPlan, PlanEvent
from shelterassess.web.pagination import Page, page_size, paginate

#: Changes and notes per page of the history pages (at most; fewer when PAGE_SIZE is smaller): a
#: change may list nine fields or a long reason, a note 2,000 characters, and a page stays under 150 KB.
HISTORY_PAGE_SIZE = 20
NOTES_PAGE_SIZE = 10


def history_size() -> int:
    return min(page_size(), HISTORY_PAGE_SIZE)


def notes_size() -> int:
    return min(page_size(), NOTES_PAGE_SIZE)


def plan_events_query(plan_id: int, action_id: int | None = None) -> Select:
    """The plan's changes (or one action's), newest first."""
    query = select(PlanEvent).where(PlanEvent.plan_id == plan_id)
    if action_id is not None:
        query = query.where(PlanEvent.action_id == action_id)
    return query.order_by(PlanEvent.id.desc())


def latest_action_events(session: Session, plan_id: int, action_ids: list[int],
                         limit: int) -> tuple[dict[int, list[PlanEvent]], dict[int, int]]:
    """Action id -> its ``limit`` latest changes (newest first), and action id -> the number of all
    its changes: one statement (window functions) for every action given."""
    if not action_ids:
        return {}, {}
    ranked = (select(PlanEvent.id.label("event_id"),
                     func.row_number().over(partition_by=PlanEvent.action_id,
                                            order_by=PlanEvent.id.desc()).label("rank"),
                     func.count().over(partition_by=PlanEvent.action_id).label("total"))
              .where(PlanEvent.plan_id == plan_id, PlanEvent.action_id.in_(action_ids)).subquery())
    rows = session.execute(select(PlanEvent, ranked.c.total).join(ranked, ranked.c.event_id == PlanEvent.id)
                           .where(ranked.c.rank <= limit).order_by(PlanEvent.action_id, PlanEvent.id.desc()))
    latest: dict[int, list[PlanEvent]] = {}
    counts: dict[int, int] = {}
    for event, total in rows:
        latest.setdefault(event.action_id, []).append(event)
        counts[event.action_id] = int(total)
    return latest, counts


def action_notes_query(action_id: int) -> Select:
    """An action's progress notes, the latest first."""
    return (select(ActionProgressNote).where(ActionProgressNote.action_id == action_id)
            .order_by(ActionProgressNote.noted_on.desc(), ActionProgressNote.id.desc()))


def history_page(session: Session, plan: ImprovementPlan, args: Mapping[str, str],
                 action_id: int | None = None) -> Page:
    """One page of the plan's changes (or of one action's), newest first."""
    return paginate(session, plan_events_query(plan.id, action_id), args, size=history_size())

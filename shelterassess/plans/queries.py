"""Read queries for improvement plans: one plan with its actions and the agreed scores they
answer (the page shows one page of actions, each with its latest changes, and the plan's latest
changes; the history pages page through them all), the plans a person sees, and the national
overview of a round (totals computed by the database)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session, joinedload

from shelterassess.assessments import peer_queries, queries as assessment_queries
from shelterassess.assessments.models import Assessment, Score
from shelterassess.cases.models import LocalPractice, PracticeStatus
from shelterassess.facilities.models import Facility, Province
from shelterassess.plans import domain, history_queries
from shelterassess.plans.models import ImprovementPlan, PlanAction, PlanEvent, Skill
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import Indicator
from shelterassess.training_needs.queries import trainings_for_actions
from shelterassess.web.pagination import paginate
from shelterassess.web.section_pages import SectionPage, paginate_section
from shelterassess.web.params import int_or_none

#: Actions the plan page shows at a time (``?actions_page=``; ``?action=<id>`` opens the page holding it).
ACTIONS_PER_PAGE = 10
ACTIONS_PARAM = "actions_page"
#: Changes and progress notes shown under each action; the action's history page holds them all.
LATEST_PER_ACTION = 3
#: Changes of the whole plan shown at the foot of the plan page; the plan's history page holds them all.
LATEST_PLAN_EVENTS = 10


# -- finding plans ----------------------------------------------------------------------------

def plan_for(session: Session, facility_id: int, round_id: int) -> ImprovementPlan | None:
    return session.scalar(select(ImprovementPlan).where(ImprovementPlan.facility_id == facility_id,
                                                        ImprovementPlan.round_id == round_id))


def lead_peer(session: Session, user_id: int, facility_id: int, round_id: int) -> Assessment | None:
    """The peer assessment of the team the user leads for this facility and round (permissions)."""
    team = peer_queries.led_team(session, user_id, facility_id, round_id)
    return peer_queries.find_peer(session, team.id, facility_id, round_id) if team else None


def facility_plans(session: Session, facility_id: int) -> list[ImprovementPlan]:
    """The facility's plans that were shared with it (drafts left out), newest round first."""
    return list(session.scalars(
        select(ImprovementPlan)
        .where(ImprovementPlan.facility_id == facility_id, ImprovementPlan.status != domain.DRAFT)
        .order_by(ImprovementPlan.created_at.desc(), ImprovementPlan.id.desc())
    ))


@dataclass(frozen=True)
class LeadRow:
    """A facility the user's team assessed, whose plan the user (as lead) may draft."""

    facility: Facility
    round: Round
    team_name: str
    agreed: Assessment | None  # the finalised agreed result, if any
    plan: ImprovementPlan | None


def lead_rows(session: Session, user_id: int) -> list[LeadRow]:
    """The assignments the user leads (open rounds) whose peer assessment is submitted."""
    rows = []
    for row in peer_queries.user_assignments(session, user_id):
        if (row.team.lead_id != user_id or row.assignment.is_withdrawn
                or row.peer is None or not row.peer.is_submitted):
            continue
        agreed = row.agreed if row.agreed is not None and row.agreed.is_submitted else None
        rows.append(LeadRow(row.facility, row.round, row.team.name, agreed,
                            plan_for(session, row.facility.id, row.round.id)))
    return rows


# -- one plan ----------------------------------------------------------------------------------

def agreed_indicators(session: Session, agreed: Assessment) -> list[domain.AgreedIndicator]:
    """The agreed result's scores as the proposal rule sees them."""
    scores = assessment_queries.scores_by_indicator(session, agreed)
    return [
        domain.AgreedIndicator(ind.id, ind.code, ind.critical, scores[ind.id].value, scores[ind.id].not_applicable,
                               area.position, ind.position, ind.red_flag_at)
        for area in agreed.round.sheet.areas for ind in area.indicators if ind.id in scores
    ]


@dataclass(frozen=True)
class LinkedIndicator:
    indicator: Indicator
    score: Score | None  # the agreed score

    @property
    def red_flag(self) -> bool:
        return self.score is not None and self.indicator.raises_red_flag(self.score.value)


@dataclass(frozen=True)
class ActionRow:
    action: PlanAction
    number: int
    indicators: list[LinkedIndicator]
    overdue: bool

    @property
    def dropped(self) -> bool:
        return self.action.status == domain.DROPPED


@dataclass(frozen=True)
class PlanPage:
    plan: ImprovementPlan
    rows: list[ActionRow]  # every action, or one page of them (``actions_page``)
    funding: dict[str, int]
    events: list[PlanEvent] = field(default_factory=list)  # the plan's latest changes, newest first
    numbers: dict[int, int] = field(default_factory=dict)  # action id -> its number in the plan
    actions_page: SectionPage | None = None
    events_total: int = 0
    #: action id -> its latest changes (newest first) and the number of all its changes
    latest: dict[int, list[PlanEvent]] = field(default_factory=dict)
    event_counts: dict[int, int] = field(default_factory=dict)
    overdue_count: int = 0
    #: action id -> the training sessions answering it (capacity-building actions of the page)
    trainings: dict[int, list] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.funding.values())

    @property
    def action_count(self) -> int:
        return len(self.numbers)


def action_numbers(plan: ImprovementPlan) -> dict[int, int]:
    """Action id -> its number in the plan (1, 2, … in plan order, as :func:`actions_query` pages them;
    sorted again: a plan read earlier in the request keeps its list's order after a move)."""
    ordered = sorted(plan.actions, key=lambda a: (a.position, a.id))
    return {a.id: n for n, a in enumerate(ordered, start=1)}


def actions_query(plan_id: int) -> Select:
    return select(PlanAction).where(PlanAction.plan_id == plan_id).order_by(PlanAction.position, PlanAction.id)


def _page_holding(number: int | None) -> int:
    """The page of actions showing action number ``number`` (1 for an unknown one)."""
    return (number - 1) // ACTIONS_PER_PAGE + 1 if number else 1


def page_of_action(plan: ImprovementPlan, action_id: int) -> dict[str, int]:
    """The query string of the page of actions holding the action (none for the first page)."""
    page = _page_holding(action_numbers(plan).get(action_id))
    return {ACTIONS_PARAM: page} if page > 1 else {}


def _actions_args(args: Mapping[str, str], numbers: dict[int, int]) -> Mapping[str, str]:
    """``args``, with the page of actions holding ``?action=<id>`` when no page is asked for."""
    wanted = int_or_none((args.get("action") or "").strip())
    if args.get(ACTIONS_PARAM) or wanted not in numbers:
        return args
    return {**args, ACTIONS_PARAM: str(_page_holding(numbers[wanted]))}


def plan_page(session: Session, plan: ImprovementPlan, today: dt.date,
              args: Mapping[str, str] | None = None) -> PlanPage:
    """The plan with every action (``args`` None: the PDF, the merge form), or, for the plan page,
    the page of actions ``args`` asks for with each action's latest changes and the plan's latest
    changes (a fixed number of statements however many actions and changes)."""
    scores = agreed_scores(session, plan)
    numbers = action_numbers(plan)
    page = None
    if args is None:
        actions = sorted(plan.actions, key=lambda a: (a.position, a.id))
    else:
        page = paginate_section(session, actions_query(plan.id), _actions_args(args, numbers), ACTIONS_PARAM,
                                size=ACTIONS_PER_PAGE, drop=("action",))  # its links name their page
        actions = page.items
    rows = [ActionRow(a, numbers[a.id], [LinkedIndicator(i, scores.get(i.id)) for i in a.indicators],
                      domain.is_overdue(a, today)) for a in actions]
    overdue = sum(domain.is_overdue(a, today) for a in plan.actions)
    funding = domain.funding_request(plan.actions)
    if page is None:
        return PlanPage(plan, rows, funding, [], numbers, overdue_count=overdue)
    latest, counts = history_queries.latest_action_events(session, plan.id, [a.id for a in actions],
                                                          LATEST_PER_ACTION)
    events = paginate(session, history_queries.plan_events_query(plan.id), {}, size=LATEST_PLAN_EVENTS)
    trainings = trainings_for_actions(session, [a.id for a in actions if a.category == domain.CAPACITY_BUILDING])
    return PlanPage(plan, rows, funding, events.items, numbers, page, events.total, latest, counts, overdue,
                    trainings)


def agreed_scores(session: Session, plan: ImprovementPlan) -> dict[int, Score]:
    return assessment_queries.scores_by_indicator(session, plan.agreed)


def sheet_indicators(plan: ImprovementPlan) -> list[Indicator]:
    return plan.round.sheet.indicators


def active_skills(session: Session, keep_id: int | None = None) -> list[Skill]:
    """Skills offered for an action: the active ones, and ``keep_id`` (the action's own skill,
    which stays even if it was deactivated since)."""
    offered = Skill.active.is_(True) if keep_id is None else (Skill.active.is_(True) | (Skill.id == keep_id))
    return list(session.scalars(select(Skill).where(offered).order_by(Skill.position, Skill.id)))


def published_practices(session: Session) -> list[LocalPractice]:
    return list(session.scalars(select(LocalPractice).where(LocalPractice.status == PracticeStatus.PUBLISHED.value)
                                .order_by(LocalPractice.id)))


# -- the national overview of a round -------------------------------------------------------------

@dataclass(frozen=True)
class OverviewFilter:
    province_id: int | None = None
    status: str | None = None


@dataclass(frozen=True)
class OverviewRow:
    plan: ImprovementPlan
    funding: dict[str, int]
    open_actions: int
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.funding.values())


@dataclass(frozen=True)
class ProvinceTotal:
    province: Province
    plans: int
    funding: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.funding.values())


@dataclass(frozen=True)
class Overview:
    round: Round
    rows: list[OverviewRow]
    funding: dict[str, int]
    provinces: list[ProvinceTotal]
    overdue_actions: list[tuple[PlanAction, ImprovementPlan]]
    province_choices: list[Province]
    #: the pages shown of ``rows`` and ``overdue_actions`` (``None``: every row, e.g. for an export)
    rows_page: SectionPage | None = None
    overdue_page: SectionPage | None = None

    @property
    def total(self) -> int:
        return sum(self.funding.values())


def _per_plan_sums(today: dt.date):
    """Per plan: cost per category of the actions not dropped, open actions, overdue actions."""
    kept = PlanAction.status != domain.DROPPED
    sums = [func.sum(case((and_(kept, PlanAction.category == c), PlanAction.cost_vnd), else_=0)).label(c)
            for c in domain.CATEGORIES]
    is_open = PlanAction.status.in_(domain.OPEN_ACTION_STATUSES)
    return (
        select(PlanAction.plan_id.label("plan_id"), *sums,
               func.sum(case((is_open, 1), else_=0)).label("open_actions"),
               func.sum(case((and_(is_open, PlanAction.due_on < today), 1), else_=0)).label("overdue"))
        .group_by(PlanAction.plan_id)
        .subquery()
    )


def _filtered(query, round_id: int, filters: OverviewFilter):
    query = query.where(ImprovementPlan.round_id == round_id)
    if filters.province_id:
        query = query.where(Facility.province_id == filters.province_id)
    if filters.status:
        query = query.where(ImprovementPlan.status == filters.status)
    return query


def _money(values) -> dict[str, int]:
    return {c: int(v or 0) for c, v in zip(domain.CATEGORIES, values)}


def overview(session: Session, round_: Round, filters: OverviewFilter, today: dt.date,
             page_args: Mapping[str, str] | None = None) -> Overview:
    """A round's plans with their funding and overdue actions. With ``page_args`` (the request's
    query string) the plans and the overdue actions are each one page (``plans_page``,
    ``overdue_page``); the totals always cover every plan matching ``filters``."""
    sums = _per_plan_sums(today)
    category_cols = [func.coalesce(sums.c[c], 0) for c in domain.CATEGORIES]
    overdue = func.coalesce(sums.c.overdue, 0)
    base = (select(ImprovementPlan, *category_cols, func.coalesce(sums.c.open_actions, 0), overdue)
            .join(Facility, Facility.id == ImprovementPlan.facility_id)
            .outerjoin(sums, sums.c.plan_id == ImprovementPlan.id)
            .options(joinedload(ImprovementPlan.facility).joinedload(Facility.province)))
    query = _filtered(base, round_.id, filters).order_by(overdue.desc(), Facility.code, ImprovementPlan.id)
    rows_page = None if page_args is None else paginate_section(session, query, page_args, "plans_page", scalars=False)
    found = rows_page.items if rows_page is not None else session.execute(query)
    rows = [OverviewRow(r[0], _money(r[1:4]), int(r[4]), int(r[5])) for r in found]
    totals = session.execute(_filtered(
        select(*[func.sum(col) for col in category_cols])
        .select_from(ImprovementPlan)
        .join(Facility, Facility.id == ImprovementPlan.facility_id)
        .outerjoin(sums, sums.c.plan_id == ImprovementPlan.id), round_.id, filters)).one()
    overdue_query = _overdue_query(round_, filters, today)
    if page_args is None:
        overdue_page, late = None, [(r[0], r[1]) for r in session.execute(overdue_query.limit(OVERDUE_LIMIT))]
    else:
        overdue_page = paginate_section(session, overdue_query, page_args, "overdue_page", scalars=False)
        late = [(r[0], r[1]) for r in overdue_page.items]
    return Overview(round_, rows, _money(totals), _province_totals(session, round_, filters, sums),
                    late, plan_provinces(session, round_), rows_page, overdue_page)


def _province_totals(session: Session, round_: Round, filters: OverviewFilter, sums) -> list[ProvinceTotal]:
    # Grouped by the province id only (selecting the Province entity would eager-load its country).
    query = (
        select(Facility.province_id, func.count(ImprovementPlan.id),
               *[func.sum(func.coalesce(sums.c[c], 0)) for c in domain.CATEGORIES])
        .select_from(ImprovementPlan)
        .join(Facility, Facility.id == ImprovementPlan.facility_id)
        .outerjoin(sums, sums.c.plan_id == ImprovementPlan.id)
        .group_by(Facility.province_id)
    )
    totals = [ProvinceTotal(session.get(Province, r[0]), int(r[1]), _money(r[2:]))
              for r in session.execute(_filtered(query, round_.id, filters))]
    return sorted(totals, key=lambda t: t.province.code)


#: Overdue actions listed when the overview is not paged (an export).
OVERDUE_LIMIT = 200


def _overdue_query(round_: Round, filters: OverviewFilter, today: dt.date) -> Select:
    """Actions past their due date and not done nor dropped, the longest overdue first."""
    query = (
        select(PlanAction, ImprovementPlan)
        .join(ImprovementPlan, ImprovementPlan.id == PlanAction.plan_id)
        .join(Facility, Facility.id == ImprovementPlan.facility_id)
        .where(PlanAction.due_on < today, PlanAction.status.in_(domain.OPEN_ACTION_STATUSES))
        .options(joinedload(ImprovementPlan.facility))
        .order_by(PlanAction.due_on, Facility.code, PlanAction.position, PlanAction.id)
    )
    return _filtered(query, round_.id, filters)


def plan_provinces(session: Session, round_: Round) -> list[Province]:
    """Provinces with a plan in the round (the province filter's choices)."""
    return list(session.scalars(
        select(Province)
        .where(Province.id.in_(select(Facility.province_id)
                               .join(ImprovementPlan, ImprovementPlan.facility_id == Facility.id)
                               .where(ImprovementPlan.round_id == round_.id)))
        .order_by(Province.code)
    ))


def rounds_with_plans(session: Session) -> list[tuple[Round, int]]:
    """Rounds and how many plans each has, newest round first (rounds without plans included)."""
    return [(r, int(n or 0)) for r, n in session.execute(rounds_with_plans_query())]


def rounds_with_plans_query() -> Select:
    """(round, number of plans) rows of :func:`rounds_with_plans`; the plans list pages through it."""
    counts = (select(ImprovementPlan.round_id, func.count(ImprovementPlan.id).label("n"))
              .group_by(ImprovementPlan.round_id).subquery())
    return (select(Round, counts.c.n).outerjoin(counts, counts.c.round_id == Round.id)
            .order_by(Round.created_at.desc(), Round.id.desc()))

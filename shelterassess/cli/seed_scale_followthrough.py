"""``seed-scale``'s follow-through: improvement plans and follow-up visits, after the assessments.

What the services write, row for row, but inserted in bulk (:func:`seed_scale._bulk_insert`):

* **Plans** (``plans/services.py``, ``plans/action_services.py``): for :data:`PLAN_SHARE` of the
  facilities with a finalised agreed result in a closed round, the team lead drafts the plan
  (one proposed action per weak indicator, :func:`plans.domain.proposals`, with the proposal's
  description, category and cases), merges each area's proposals into one action
  (``actions_merged``, as ``seed_plans`` does), works out every action (owner, dates, cost, a skill for
  capacity building: one ``action_edited`` each), drops :data:`DROP_SHARE` of them with a reason,
  shares it and the facility manager accepts it. In the latest closed round some plans are still
  a draft or shared (the work of the last months); in older rounds the manager reported progress
  (``action_status``, ``started``, ``note_added``), and the plans of the oldest rounds are closed
  after their visit. Versions count the flushes the services make (one per service call).
* **Follow-up visits** (``followups/services.py``, rows in :mod:`.seed_scale_visits`) for
  :data:`VISIT_SHARE` of the accepted plans of the rounds before the latest closed one (a visit
  comes months after acceptance), by the team that assessed the facility.

Why these shares: plans exist only where a peer team produced a finalised agreed result; most of
those facilities get one within the round, a few wait for the team (PLAN_SHARE); not every plan is
visited again before the next round (VISIT_SHARE).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shelterassess.assessments.models import Assessment, AssessmentKind, Score
from shelterassess.cli.seed_scale_visits import Sheet, store_visits
from shelterassess.followups import domain as follow_rules
from shelterassess.peer.models import PeerTeam, TeamAssignment
from shelterassess.plans import domain
from shelterassess.plans.action_services import _snapshot  # the service's own history snapshot: same detail lines
from shelterassess.plans.changes import change_lines, changes
from shelterassess.plans.models import ActionProgressNote, ImprovementPlan, PlanAction, PlanEvent, Skill
from shelterassess.plans.models import plan_action_indicator
from shelterassess.plans.services import CASE_KEYS_MAX
from shelterassess.rounds.models import Round
from shelterassess.training_needs.services import seed_skills

PLAN_SHARE = 0.85
DROP_SHARE = 0.05
VISIT_SHARE = 0.8
#: Latest closed round: (stage, weight) of its plans; the older rounds' plans are all accepted.
LATEST_STAGES = ((domain.DRAFT, 15), (domain.SHARED, 15), (domain.ACCEPTED, 70))
#: Cost range in đồng (multiples of 100 000) per funding category.
COSTS = {domain.FACILITIES_IMPROVEMENT: (50, 400), domain.CAPACITY_BUILDING: (30, 150), domain.OTHER: (10, 80)}
DROP_REASON = "Cơ sở đã được tỉnh hỗ trợ hạng mục này từ nguồn khác (synthetic)."
PROGRESS = ((domain.DONE, 55, "Đã hoàn thành, có biên bản nghiệm thu."),
            (domain.ACTION_IN_PROGRESS, 25, "Đã bắt đầu; còn một phần."), (domain.PLANNED, 20, ""))
OUTCOME_OF = {domain.DONE: follow_rules.IMPLEMENTED, domain.ACTION_IN_PROGRESS: follow_rules.PARTLY,
              domain.PLANNED: follow_rules.NOT_IMPLEMENTED}
#: Days after the round's start: drafted, shared, accepted, progress, visit scheduled, visited, closed.
DAYS = {"created": 70, "shared": 75, "accepted": 85, "progress": 150, "scheduled": 200, "visited": 230,
        "closed": 300}


@dataclass
class Act:
    """One action about to be inserted: its columns, its indicators, what the visit will find."""

    row: dict
    indicators: list[int]
    outcome: str = ""


@dataclass
class Built:
    """One plan about to be inserted: its row, its actions and what the services record
    (events ``(action or None, user, code, detail, at)``, notes ``(action, day, text, user, at)``)."""

    facility_id: int
    agreed_id: int
    team_id: int
    lead: int
    row: dict
    actions: list[Act] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)
    notes: list[tuple] = field(default_factory=list)
    visit_team: int | None = None


@dataclass
class FollowThroughSummary:
    plans: int = 0
    actions: int = 0
    visits: int = 0
    scores: int = 0  # of the follow-up assessments (one per visit)
    area_results: int = 0


def seed_follow_through(session: Session, rng: random.Random, rounds: list[tuple[Round, datetime]],
                        national_id: int, managers: dict[int, int], bulk_insert) -> FollowThroughSummary:
    """Plans and follow-up visits of the closed rounds (oldest first); returns what was made."""
    seed_skills(session)
    skills = list(session.execute(select(Skill.id, Skill.key).where(Skill.active.is_(True))
                                  .order_by(Skill.position, Skill.id)))
    summary = FollowThroughSummary()
    closed = [(r, when) for r, when in rounds if not r.is_open]
    for age, (round_, when) in enumerate(reversed(closed)):
        sheet = Sheet(round_)
        built = _plans(session, rng, round_, sheet, when, age, managers, skills)
        if age >= 2:  # a year and more later, the visited plans under way are closed
            _close([b for b in built if b.visit_team is not None], national_id, when + timedelta(days=DAYS["closed"]))
        _store_plans(session, built, bulk_insert)
        visited = [b for b in built if b.visit_team is not None]
        store_visits(session, round_, sheet, visited, when, DAYS, national_id, bulk_insert, summary)
        summary.plans += len(built)  # nosemgrep: read-modify-write-counter (the CLI run's summary, not a row)
        summary.actions += sum(len(b.actions) for b in built)  # nosemgrep: read-modify-write-counter (same)
        summary.visits += len(visited)  # nosemgrep: read-modify-write-counter (the CLI run's summary, not a row)
    return summary


def _plans(session, rng, round_, sheet: Sheet, when, age, managers, skills) -> list[Built]:
    agreed = session.execute(
        select(Assessment.facility_id, Assessment.id, TeamAssignment.team_id, PeerTeam.lead_id)
        .join(TeamAssignment, TeamAssignment.facility_id == Assessment.facility_id)
        .join(PeerTeam, (PeerTeam.id == TeamAssignment.team_id) & (PeerTeam.round_id == Assessment.round_id))
        .where(Assessment.round_id == round_.id, Assessment.kind == AssessmentKind.AGREED.value,
               Assessment.status == "submitted",
               Assessment.facility_id.not_in(select(ImprovementPlan.facility_id)
                                             .where(ImprovementPlan.round_id == round_.id)))
        .order_by(Assessment.facility_id)).all()
    answers: dict[int, dict[int, tuple]] = {}
    for aid, ind_id, value, na in session.execute(
            select(Score.assessment_id, Score.indicator_id, Score.value, Score.not_applicable)
            .join(Assessment, Assessment.id == Score.assessment_id)
            .where(Assessment.round_id == round_.id, Assessment.kind == AssessmentKind.AGREED.value)):
        answers.setdefault(aid, {})[ind_id] = (value, na)
    built = []
    for facility_id, agreed_id, team_id, lead in agreed:
        if rng.random() >= PLAN_SHARE:
            continue
        weak = _proposals(sheet, answers.get(agreed_id, {}))
        if not weak:
            continue  # nothing to improve: the team has no plan to draft
        stage = rng.choices(*zip(*LATEST_STAGES))[0] if age == 0 else domain.ACCEPTED
        item = Built(facility_id, agreed_id, team_id, lead, {"round_id": round_.id})
        _draft(item, sheet, weak, when)
        if stage != domain.DRAFT or rng.random() < 0.5:  # else a draft straight from the proposals
            _merge_by_area(item, sheet, when)
            _work_out(rng, item, sheet, skills, when)
        if stage != domain.DRAFT:
            _share(item, when, managers[facility_id], accept=stage == domain.ACCEPTED)
        if age >= 1:
            _progress(rng, item, managers[facility_id], when)
            if rng.random() < VISIT_SHARE:
                item.visit_team = team_id
        built.append(item)
    return built


def _proposals(sheet: Sheet, answers: dict[int, tuple]) -> list[domain.Proposal]:
    rows = []
    for ind_id, (value, na) in answers.items():
        ind = sheet.indicators[ind_id]
        area_pos, pos = sheet.order[ind_id]
        rows.append(domain.AgreedIndicator(ind_id, ind.code, ind.critical, value, na, area_pos, pos,
                                           ind.red_flag_at))
    return domain.proposals(sorted(rows, key=lambda r: (r.area_position, r.position)))


def _draft(item: Built, sheet: Sheet, weak, when) -> None:
    """:func:`plans.services.create_plan`: the plan and one action per proposal, version 1."""
    at = when + timedelta(days=DAYS["created"])
    item.row.update({"facility_id": item.facility_id, "agreed_id": item.agreed_id, "status": domain.DRAFT,
                     "created_by_id": item.lead, "shared_at": None, "decided_at": None, "decided_by_id": None,
                     "return_comment": "", "closed_at": None, "created_at": at, "updated_at": at, "version": 1})
    for position, proposal in enumerate(weak, start=1):
        ind = sheet.indicators[proposal.indicator_id]
        item.actions.append(Act({
            "position": position, "description": sheet.description(ind.id, proposal.value),
            "responsible_role": "", "responsible_name": "", "start_on": None, "due_on": None, "cost_vnd": 0,
            "category": domain.suggested_category(ind.area.key), "skill_id": None, "status": domain.PLANNED,
            "drop_reason": "", "case_keys": sheet.cases[ind.id], "practice_id": None, "created_at": at,
            "updated_at": at, "version": 1}, [ind.id]))
    item.events.append((None, item.lead, "created", str(len(weak)), at))


def _snap(act: Act, sheet: Sheet, skill_keys: dict[int, str]) -> dict[str, str]:
    """:func:`action_services.snapshot` of the action (what its history lines compare)."""
    a = act.row
    return _snapshot(a["description"], a["responsible_role"], a["responsible_name"], a["start_on"], a["due_on"],
                     a["cost_vnd"], a["category"], skill_keys.get(a["skill_id"], ""),
                     [sheet.indicators[i].code for i in act.indicators], [k for k in a["case_keys"].split(",") if k],
                     a["practice_id"], a["status"], a["drop_reason"])


def _bump(row: dict, at: datetime) -> None:
    row["version"] += 1
    row["updated_at"] = at


def _merge_by_area(item: Built, sheet: Sheet, when) -> None:
    """:func:`action_services.merge_actions` as the lead writes a plan (``seed_plans`` does the same):
    the proposals of an area become one action, in groups whose joined description stays within
    what an action may hold. The first of a group is kept; the others go and the rest renumber."""
    at = when + timedelta(days=DAYS["created"] + 1)
    by_area: dict[int, list[list[Act]]] = {}
    for act in item.actions:
        groups = by_area.setdefault(sheet.indicators[act.indicators[0]].area_id, [[]])
        text = "\n\n".join(a.row["description"] for a in [*groups[-1], act])
        if groups[-1] and len(text) > domain.DESCRIPTION_MAX:
            groups.append([])
        groups[-1].append(act)
    for group in [g for groups in by_area.values() for g in groups if len(g) > 1]:
        _merge(item, sheet, group, at)


def _merge(item: Built, sheet: Sheet, group: list[Act], at: datetime) -> None:
    numbers = {id(a): n for n, a in enumerate(item.actions, start=1)}
    merged = domain.merge([domain.MergeSource(
        id=numbers[id(a)], position=a.row["position"], description=a.row["description"],
        indicator_ids=tuple(a.indicators), cost_vnd=a.row["cost_vnd"], category=a.row["category"],
        case_keys=tuple(k for k in a.row["case_keys"].split(",") if k)) for a in group])
    keep = group[0]
    before = _snap(keep, sheet, {})
    keep.row.update({"description": merged.description,
                     "case_keys": ",".join(merged.case_keys)[:CASE_KEYS_MAX]})
    keep.indicators = sorted(merged.indicator_ids, key=lambda i: sheet.order[i])
    _bump(keep.row, at)
    gone = {id(a) for a in group[1:]}
    item.actions = [a for a in item.actions if id(a) not in gone]
    for position, act in enumerate(item.actions, start=1):
        if act.row["position"] != position:
            act.row["position"] = position
            if act is not keep:
                _bump(act.row, at)
    detail = [("actions", ", ".join(str(numbers[id(a)]) for a in group), str(numbers[id(keep)])),
              *changes(before, _snap(keep, sheet, {}))]
    item.events.append((keep, item.lead, "actions_merged", change_lines(detail), at))
    _bump(item.row, at)


def _work_out(rng, item: Built, sheet: Sheet, skills, when) -> None:
    """:func:`action_services.save_action` on every action (owner, dates, cost, skill), then
    :func:`action_services.drop_action` on a few: each one flush, so one version more."""
    at = when + timedelta(days=DAYS["created"] + 2)
    skill_keys = dict(skills)
    start = (when + timedelta(days=DAYS["accepted"] + 5)).date()
    for act in item.actions:
        before, action = _snap(act, sheet, skill_keys), act.row
        if action["category"] == domain.OTHER and skills and rng.random() < 0.4:
            action["category"] = domain.CAPACITY_BUILDING
            action["skill_id"] = rng.choice(skills)[0]
        low, high = COSTS[action["category"]]
        action.update({"responsible_role": rng.choice(domain.RESPONSIBLE_ROLES),
                       "start_on": start + timedelta(days=rng.randint(0, 30)),
                       "cost_vnd": rng.randint(low, high) * 100_000})
        action["due_on"] = action["start_on"] + timedelta(days=rng.randint(30, 180))
        item.events.append((act, item.lead, "action_edited",
                            change_lines(changes(before, _snap(act, sheet, skill_keys))), at))
        _bump(action, at)
        _bump(item.row, at)
    live = len(item.actions)
    for act in item.actions:
        if live > 1 and rng.random() < DROP_SHARE:
            live -= 1
            act.row["status"], act.row["drop_reason"] = domain.DROPPED, DROP_REASON
            item.events.append((act, item.lead, "action_dropped", DROP_REASON, at))
            _bump(act.row, at)
            _bump(item.row, at)


def _share(item: Built, when, manager: int, accept: bool) -> None:
    """:func:`plans.services.share` by the lead, then :func:`accept` by the facility manager."""
    shared = when + timedelta(days=DAYS["shared"])
    item.row.update({"status": domain.SHARED, "shared_at": shared})
    item.events.append((None, item.lead, "shared", "", shared))
    _bump(item.row, shared)
    if accept:
        accepted = when + timedelta(days=DAYS["accepted"])
        item.row.update({"status": domain.ACCEPTED, "decided_at": accepted, "decided_by_id": manager})
        item.events.append((None, manager, "accepted", "", accepted))
        _bump(item.row, accepted)


def _progress(rng, item: Built, manager: int, when) -> None:
    """:func:`plans.services.report_progress` by the manager: a status and a dated note per action
    done or under way (the first one puts the plan in progress)."""
    at = when + timedelta(days=DAYS["progress"])
    noted_on = at.date() - timedelta(days=3)
    for act in item.actions:
        if act.row["status"] == domain.DROPPED:
            continue
        status, _w, note = rng.choices(PROGRESS, weights=[p[1] for p in PROGRESS])[0]
        act.outcome = OUTCOME_OF[status] if rng.random() > 0.05 else follow_rules.NOT_RELEVANT
        if status == domain.PLANNED:
            continue
        item.events.append((act, manager, "action_status",
                            change_lines(changes({"status": domain.PLANNED, "drop_reason": ""},
                                                 {"status": status, "drop_reason": ""})), at))
        act.row["status"] = status
        if domain.starts_work(item.row["status"], status):
            item.row["status"] = domain.IN_PROGRESS
            item.events.append((act, manager, "started", change_lines(
                [("status", domain.ACCEPTED, domain.IN_PROGRESS)]), at))
        item.notes.append((act, noted_on, note, manager, at))
        item.events.append((act, manager, "note_added", change_lines([("note", "", f"{noted_on.isoformat()} {note}")]),
                            at))
        _bump(act.row, at)
        _bump(item.row, at)


def _store_plans(session: Session, built: list[Built], bulk_insert) -> None:
    if not built:
        return
    plans, actions = ImprovementPlan.__table__, PlanAction.__table__
    plan_ids = list(session.scalars(insert(plans).returning(plans.c.id, sort_by_parameter_order=True),
                                    [b.row for b in built]))
    action_rows = [{**a.row, "plan_id": pid} for pid, b in zip(plan_ids, built) for a in b.actions]
    action_ids = list(session.scalars(insert(actions).returning(actions.c.id, sort_by_parameter_order=True),
                                      action_rows))
    links, events, notes = [], [], []
    ids = iter(action_ids)
    for pid, b in zip(plan_ids, built):
        b.row["id"] = pid
        for act in b.actions:
            act.row["id"] = next(ids)
            links.extend({"action_id": act.row["id"], "indicator_id": ind} for ind in act.indicators)
        events.extend({"plan_id": pid, "action_id": None if act is None else act.row["id"], "user_id": user,
                       "action": code, "detail": detail, "at": at} for act, user, code, detail, at in b.events)
        notes.extend({"action_id": act.row["id"], "noted_on": on, "text": text, "user_id": user, "created_at": at}
                     for act, on, text, user, at in b.notes)
    bulk_insert(session, plan_action_indicator, links)
    bulk_insert(session, PlanEvent, events)
    bulk_insert(session, ActionProgressNote, notes)


def _close(visited: list[Built], national_id: int, at: datetime) -> None:
    """:func:`plans.services.close` by the national team once the visit is done (plans in progress)."""
    for b in visited:
        if b.row["status"] == domain.IN_PROGRESS:
            b.row.update({"status": domain.CLOSED, "closed_at": at})
            b.events.append((None, national_id, "closed", "", at))
            _bump(b.row, at)

"""``seed-scale``'s follow-up visits (see :mod:`.seed_scale_followthrough`, which chooses the plans).

Per visited plan, the rows :func:`followups.services.schedule_visit` (the national team),
:func:`save_results` and :func:`submit_visit` (the team lead) write: the visit (version 4: created,
its follow-up assessment linked, results saved, submitted), the follow-up assessment with one
score per indicator of the plan's live actions (version 3: created, saved, touched by the
submission) and the area results, overall percentage and red flags computed by
``followups/domain.py``, one result per live action (version 3), and the assessment's events.
:class:`Sheet` is the round's score sheet as both modules read it.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shelterassess.assessments.domain import Answer
from shelterassess.assessments.models import AreaResult, Assessment, AssessmentEvent, AssessmentKind, Score
from shelterassess.cases import queries as case_queries
from shelterassess.followups import domain as follow_rules
from shelterassess.followups import queries as follow_queries
from shelterassess.followups.models import FollowUpActionResult, FollowUpVisit, VisitStatus
from shelterassess.i18n import localized
from shelterassess.plans import domain
from shelterassess.plans.models import ImprovementPlan
from shelterassess.plans.services import CASE_KEYS_MAX
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import EVIDENCE_SOURCES

OUTCOME_NOTES = {
    follow_rules.IMPLEMENTED: "Đã thực hiện, có biên bản và quan sát tại chỗ.",
    follow_rules.PARTLY: "Đã bắt đầu, còn thiếu một phần.",
    follow_rules.NOT_IMPLEMENTED: "Chưa thực hiện do chưa có kinh phí.",
    follow_rules.NOT_RELEVANT: "Không còn phù hợp sau khi cơ sở chuyển khu nhà ở.",
}


class Sheet:
    """The round's score sheet as the plan and follow-up rules read it, with the proposals'
    descriptions and cases cached per indicator and level (the same ``_()`` the service calls)."""

    def __init__(self, round_: Round):
        sheet = round_.sheet
        self.indicators = {ind.id: ind for area in sheet.areas for ind in area.indicators}
        self.order = {ind.id: (area.position, ind.position) for area in sheet.areas for ind in area.indicators}
        self.areas = {a.key: a.id for a in sheet.areas}
        self.specs = follow_queries.area_specs_by_key(sheet)
        self._descriptions: dict[tuple[int, int], str] = {}
        self.cases = {i: ",".join(link.case for link in case_queries.links_for(ind.key))[:CASE_KEYS_MAX]
                      for i, ind in self.indicators.items()}

    def description(self, indicator_id: int, value: int) -> str:
        key = (indicator_id, value)
        if key not in self._descriptions:
            ind = self.indicators[indicator_id]
            target = next((lv for lv in ind.levels if lv.level == value + 1), None)
            self._descriptions[key] = _("Reach level %(level)d on %(code)s: %(descriptor)s", level=value + 1,
                                        code=ind.code, descriptor=localized(target, "descriptor") if target else "")
        return self._descriptions[key]


def _rescore(rng, before: tuple, outcome: str) -> tuple[int, str]:
    """The follow-up score of an action's indicator: a point more where the action was
    implemented (sometimes where partly), the agreed score otherwise."""
    value = before[0]
    if outcome == follow_rules.IMPLEMENTED or (outcome == follow_rules.PARTLY and rng.random() < 0.4):
        value = min(3, value + 1)
    evidence = ("observation", "document_review")
    return value, ",".join(e for e in EVIDENCE_SOURCES if e in evidence)


def store_visits(session: Session, round_: Round, sheet: Sheet, visited: list, when: datetime, days: dict[str, int],
                 national_id: int, bulk_insert, summary) -> None:
    """:func:`followups.services.schedule_visit` (national team), :func:`save_results` and
    :func:`submit_visit` (the team lead), with the stored results recomputed by the app's rules."""
    if not visited:
        return
    rng = random.Random(round_.id)  # nosec B311 # repeatable synthetic data, not a secret
    scheduled = when + timedelta(days=days["scheduled"])
    visited_at = when + timedelta(days=days["visited"])
    day: date = visited_at.date()
    agreed: dict[int, dict[int, tuple]] = {}
    for aid, ind_id, value, na in session.execute(
            select(Score.assessment_id, Score.indicator_id, Score.value, Score.not_applicable)
            .join(ImprovementPlan, ImprovementPlan.agreed_id == Score.assessment_id)
            .where(ImprovementPlan.round_id == round_.id)):
        agreed.setdefault(aid, {})[ind_id] = (value, na)
    rows, plans = [], []
    for b in visited:
        before = {sheet.indicators[i].key: Answer(v, na) for i, (v, na) in agreed[b.agreed_id].items()}
        after_by_id: dict[int, tuple[int, str]] = {}
        for act in b.actions:
            if act.row["status"] != domain.DROPPED:
                for ind in act.indicators:
                    after_by_id[ind] = _rescore(rng, agreed[b.agreed_id][ind], act.outcome)
        after = {sheet.indicators[i].key: Answer(v, False) for i, (v, _e) in after_by_id.items()}
        overall = follow_rules.before_after(sheet.specs, before, after).overall_after
        rows.append({"round_id": round_.id, "facility_id": b.facility_id, "kind": AssessmentKind.FOLLOW_UP.value,
                     "team_id": None, "status": "submitted", "started_by_id": national_id,
                     "submitted_by_id": b.lead, "submitted_at": visited_at,
                     "overall_percentage": None if overall is None else float(overall),
                     "red_flag_count": len(follow_rules.red_flags_after(sheet.specs, after)),
                     "created_at": scheduled, "updated_at": visited_at})
        plans.append((b, before, after, after_by_id))
    ids = list(session.scalars(insert(Assessment).returning(Assessment.id, sort_by_parameter_order=True), rows))
    visit_rows = [{"plan_id": b.row["id"], "team_id": b.visit_team, "planned_on": day, "visited_on": day,
                   "status": VisitStatus.SUBMITTED.value, "assessment_id": aid, "created_by_id": national_id,
                   "submitted_at": visited_at, "submitted_by_id": b.lead, "created_at": scheduled,
                   "updated_at": visited_at, "version": 4} for aid, (b, *_rest) in zip(ids, plans)]
    visits = FollowUpVisit.__table__
    visit_ids = list(session.scalars(insert(visits).returning(visits.c.id, sort_by_parameter_order=True), visit_rows))
    scores, areas, events, results = [], [], [], []
    for aid, vid, (b, before, after, after_by_id) in zip(ids, visit_ids, plans):
        for ind_id in sorted(after_by_id, key=lambda i: sheet.order[i]):
            value, evidence = after_by_id[ind_id]
            scores.append({"assessment_id": aid, "indicator_id": ind_id, "value": value, "not_applicable": False,
                           "evidence": evidence, "note": "", "updated_by_id": b.lead, "updated_at": visited_at,
                           "version": 3})
        areas.extend({"assessment_id": aid, "area_id": sheet.areas[s.key], "position": pos,
                      "percentage": s.percentage, "applicable": s.applicable, "total": s.total}
                     for pos, s in follow_rules.after_area_scores(sheet.specs, before, after))
        events.append({"assessment_id": aid, "action": "started", "user_id": national_id, "reason": "",
                       "at": scheduled})
        events.append({"assessment_id": aid, "action": "submitted", "user_id": b.lead, "reason": "",
                       "at": visited_at})
        results.extend({"visit_id": vid, "action_id": act.row["id"], "outcome": act.outcome,
                        "note": OUTCOME_NOTES[act.outcome], "version": 3}
                       for act in b.actions if act.row["status"] != domain.DROPPED)
    bulk_insert(session, Score, scores)
    bulk_insert(session, AreaResult, areas)
    summary.scores += len(scores)  # nosemgrep: read-modify-write-counter (a dataclass of the CLI run, not a row)
    summary.area_results += len(areas)  # nosemgrep: read-modify-write-counter (a dataclass of the CLI run, not a row)
    bulk_insert(session, AssessmentEvent, events)
    bulk_insert(session, FollowUpActionResult, results)

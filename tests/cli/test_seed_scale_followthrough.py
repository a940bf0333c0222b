"""``seed-scale``'s plans, follow-up visits and funding rounds: the seeded rows are those the
services write. A seeded plan (with its visit) is removed and made again through the services
from the same inputs, and the two sets of rows are compared column by column (timestamps aside);
a funding round is computed and approved again through the services on the same data."""
from sqlalchemy import delete, func, select

from shelterassess.assessments.models import AreaResult, Assessment, AssessmentEvent, Score
from shelterassess.auth import services as auth
from shelterassess.auth.models import User
from shelterassess.auth.roles import Role
from shelterassess.extensions import db
from shelterassess.followups import domain as follow_rules
from shelterassess.followups import queries as follow_queries
from shelterassess.followups import services as follow_services
from shelterassess.followups.models import FollowUpActionResult, FollowUpVisit
from shelterassess.funding import queries as funding_queries
from shelterassess.funding import services as funding_services
from shelterassess.funding.models import FundingEvent, FundingRound
from shelterassess.plans import action_services
from shelterassess.plans import services as plan_services
from shelterassess.plans.models import ActionProgressNote, ImprovementPlan, PlanAction, PlanEvent
from shelterassess.plans.models import plan_action_indicator
from shelterassess.plans.changes import parse_change_lines
from shelterassess.rounds.models import Round
from tests.conftest import PASSWORD, login


def seed(runner, facilities="16", rounds="4"):
    result = runner.invoke(args=["seed-scale", "--facilities", facilities, "--rounds", rounds, "--seed", "7"])
    assert result.exit_code == 0, result.output
    return result


def same(made: dict, seeded: dict) -> None:
    """Equal part by part (a clearer failure than one big comparison)."""
    assert made.keys() == seeded.keys()
    for key, rows in seeded.items():
        assert made[key] == rows, key


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# -- what one plan (and its visit) stored, without ids and timestamps ------------------------------

def plan_rows(plan: ImprovementPlan) -> dict:
    db.session.refresh(plan)
    number = {a.id: a.position for a in plan.actions}
    return {
        "plan": (plan.status, plan.version, plan.created_by_id, plan.decided_by_id, plan.agreed_id,
                 plan.return_comment, plan.shared_at is None, plan.decided_at is None, plan.closed_at is None),
        "actions": [(a.position, a.description, a.responsible_role, a.responsible_name, a.start_on, a.due_on,
                     a.cost_vnd, a.category, a.skill_id, a.status, a.drop_reason, a.case_keys, a.practice_id,
                     a.version, [i.id for i in a.indicators]) for a in plan.actions],
        "events": [(number.get(e.action_id), e.user_id, e.action, e.detail)
                   for e in db.session.scalars(select(PlanEvent).where(PlanEvent.plan_id == plan.id)
                                               .order_by(PlanEvent.id))],
        "notes": [(number[n.action_id], n.noted_on, n.text, n.user_id) for a in plan.actions for n in a.notes],
    }


def visit_rows(visit: FollowUpVisit) -> dict:
    db.session.refresh(visit)
    number = {a.id: a.position for a in visit.plan.actions}
    fu = db.session.get(Assessment, visit.assessment_id)
    db.session.refresh(fu)
    return {
        "visit": (visit.team_id, visit.planned_on, visit.visited_on, visit.status, visit.created_by_id,
                  visit.submitted_by_id, visit.version, visit.submitted_at is None),
        "results": sorted((number[r.action_id], r.outcome, r.note, r.version) for r in visit.results),
        "assessment": (fu.kind, fu.status, fu.team_id, fu.started_by_id, fu.submitted_by_id, fu.overall_percentage,
                       fu.red_flag_count, fu.released_at),
        "scores": [(s.indicator_id, s.value, s.not_applicable, s.evidence, s.note, s.updated_by_id, s.version)
                   for s in db.session.scalars(select(Score).where(Score.assessment_id == fu.id).order_by(Score.id))],
        "areas": [(r.area_id, r.position, r.percentage, r.applicable, r.total) for r in fu.area_results],
        "events": [(e.action, e.user_id) for e in db.session.scalars(
            select(AssessmentEvent).where(AssessmentEvent.assessment_id == fu.id).order_by(AssessmentEvent.id))],
    }


def remove(plan: ImprovementPlan, visit: FollowUpVisit | None) -> None:
    action_ids = [a.id for a in plan.actions]
    if visit is not None:
        db.session.execute(delete(FollowUpActionResult).where(FollowUpActionResult.visit_id == visit.id))
        fu_id = visit.assessment_id
        db.session.execute(delete(FollowUpVisit).where(FollowUpVisit.id == visit.id))
        for model in (Score, AreaResult, AssessmentEvent):
            db.session.execute(delete(model).where(model.assessment_id == fu_id))
        db.session.execute(delete(Assessment).where(Assessment.id == fu_id))
    db.session.execute(delete(PlanEvent).where(PlanEvent.plan_id == plan.id))
    db.session.execute(delete(ActionProgressNote).where(ActionProgressNote.action_id.in_(action_ids)))
    db.session.execute(delete(plan_action_indicator).where(plan_action_indicator.c.action_id.in_(action_ids)))
    db.session.execute(delete(PlanAction).where(PlanAction.plan_id == plan.id))
    db.session.execute(delete(ImprovementPlan).where(ImprovementPlan.id == plan.id))
    db.session.expunge_all()


def replay(seeded: dict, seeded_visit: dict, facility, round_, decided_at):
    """The same plan and visit through the services, step by step as the seeded events tell."""
    user = lambda uid: db.session.get(User, uid)  # noqa: E731
    lead = user(seeded["plan"][2])
    plan = plan_services.create_plan(db.session, lead, facility, round_)
    by_position = {a[0]: a for a in seeded["actions"]}
    notes = {n[0]: n for n in seeded["notes"]}
    action = lambda pos: next(a for a in plan.actions if a.position == pos)  # noqa: E731
    for pos, uid, code, detail in seeded["events"][1:]:
        if code == "actions_merged":
            numbers = {int(n) for n in parse_change_lines(detail)[0][1].split(", ")}
            action_services.merge_actions(db.session, user(uid), plan,
                                          [a.id for a in plan.actions if a.position in numbers])
        elif code == "action_edited":
            a = by_position[pos]
            action_services.save_action(db.session, user(uid), action(pos), action_services.ActionInput(
                description=a[1], responsible_role=a[2], responsible_name=a[3], start_on=a[4], due_on=a[5],
                cost=str(a[6]), category=a[7], skill_id=a[8], indicator_ids=tuple(a[14]),
                case_keys=tuple(k for k in a[11].split(",") if k), version=action(pos).version))
        elif code == "action_dropped":
            action_services.drop_action(db.session, user(uid), action(pos), detail)
        elif code == "shared":
            plan_services.share(db.session, user(uid), plan)
        elif code == "accepted":
            plan_services.accept(db.session, user(uid), plan)
            # the manager accepted it on the seeded day (the visit date is checked against it)
            db.session.execute(ImprovementPlan.__table__.update().where(ImprovementPlan.__table__.c.id == plan.id)
                               .values(decided_at=decided_at))
            db.session.expire(plan)
        elif code == "action_status":
            _pos, noted_on, text, _uid = notes[pos]
            plan_services.report_progress(db.session, user(uid), action(pos), plan_services.ProgressInput(
                status=by_position[pos][9], drop_reason="", noted_on=noted_on, note=text, today=noted_on))
        elif code == "closed":
            _visit(plan, seeded_visit, user)
            plan_services.close(db.session, user(uid), plan)
    if seeded_visit is not None and not any(e[2] == "closed" for e in seeded["events"]):
        _visit(plan, seeded_visit, user)
    db.session.commit()
    return plan


def _visit(plan, seeded_visit, user):
    team_id, planned_on, visited_on, _s, created_by, submitted_by, _v, _n = seeded_visit["visit"]
    team = db.session.get(FollowUpVisit.team.property.mapper.class_, team_id)
    visit = follow_services.schedule_visit(db.session, user(created_by), plan, team, planned_on, planned_on)
    outcomes = {pos: (outcome, note) for pos, outcome, note, _v in seeded_visit["results"]}
    follow_services.save_results(
        db.session, user(submitted_by), visit,
        [follow_services.ActionInput(a.id, *outcomes[a.position], None) for a in follow_queries.live_actions(plan)],
        [follow_services.ScoreInput(i, v, na, tuple(ev.split(",")), note, None)
         for i, v, na, ev, note, _u, _v in seeded_visit["scores"]])
    follow_services.submit_visit(db.session, user(submitted_by), visit, visited_on, visited_on)
    plan.seeded_visit = visit


def test_seeded_plans_and_visits_equal_what_the_services_write(app_ctx, runner):
    """One plan of each status (and its visit, if any) removed and made again through the services."""
    assert "follow-up visits" in seed(runner).output
    plans = db.session.scalars(select(ImprovementPlan).order_by(ImprovementPlan.id)).unique().all()
    by_status = {}
    for plan in plans:  # per status, the plan with the most history
        visited = db.session.scalar(select(func.count()).where(FollowUpVisit.plan_id == plan.id))
        key = (plan.status, plan.version > 1)
        if key not in by_status or (visited, plan.version) > by_status[key][0]:
            by_status[key] = ((visited, plan.version), plan.id)
    assert {"draft", "accepted", "in_progress", "closed"} <= {s for s, _w in by_status}, by_status
    assert count(FollowUpVisit, FollowUpVisit.status == "submitted") == count(FollowUpVisit) > 0
    kinds = set()
    for _key, (_rank, plan_id) in sorted(by_status.items()):
        plan = db.session.get(ImprovementPlan, plan_id)
        visit = db.session.scalar(select(FollowUpVisit).where(FollowUpVisit.plan_id == plan_id))
        facility, round_, decided_at = plan.facility, plan.round, plan.decided_at
        seeded, seeded_visit = plan_rows(plan), visit_rows(visit) if visit else None
        kinds |= {e[2] for e in seeded["events"]}
        remove(plan, visit)
        again = replay(seeded, seeded_visit, db.session.merge(facility), db.session.merge(round_), decided_at)
        same(plan_rows(again), seeded)
        if visit is not None:
            same(visit_rows(again.seeded_visit), seeded_visit)
    assert {"created", "actions_merged", "action_edited", "action_dropped", "shared", "accepted", "action_status",
            "started", "note_added", "closed"} <= kinds, kinds


def test_follow_up_results_and_allocations_are_the_apps(app_ctx, runner):
    seed(runner)
    for visit in db.session.scalars(select(FollowUpVisit)).unique():
        data = follow_queries.visit_data(db.session, visit)
        specs = follow_queries.area_specs_by_key(visit.plan.round.sheet)
        before, after = follow_queries.agreed_answers(db.session, visit.plan), data.after()
        fu = visit.assessment
        expected = follow_rules.after_area_scores(specs, before, after)
        assert [(r.position, r.percentage, r.applicable, r.total) for r in fu.area_results] == [
            (pos, s.percentage, s.applicable, s.total) for pos, s in expected]
        overall = follow_rules.before_after(specs, before, after).overall_after
        assert fu.overall_percentage == float(overall)
        assert fu.red_flag_count == len(follow_rules.red_flags_after(specs, after))
        assert follow_rules.missing_answers(data.findings(), after, [r.indicator.key for r in data.indicators]) == (
            [], [])
    funds = db.session.scalars(select(FundingRound).order_by(FundingRound.id)).unique().all()
    assert len(funds) == 3 and {f.status for f in funds} == {"approved", "draft"}
    for fround in funds:
        allocation = funding_queries.allocation_for(fround, funding_queries.Parameters.of(fround))
        lines = [(ff.facility.code, ln.category, ln.request_vnd, ln.proposed_vnd) for ff in fround.facilities
                 for ln in ff.lines]
        requests = funding_queries.requests_by_facility(db.session, fround.round_id)
        assert lines and all(ln.request_vnd == requests.get(ff.facility_id, {}).get(ln.category, 0)
                             for ff in fround.facilities for ln in ff.lines)
        assert all(proposed == allocation.amount(code, c) for code, c, _r, proposed in lines)
        assert 0 < sum(ln[3] for ln in lines) <= fround.budget_vnd
        for category, envelope in fround.envelopes().items():
            assert envelope is None or sum(ln[3] for ln in lines if ln[1] == category) <= envelope
        assert all(ln[3] <= ln[2] for ln in lines)


def funding_rows(fround: FundingRound) -> dict:
    db.session.refresh(fround)
    return {
        "round": (fround.round_id, fround.budget_vnd, fround.rounding_unit_vnd, fround.red_flag_weight,
                  fround.use_capacity, fround.envelopes(), fround.status, fround.version, fround.approved_by_id,
                  fround.created_by_id),
        "facilities": sorted((ff.facility_id, ff.agreed_id, ff.overall_tenths, ff.red_flags, ff.capacity,
                              ff.added_by_hand, ff.added_reason,
                              [(ln.category, ln.request_vnd, ln.proposed_vnd, ln.adjusted_vnd, ln.reason, ln.version)
                               for ln in ff.lines]) for ff in fround.facilities),
        "events": [(e.action, e.user_id, "\n".join(x for x in e.detail.splitlines() if not x.startswith("name:")))
                   for e in db.session.scalars(select(FundingEvent).where(FundingEvent.funding_round_id == fround.id)
                                               .order_by(FundingEvent.id))],
    }


def test_a_seeded_funding_round_equals_what_the_services_write(app_ctx, runner):
    seed(runner)
    for seeded in db.session.scalars(select(FundingRound).order_by(FundingRound.id)).unique().all():
        national = seeded.created_by
        again = funding_services.create_funding_round(db.session, national, funding_services.RoundInput(
            seeded.name + " (again)", str(seeded.budget_vnd), str(seeded.rounding_unit_vnd),
            funding_services.ParametersInput(str(seeded.red_flag_weight), seeded.use_capacity,
                                             {c: str(v) for c, v in seeded.envelopes().items() if v is not None}),
            seeded.round_id))
        funding_services.compute_proposal(db.session, national, again)
        if seeded.is_approved:
            funding_services.approve(db.session, national, again)
        db.session.commit()
        same(funding_rows(again), funding_rows(seeded))


def test_plan_follow_up_and_funding_pages_open_on_seeded_data(app_ctx, runner, client):
    seed(runner)
    national = auth.create_user(db.session, "national@example.org", Role.NATIONAL_TEAM, "National")
    national.password_hash = auth.hash_password(PASSWORD)
    db.session.commit()
    login(client, national)
    plan = db.session.scalars(select(ImprovementPlan).order_by(ImprovementPlan.id)).first()
    visit = db.session.scalars(select(FollowUpVisit).order_by(FollowUpVisit.id)).first()
    fround = db.session.scalars(select(FundingRound).order_by(FundingRound.id)).first()
    assert plan and visit and fround
    closed = db.session.scalars(select(Round).where(Round.status == "closed").order_by(Round.id)).first()
    for url in ("/plans/", f"/plans/rounds/{closed.id}", f"/plans/{plan.id}", "/follow-ups/",
                f"/follow-ups/{visit.id}/results", "/follow-ups/compliance", "/funding/", f"/funding/{fround.id}",
                f"/funding/{fround.id}/allocation.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert plan.facility.code in page or plan.facility.name in page
    csv = client.get(f"/funding/{fround.id}/allocation.csv").get_data(as_text=True)
    assert plan.facility.code in csv


def test_no_plans_loads_the_assessments_only(app_ctx, runner):
    result = runner.invoke(args=["seed-scale", "--facilities", "6", "--rounds", "3", "--seed", "7", "--no-plans"])
    assert result.exit_code == 0, result.output
    assert "0 plans, 0 follow-up visits and 0 allocation lines" in result.output
    assert count(Assessment, Assessment.kind == "agreed") > 0
    assert (count(ImprovementPlan), count(FollowUpVisit), count(FundingRound)) == (0, 0, 0)

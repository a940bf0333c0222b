"""Follow-up visits through the web: scheduling with the team rules, the visit form (bad input
refused whole, stale saves refused with both versions), submission, reopening, results and PDF,
the national compliance table. Hand-computed figures: tests/followup_fixtures.py."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from shelterassess.assessments.models import AreaResult, Assessment, AssessmentEvent, Score
from shelterassess.extensions import db
from shelterassess.followups import services
from shelterassess.followups.models import FollowUpVisit
from tests import followup_fixtures as ff
from tests import peer_scoring_fixtures as pf
from tests.conftest import login


def _snapshot(visit_id: int) -> tuple:
    """Everything the visit form can change, to check that a refused save changed nothing."""
    db.session.expire_all()
    visit = db.session.get(FollowUpVisit, visit_id)
    results = sorted((r.action_id, r.outcome, r.note, r.version) for r in visit.results)
    scores = sorted(tuple(row) for row in db.session.execute(
        select(Score.indicator_id, Score.value, Score.not_applicable, Score.evidence, Score.note, Score.version)
        .where(Score.assessment_id == visit.assessment_id)))
    return visit.status, visit.version, results, scores


# -- scheduling ----------------------------------------------------------------------------

def test_national_team_schedules_a_visit_with_the_assessing_team_suggested(client, world):
    plan = ff.plan_a(world)
    pf.team_one(world)
    db.session.commit()
    login(client, world.national)
    page = client.get(f"/follow-ups/plans/{plan.id}/schedule")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Team 1" in html and "assessed this facility" in html
    assert f'<option selected value="{world.team_one.id}"' in html or f'value="{world.team_one.id}" selected' in html
    planned = ff.today() + dt.timedelta(days=10)
    r = client.post(f"/follow-ups/plans/{plan.id}/schedule",
                    data={"team_id": world.team_one.id, "planned_on": planned.isoformat()})
    assert r.status_code == 302
    visit = db.session.scalar(select(FollowUpVisit))
    assert visit.planned_on == planned and visit.status == "planned"
    # the follow-up assessment holds the linked indicators of the actions not dropped: A1, A2, B2 (not B1)
    assessment = db.session.get(Assessment, visit.assessment_id)
    assert assessment.kind == "follow_up" and assessment.team_id is None
    codes = sorted(s.indicator.code for s in db.session.scalars(select(Score).where(Score.assessment_id == assessment.id)))
    assert codes == ["A1", "A2", "B2"]
    assert len(visit.results) == 3  # the dropped action has no row


def test_a_team_with_a_member_from_the_visited_facility_is_refused(client, world):
    plan = ff.plan_a(world)
    team = pf.make_team(world, "Mixed", world.manager_b, [world.staff_a], facilities=[world.facility_b])
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/follow-ups/plans/{plan.id}/schedule",
                    data={"team_id": team.id, "planned_on": (ff.today() + dt.timedelta(days=3)).isoformat()})
    assert r.status_code == 422
    assert "works at SH-A" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(FollowUpVisit.id))) == 0


def test_reciprocal_follow_ups_are_refused(app_ctx, world):
    """A team with a member from A follows up on C while a team with a member from C follows up on A."""
    pf.add_facility_c(world)
    plan_a = ff.plan_a(world)
    plan_c = ff.make_plan(world, facility=world.facility_c)
    team_c = pf.make_team(world, "From C", world.manager_c, [world.staff_c], facilities=[world.facility_b])
    team_a = pf.make_team(world, "From A", world.manager_a, [world.staff_a], facilities=[world.facility_b])
    services.schedule_visit(db.session, world.national, plan_a, team_c, ff.today(), ff.today())
    with pytest.raises(services.TeamRulesFailed) as refused:
        services.schedule_visit(db.session, world.national, plan_c, team_a, ff.today(), ff.today())
    assert [r.code for r in refused.value.results] == ["reciprocal_assessment"]


@pytest.mark.parametrize(("planned", "status", "message"), [
    (-1, "accepted", "cannot be in the past"),
    (3, "draft", "Only an accepted plan"),
    (None, "accepted", "Give the planned date"),
])
def test_scheduling_refusals(client, world, planned, status, message):
    plan = ff.plan_a(world, status=status)
    pf.team_one(world)
    db.session.commit()
    login(client, world.national)
    when = "" if planned is None else (ff.today() + dt.timedelta(days=planned)).isoformat()
    r = client.post(f"/follow-ups/plans/{plan.id}/schedule", data={"team_id": world.team_one.id, "planned_on": when})
    assert r.status_code == 422 and message in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(FollowUpVisit.id))) == 0


def test_a_plan_has_one_open_visit_at_a_time(app_ctx, world):
    ff.visit_a(world)
    with pytest.raises(services.ValidationFailed, match="already has a follow-up visit"):
        services.schedule_visit(db.session, world.national, ff.plan_a(world), world.team_one, ff.today(), ff.today())


def test_an_all_dropped_plan_cannot_be_visited(app_ctx, world):
    plan = ff.make_plan(world, actions=[("Dropped", ("A1",), 1000, "other", "dropped")])
    with pytest.raises(services.ValidationFailed, match="Every action of this plan was dropped"):
        services.schedule_visit(db.session, world.national, plan, pf.team_one(world), ff.today(), ff.today())


# -- the visit form ---------------------------------------------------------------------------

def test_team_members_fill_the_form_and_the_lead_submits(client, world):
    visit = ff.visit_a(world)
    db.session.commit()
    login(client, world.staff_b)
    page = client.get(f"/follow-ups/{visit.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Lock the file cabinets" in html and "Repaint the files room" in html
    assert "agreed score" in html.lower()
    r = client.post(f"/follow-ups/{visit.id}", data=ff.visit_form(world, visit))
    assert r.status_code == 302
    db.session.expire_all()
    assert {r.action.position: r.outcome for r in visit.results} == ff.RESULTS
    assert visit.status == "in_progress"
    # staff cannot submit; the lead can
    assert client.post(f"/follow-ups/{visit.id}/submit", data={"visited_on": ff.today().isoformat()}).status_code == 403
    client.post("/logout")
    login(client, world.manager_b)
    r = client.post(f"/follow-ups/{visit.id}/submit", data={"visited_on": ff.today().isoformat()})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/follow-ups/{visit.id}/results")
    db.session.expire_all()
    assert visit.status == "submitted" and visit.visited_on == ff.today() and visit.submitted_by_id == world.manager_b.id
    assessment = db.session.get(Assessment, visit.assessment_id)
    stored = {r.area.code: (round(r.percentage, 4), r.applicable, r.total) for r in assessment.area_results}
    # A: A1 3, A2 2 -> 83.33 %; B: B1 agreed 3, B2 3 -> 100 %
    assert stored == {"A": (83.3333, 2, 2), "B": (100.0, 2, 2)}
    assert assessment.status == "submitted"
    # locked: a later save is refused with a message, and changes nothing
    before = _snapshot(visit.id)
    r = client.post(f"/follow-ups/{visit.id}", data=ff.visit_form(world, visit, results={1: "not_implemented"}))
    assert r.status_code == 409 and "nothing was saved" in r.get_data(as_text=True)
    assert _snapshot(visit.id) == before


@pytest.mark.parametrize(("change", "message"), [
    (lambda w, data: data.update({"outcome-999999": "implemented"}), "does not check"),
    (lambda w, data: data.update({f"outcome-{ff.action(w, 1).id}": "done-ish"}), "choose implemented, partly"),
    (lambda w, data: data.update({f"score-{ff.indicators(w)['A1'].id}": "4"}), "A1: choose 0, 1, 2 or 3"),
    (lambda w, data: data.update({f"score-{ff.indicators(w)['A1'].id}": "na"}), "A1: choose 0, 1, 2 or 3"),
    (lambda w, data: data.update({f"score-{ff.indicators(w)['B1'].id}": "2"}), "does not check"),
    (lambda w, data: data.update({f"outcome-{ff.action(w, 4).id}": "implemented"}), "does not check"),
    (lambda w, data: data.update({f"note-{ff.indicators(w)['B2'].id}": "x" * 2001}), "longer than 2000"),
])
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, world, change, message):
    visit = ff.visit_a(world)
    ff.record(world, visit, results={1: "partly"}, scores={"A1": 1})
    db.session.commit()
    before = _snapshot(visit.id)
    login(client, world.staff_b)
    data = ff.visit_form(world, visit)
    change(world, data)
    r = client.post(f"/follow-ups/{visit.id}", data=data)
    assert r.status_code == 200
    assert message in r.get_data(as_text=True)
    assert _snapshot(visit.id) == before


def test_a_visit_date_in_the_future_is_refused_and_changes_nothing(client, world):
    visit = ff.visit_a(world)
    ff.record(world, visit)
    db.session.commit()
    before = _snapshot(visit.id)
    login(client, world.manager_b)
    r = client.post(f"/follow-ups/{visit.id}/submit",
                    data={"visited_on": (ff.today() + dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and "cannot be in the future" in r.get_data(as_text=True)
    assert _snapshot(visit.id) == before


def test_submission_needs_every_action_and_indicator(client, world):
    visit = ff.visit_a(world)
    ff.record(world, visit, results={1: "implemented"}, scores={"A1": 2})
    db.session.commit()
    login(client, world.manager_b)
    r = client.post(f"/follow-ups/{visit.id}/submit", data={"visited_on": ff.today().isoformat()})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Missing: action 2, action 3." in html and "Missing: A2, B2." in html
    db.session.expire_all()
    assert visit.status == "in_progress"


def test_a_stale_save_is_refused_with_both_versions_shown(client, world):
    visit = ff.visit_a(world)
    ff.record(world, visit, results={1: "partly"}, scores={"A1": 1})
    db.session.commit()
    form = ff.visit_form(world, visit, results={1: "implemented"}, scores={"A1": 3})
    a1 = ff.indicators(world)["A1"]
    result_1 = next(r for r in visit.results if r.action_id == ff.action(world, 1).id)
    form[f"aversion-{result_1.action_id}"] = str(result_1.version)
    form[f"version-{a1.id}"] = str(db.session.scalar(select(Score.version).where(
        Score.assessment_id == visit.assessment_id, Score.indicator_id == a1.id)))
    # a colleague saves first
    ff.record(world, visit, results={1: "not_implemented"}, scores={"A1": 0}, user=world.manager_b)
    db.session.commit()
    before = _snapshot(visit.id)
    login(client, world.staff_b)
    r = client.post(f"/follow-ups/{visit.id}", data=form)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Someone else changed action 1, A1" in html
    assert "Saved by someone else:" in html and "Not implemented" in html
    assert 'value="implemented" checked' in html  # the user's own answer is still in the form
    assert _snapshot(visit.id) == before
    # saving again deliberately replaces the colleague's copy
    again = client.post(f"/follow-ups/{visit.id}", data={**form, f"aversion-{result_1.action_id}": str(before[2][0][3]),
                                                       f"version-{a1.id}": str(next(s[5] for s in before[3] if s[0] == a1.id))})
    assert again.status_code == 302


# -- reopening -----------------------------------------------------------------------------------

def test_the_national_team_reopens_with_a_recorded_reason(client, world):
    visit = ff.submitted_visit(world)
    db.session.commit()
    login(client, world.national)
    assert client.post(f"/follow-ups/{visit.id}/reopen", data={"reason": "ok"}).status_code == 200
    r = client.post(f"/follow-ups/{visit.id}/reopen", data={"reason": "B2 was scored on the wrong cabinet"})
    assert r.status_code == 302
    db.session.expire_all()
    assert visit.status == "in_progress" and visit.submitted_at is None
    event = db.session.scalar(select(AssessmentEvent).where(AssessmentEvent.assessment_id == visit.assessment_id,
                                                            AssessmentEvent.action == "reopened"))
    assert event.user_id == world.national.id and event.reason == "B2 was scored on the wrong cabinet"
    assert db.session.scalar(select(func.count(AreaResult.id)).where(AreaResult.assessment_id == visit.assessment_id)) == 0
    assert "B2 was scored on the wrong cabinet" in client.get(f"/follow-ups/{visit.id}").get_data(as_text=True)


# -- results ---------------------------------------------------------------------------------------

def test_results_page_shows_the_hand_computed_figures(client, world):
    visit = ff.submitted_visit(world)
    db.session.commit()
    login(client, world.manager_a)
    html = client.get(f"/follow-ups/{visit.id}/results").get_data(as_text=True)
    assert "75.0%" in html  # compliance (1 + 0.5) / 2
    assert "2,500,000 ₫" in html  # 5 000 000 đ / 2 points
    assert "66.7%" in html and "83.3%" in html and "100.0%" in html and "+16.7" in html
    assert "N/A in the agreed result: no change counted" in html
    assert "75.0%" in html and "91.7%" in html  # overall 75 -> 91.7


def test_results_in_vietnamese_use_the_vietnamese_grouping(client_vi, world):
    visit = ff.submitted_visit(world)
    db.session.commit()
    login(client_vi, world.manager_a)
    html = client_vi.get(f"/follow-ups/{visit.id}/results").get_data(as_text=True)
    assert "2.500.000" in html


def test_facility_users_see_results_only_once_submitted(client, world):
    visit = ff.visit_a(world)
    db.session.commit()
    login(client, world.staff_a)
    assert client.get(f"/follow-ups/{visit.id}/results").status_code == 404
    assert client.get(f"/follow-ups/{visit.id}").status_code == 404


def test_staff_of_another_facility_get_404_on_visits_and_pdfs(client, world):
    pf.add_facility_c(world)
    visit = ff.submitted_visit(world)
    db.session.commit()
    login(client, world.staff_c)
    for url in (f"/follow-ups/{visit.id}", f"/follow-ups/{visit.id}/results", f"/follow-ups/{visit.id}.pdf",
                "/follow-ups/999999", "/follow-ups/999999.pdf"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["Follow-up report", "Compliance rate", "75.0%", "2,500,000", "Before and after by area", "SH-A"]),
    ("vi", ["75,0", "2.500.000", "SH-A", "Nhà tạm lánh A"]),
])
def test_follow_up_pdf_parsed_back(client, world, lang, expected):
    visit = ff.submitted_visit(world)
    db.session.commit()
    login(client, world.manager_a)
    r = client.get(f"/follow-ups/{visit.id}.pdf?lang={lang}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(r.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for piece in expected:
        assert piece in text, piece
    assert reader.metadata.title.startswith("Follow-up report" if lang == "en" else "")


# -- lists and the national table ---------------------------------------------------------------

def test_visit_lists(client, world):
    visit = ff.visit_a(world, planned_on=ff.today() - dt.timedelta(days=2))
    db.session.commit()
    login(client, world.national)
    html = client.get("/follow-ups/").get_data(as_text=True)
    overdue = html.split("Overdue visits")[1].split("Done")[0]
    assert "SH-A" in overdue
    client.post("/logout")
    login(client, world.staff_b)
    assert "SH-A" in client.get("/follow-ups/").get_data(as_text=True)
    client.post("/logout")
    login(client, world.staff_a)  # the visited facility sees nothing until it is submitted
    assert f"/follow-ups/{visit.id}" not in client.get("/follow-ups/").get_data(as_text=True)


def test_national_compliance_table_matches_the_facility_page(client, world):
    visit = ff.submitted_visit(world)
    db.session.commit()
    login(client, world.national)
    html = client.get(f"/follow-ups/compliance?round={world.round.id}").get_data(as_text=True)
    assert "Hà Nội" in html or "Ha Noi" in html
    row = html.split('SH-A</a>')[1].split("</tr>")[0]
    assert "75.0%" in row and "1 / 1 / 0 / 1" in row and "+2" in row and "5,000,000" in row and "2,500,000" in row
    national = html.split("National total")[1].split("</tr>")[0]
    assert "75.0%" in national and "2,500,000" in national
    # the SQL aggregates give the same figures as the facility's page (the domain on the loaded rows)
    from shelterassess.followups.national_data import compliance_table
    from shelterassess.followups.report_data import follow_up_report

    report = follow_up_report(db.session, visit, "en")
    (group,) = compliance_table(db.session, world.round.id, "en").groups
    figures = group.rows[0].figures
    assert figures.compliance == report.compliance.rate
    assert figures.points_gained == report.points_gained
    assert figures.cost == report.cost


# -- trends -------------------------------------------------------------------------------------

def test_trends_show_the_follow_up_after_its_round(client, world):
    pf.released(world)
    visit = ff.submitted_visit(world)
    db.session.commit()
    login(client, world.manager_a)
    html = client.get(f"/comparisons/facilities/{world.facility_a.id}/trends").get_data(as_text=True)
    table = html.split('id="trend-table"')[1]
    agreed_row, follow_up_row = table.split("Agreed result")[1], table.split("Follow-up, ")[1]
    assert table.index("Agreed result") < table.index("Follow-up, ")
    # agreed: A 66.7 %, B 83.3 %, overall 75 %; follow-up: A 83.3 %, B 100 %, overall 91.7 %
    assert [c for c in ("66.7%", "83.3%", "75.0%") if c in agreed_row.split("</tr>")[0]] == ["66.7%", "83.3%", "75.0%"]
    cells = follow_up_row.split("</tr>")[0]
    assert "83.3%" in cells and "100.0%" in cells and "91.7%" in cells
    assert visit.visited_on is not None


def test_trends_hide_the_follow_up_while_the_agreed_result_is_not_shown(client, world):
    ff.submitted_visit(world)  # agreed result finalised but not released to the facility
    db.session.commit()
    login(client, world.manager_a)
    html = client.get(f"/comparisons/facilities/{world.facility_a.id}/trends").get_data(as_text=True)
    assert "Follow-up, " not in html


# -- a closed round, and the demo seed ---------------------------------------------------------------

def test_a_closed_rounds_plan_is_followed_up_and_the_demo_seed_is_idempotent(app_ctx, world):
    from shelterassess.cli.seed_followups import seed_demo_follow_up
    from shelterassess.rounds import services as round_services

    ff.plan_a(world)
    pf.team_one(world)
    round_services.close_round(db.session, world.round)
    visit = seed_demo_follow_up(db.session, world.round, world.facility_a, world.national, ff.today())
    assert visit is not None and visit.status == "submitted" and visit.team_id == world.team_one.id
    assert {r.outcome for r in visit.results} == {"implemented", "partly"}
    assert seed_demo_follow_up(db.session, world.round, world.facility_a, world.national, ff.today()) is None
    assert db.session.scalar(select(func.count(FollowUpVisit.id))) == 1


def test_national_table_pools_provinces_and_takes_each_plans_latest_visit(app_ctx, world):
    from shelterassess.followups.national_data import compliance_table
    from shelterassess.followups.report_data import follow_up_report

    first = ff.submitted_visit(world)  # A (Ha Noi): 75 %, +2 points, 5 000 000 đ for 2 points
    plan_b = ff.make_plan(world, facility=world.facility_b, actions=[
        ("Repair the bedroom doors", ("A1",), 1_000_000, "facilities_improvement", "planned"),
        ("Lock the cabinets", ("B2",), 2_000_000, "facilities_improvement", "planned"),
    ])
    visit_b = services.schedule_visit(db.session, world.national, plan_b, pf.team_two(world), ff.today(), ff.today())
    by_code = ff.indicators(world)
    services.save_results(db.session, world.staff_c, visit_b, [
        services.ActionInput(plan_b.actions[0].id, "implemented", "", None),
        services.ActionInput(plan_b.actions[1].id, "not_implemented", "", None),
    ], [services.ScoreInput(by_code["A1"].id, 1, False, (), "", None),  # agreed 2 -> 1: the score fell
        services.ScoreInput(by_code["B2"].id, 2, False, (), "", None)])
    services.submit_visit(db.session, world.manager_c, visit_b, ff.today(), ff.today())
    # a second visit of A's plan: everything implemented now; it replaces the first in the table
    second = services.schedule_visit(db.session, world.national, ff.plan_a(world), world.team_one, ff.today(),
                                     ff.today())
    ff.record(world, second, results={1: "implemented", 2: "implemented", 3: "implemented"})
    services.submit_visit(db.session, world.manager_b, second, ff.today(), ff.today())
    table = compliance_table(db.session, world.round.id, "en")
    assert [g.name for g in table.groups] == ["Ha Noi", "Lao Cai"] and table.facilities == 2
    assert table.groups[0].rows[0].visit_id == second.id != first.id
    for group, visit in zip(table.groups, (second, visit_b)):
        report = follow_up_report(db.session, visit, "en")
        figures = group.rows[0].figures
        assert (figures.compliance, figures.points_gained, figures.cost) == (
            report.compliance.rate, report.points_gained, report.cost)
    b = table.groups[1].totals
    assert (b.compliance_pct, b.points_gained, b.cost.value, b.cost.undefined_reason.value) == (50.0, -1, None,
                                                                                              "scores_fell")
    n = table.totals
    # pooled: A's second visit 3 implemented, B 1 implemented + 1 not: 4 / 5 = 80 %; +2 - 1 points;
    # spent 2 000 000 + 5 000 000 + 3 000 000 (A) + 1 000 000 (B) = 11 000 000 đ for 2 + (-1) = 1 point
    assert (n.compliance_pct, n.points_gained, n.spent_vnd, n.points_for_cost, n.cost.value) == (
        80.0, 1, 11_000_000, 1, 11_000_000)


def test_an_action_dropped_after_the_visit_leaves_page_and_table(app_ctx, world):
    from shelterassess.followups.national_data import compliance_table
    from shelterassess.followups.report_data import follow_up_report

    visit = ff.submitted_visit(world)
    ff.action(world, 1).status = "dropped"  # implemented, 2 000 000 đ, B2
    db.session.flush()
    report = follow_up_report(db.session, visit, "en")
    figures = compliance_table(db.session, world.round.id, "en").totals
    # left: partly (3) and no longer relevant (2): compliance 50 %; B2 still linked to action 3
    assert report.compliance.rate == figures.compliance == 0.5
    assert report.points_gained == figures.points_gained == 2
    assert report.cost == figures.cost and report.cost.spent_vnd == 3_000_000

"""``seed-scale``: synthetic national-scale data whose rows equal what the services store."""
from sqlalchemy import func, select

from shelterassess.assessments import peer_queries, queries
from shelterassess.assessments.models import AreaResult, Assessment, AssessmentEvent, Score
from shelterassess.assessments.reconciliation import check_agreed
from shelterassess.auth import services as auth
from shelterassess.auth.roles import Role
from shelterassess.extensions import db
from shelterassess.facilities.models import Country, Facility
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import Indicator
from tests.conftest import PASSWORD, login


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def seed(runner, *extra):
    return runner.invoke(args=["seed-scale", "--facilities", "6", "--rounds", "2", "--seed", "7", *extra])


def stored(assessment):
    return [(r.area_id, r.position, r.percentage, r.applicable, r.total) for r in assessment.area_results]


def test_generated_rows_equal_what_the_services_compute(app_ctx, runner):
    result = seed(runner)
    assert result.exit_code == 0, result.output
    assert "Loaded 6 facilities, 2 rounds" in result.output
    assert count(Facility) == 6
    assert count(Country) >= 3 and len({f.province.country.code for f in db.session.scalars(select(Facility))}) >= 2
    rounds = db.session.scalars(select(Round).order_by(Round.id)).all()
    assert [r.status for r in rounds] == ["closed", "open"] and all(r.sheet.is_published for r in rounds)
    assert count(Assessment, Assessment.kind == "self") == 12  # one per facility and round
    per_sheet = count(Indicator, Indicator.sheet_id == rounds[0].sheet_id)
    assert count(Score) == count(Assessment) * per_sheet
    kinds = set(db.session.scalars(select(Assessment.kind)))
    assert {"self", "peer", "agreed"} <= kinds, kinds

    submitted = db.session.scalars(select(Assessment).where(Assessment.status == "submitted")).unique().all()
    assert submitted
    for assessment in submitted:
        # what submit() would store, recomputed by the app from the stored answers
        score = queries.compute_score(db.session, assessment)
        assert score.complete
        assert stored(assessment) == [(int(a.key), pos, a.percentage, a.applicable, a.total)
                                      for pos, a in enumerate(score.areas, start=1)]
        assert assessment.overall_percentage == score.overall_percentage
        assert assessment.red_flag_count == len(score.red_flags)
        assert assessment.submitted_by_id is not None and assessment.submitted_at is not None
    drafts = db.session.scalars(select(Assessment).where(Assessment.status == "draft")).unique().all()
    assert all(not d.area_results and d.overall_percentage is None for d in drafts)
    assert count(AreaResult) == sum(len(a.area_results) for a in submitted)
    assert count(AssessmentEvent, AssessmentEvent.action == "submitted") == len(submitted)

    # the finalised agreed results pass the reconciliation rules (every reason the app asks for is written)
    agreed = [a for a in submitted if a.kind == "agreed"]
    assert agreed and all(a.is_released for a in agreed)
    for a in agreed:
        data = peer_queries.reconciliation_data(db.session, a.facility, a.round)
        entries = {r.ratings.key: r.current for r in data.rows}
        assert data.available and not data.pending_teams
        assert check_agreed([r.ratings for r in data.rows], entries, complete=True) == []


def test_refuses_a_database_with_facilities_unless_appending(app_ctx, runner):
    assert seed(runner).exit_code == 0
    totals = (count(Facility), count(Assessment), count(Score))
    refused = seed(runner)
    assert refused.exit_code != 0
    assert "already holds 6 facilities" in refused.output and "--append" in refused.output
    assert "Traceback" not in refused.output
    assert (count(Facility), count(Assessment), count(Score)) == totals
    appended = seed(runner, "--append")
    assert appended.exit_code == 0, appended.output
    assert count(Facility) == 12 and count(Round) == 2
    assert count(Assessment, Assessment.kind == "self") == 24


def test_national_pages_render_over_generated_data(app_ctx, runner, client):
    assert seed(runner).exit_code == 0
    national = auth.create_user(db.session, "national@example.org", Role.NATIONAL_TEAM, "National")
    national.password_hash = auth.hash_password(PASSWORD)
    db.session.commit()
    login(client, national)
    closed, current = db.session.scalars(select(Round).order_by(Round.id)).all()
    agreed = db.session.scalars(select(Assessment).where(Assessment.kind == "agreed")).first()
    facility = db.session.scalars(select(Facility).order_by(Facility.code)).first()
    for url in ("/assessments/", f"/assessments/?round_id={current.id}", "/comparisons/",
                f"/comparisons/rounds/{closed.id}/national",
                f"/comparisons/facilities/{agreed.facility_id}/rounds/{closed.id}",
                f"/assessments/{agreed.id}/results"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get("/assessments/").get_data(as_text=True)
    assert facility.name in page or facility.code in page


def test_the_planner_statistics_are_refreshed_after_the_load(app_ctx, runner):
    """Without ANALYZE the planner takes the bulk-loaded tables for empty ones (PostgreSQL has
    no pg_stats rows, SQLite no sqlite_stat1 row) and sorts a whole round for one page."""
    from sqlalchemy import text

    assert seed(runner).exit_code == 0
    if db.engine.dialect.name == "postgresql":
        assert db.session.scalar(text("SELECT count(*) FROM pg_stats WHERE tablename = 'score'")) > 0
    else:
        assert db.session.scalar(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'assessment'")) >= 1

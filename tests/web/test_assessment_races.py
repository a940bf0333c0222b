"""Saving and submitting an assessment when requests race, against a served app (threads), on
SQLite and PostgreSQL (issue 11, findings 5 and 8).

Each test widens the window between a service's check and its commit with a pause, as
``test_official_result_races.py`` does, so that without the lock of
``services.lock_assessment`` the other request would slip in (checked by hand: with
``lock_rows`` a no-op in ``shelterassess.assessments.services``, every test here fails).
"""
import pytest

from shelterassess.assessments import queries, services
from shelterassess.assessments.models import Assessment, AssessmentEvent
from shelterassess.extensions import db
from tests import peer_scoring_fixtures as pf
from tests.served import Client, pause_after, run_in_window, served  # noqa: F401 (fixture)


@pytest.fixture
def draft(world):
    """Facility A's self-assessment, every indicator answered, not submitted."""
    assessment = pf.self_assessment(world, submit=False)
    db.session.commit()
    return assessment


def _area_post(assessment, area, values):
    """The area form as the browser sends it, from the versions saved now."""
    scores = queries.scores_by_indicator(db.session, assessment)
    data = {}
    for ind, value in zip(area.indicators, values):
        data.update({f"score-{ind.id}": value, f"evidence-{ind.id}": ["observation"], f"note-{ind.id}": "",
                     f"version-{ind.id}": str(scores[ind.id].version)})
    return data


def _assert_results_match_scores(assessment_id: int) -> Assessment:
    db.session.expire_all()
    assessment = db.session.get(Assessment, assessment_id)
    if assessment.is_submitted:
        computed = queries.compute_score(db.session, assessment)
        stored = [(r.area_id, round(r.percentage, 6)) for r in assessment.area_results]
        expected = [(int(a.key), round(float(a.percentage), 6)) for a in computed.areas]
        assert stored == expected, "stored area results differ from the scores"
        assert assessment.overall_percentage == pytest.approx(float(computed.overall_percentage))
    return assessment


def test_a_save_arriving_while_the_assessment_is_submitted(world, draft, served, monkeypatch):  # noqa: F811
    """The submission has computed the results; a save of other answers arrives before it commits."""
    area = world.sheet.areas[0]
    data = _area_post(draft, area, ["0", "1"])
    staff, manager = Client(served, world.staff_a), Client(served, world.manager_a)
    reached = pause_after(monkeypatch, queries, "compute_score", "/submit")
    submit, save = run_in_window(
        lambda: manager.post(f"/assessments/{draft.id}/submit"),
        lambda: staff.post(f"/assessments/{draft.id}/areas/{area.id}", data=data),
        reached,
    )
    assert submit[0] == 302 and save[0] == 200, (submit[0], save[0])
    assessment = _assert_results_match_scores(draft.id)
    assert assessment.is_submitted
    assert "submitted and is read-only" in save[1]


def test_a_submission_arriving_while_an_area_is_saved(world, draft, served, monkeypatch):  # noqa: F811
    """The save has checked its answers; the submission arrives before the save commits."""
    area = world.sheet.areas[0]
    data = _area_post(draft, area, ["0", "1"])
    staff, manager = Client(served, world.staff_a), Client(served, world.manager_a)
    reached = pause_after(monkeypatch, services, "_check_input", f"/areas/{area.id}")
    save, submit = run_in_window(
        lambda: staff.post(f"/assessments/{draft.id}/areas/{area.id}", data=data),
        lambda: manager.post(f"/assessments/{draft.id}/submit"),
        reached,
    )
    assert save[0] == 302 and submit[0] == 302, (save[0], submit[0])
    assessment = _assert_results_match_scores(draft.id)
    assert assessment.is_submitted


def test_two_saves_of_the_same_area_at_once(world, draft, served, monkeypatch):  # noqa: F811
    """Both started from the same versions: one is saved, the other shows both versions (no 500)."""
    area = world.sheet.areas[0]
    first, second = _area_post(draft, area, ["0", "1"]), _area_post(draft, area, ["1", "2"])
    staff, manager = Client(served, world.staff_a), Client(served, world.manager_a)
    reached = pause_after(monkeypatch, services, "_check_input", f"/areas/{area.id}")
    one, two = run_in_window(
        lambda: staff.post(f"/assessments/{draft.id}/areas/{area.id}", data=first),
        lambda: manager.post(f"/assessments/{draft.id}/areas/{area.id}", data=second),
        reached,
    )
    assert one[0] == 302 and two[0] == 200, (one[0], two[0])
    assert "Someone else changed A1, A2 since you opened this page" in two[1]
    db.session.expire_all()
    scores = queries.scores_by_indicator(db.session, draft)
    assert [scores[i.id].value for i in area.indicators] == [0, 1]


def test_submitting_twice_at_once_submits_once(world, draft, served, monkeypatch):  # noqa: F811
    """Two clicks on "Submit": one submission, then a clear message (no duplicate area result)."""
    manager_1, manager_2 = Client(served, world.manager_a), Client(served, world.manager_a)
    reached = pause_after(monkeypatch, queries, "compute_score", "/submit")
    one, two = run_in_window(
        lambda: manager_1.post(f"/assessments/{draft.id}/submit"),
        lambda: manager_2.post(f"/assessments/{draft.id}/submit"),
        reached,
    )
    assert one[0] == 302 and two[0] == 302, (one[0], two[0])
    _assert_results_match_scores(draft.id)
    events = db.session.scalars(db.select(AssessmentEvent).where(
        AssessmentEvent.assessment_id == draft.id, AssessmentEvent.action == "submitted")).all()
    assert len(events) == 1
    overview = manager_2.get(f"/assessments/{draft.id}")[1]
    assert "This assessment has already been submitted." in overview

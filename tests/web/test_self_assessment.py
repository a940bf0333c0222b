"""The self-assessment journey through HTTP: start, fill, save, submit, reopen, results."""
from sqlalchemy import select

from shelterassess.assessments.models import Assessment, Score
from shelterassess.extensions import db
from tests.area_posts import post_area
from tests.conftest import login


def _start(client, world):
    response = client.post("/assessments/start", data={"round_id": world.round.id})
    assert response.status_code == 302
    return db.session.scalar(select(Assessment).where(Assessment.facility_id == world.facility_a.id))


def _area_data(area, values, notes=None):
    data = {}
    for ind, value in zip(area.indicators, values):
        data[f"score-{ind.id}"] = value
        data[f"evidence-{ind.id}"] = ["observation"]
        data[f"note-{ind.id}"] = (notes or {}).get(ind.code, "")
    return data


def _fill_all(client, world, assessment, values=(("3", "na"), ("0", "2"))):
    for area, vals in zip(world.sheet.areas, values):
        r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=_area_data(area, vals))
        assert r.status_code == 302


def test_staff_fills_saves_and_finds_answers_after_reload(client, world):
    login(client, world.staff_a)
    assessment = _start(client, world)
    area = world.sheet.areas[0]
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}",
                  data=_area_data(area, ["2", "na"], {"A1": "Phòng ngủ sạch, có khóa"}))
    assert r.status_code == 302
    page = client.get(f"/assessments/{assessment.id}/areas/{area.id}").get_data(as_text=True)
    assert 'value="2" checked' in page and 'value="na" checked' in page
    assert "Phòng ngủ sạch, có khóa" in page
    overview = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "2 / 2" in overview and "0 / 2" in overview


def test_starting_twice_returns_the_same_assessment(client, world):
    login(client, world.staff_a)
    assert "Start the self-assessment for 2027 national round" in client.get("/").get_data(as_text=True)
    first = _start(client, world)
    home = client.get("/").get_data(as_text=True)
    assert "Open 2027 national round" in home and "Start the self-assessment" not in home
    second = _start(client, world)
    assert first.id == second.id
    assert db.session.scalar(select(db.func.count(Assessment.id))) == 1


def test_manager_submits_complete_sheet_and_results_show_percentages(client, world):
    login(client, world.staff_a)
    assessment = _start(client, world)
    _fill_all(client, world, assessment)
    client.post("/logout")
    login(client, world.manager_a)
    r = client.post(f"/assessments/{assessment.id}/submit")
    assert r.status_code == 302
    db.session.refresh(assessment)
    assert assessment.is_submitted
    # area A: 3 (N/A left out) -> 100 %; area B: (0 + 2) / 2 = 1 -> 33.3 %; overall (100 + 33.3) / 2 = 66.7 %
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert "66.7%" in page and "100.0%" in page and "33.3%" in page
    assert "Red flags" in page and "B1" in page
    assert '<svg' in page and 'role="img"' in page and "&lt;svg" not in page  # the chart, inlined once
    assert [r.percentage for r in assessment.area_results][0] == 100.0


def test_staff_cannot_submit(client, world):
    login(client, world.staff_a)
    assessment = _start(client, world)
    _fill_all(client, world, assessment)
    assert client.post(f"/assessments/{assessment.id}/submit").status_code == 403


def test_incomplete_sheet_is_not_submitted(client, world):
    login(client, world.manager_a)
    assessment = _start(client, world)
    r = client.post(f"/assessments/{assessment.id}/submit", follow_redirects=True)
    assert "4 indicators are not answered yet" in r.get_data(as_text=True)
    db.session.refresh(assessment)
    assert not assessment.is_submitted


def test_submitted_is_read_only_until_national_team_reopens(client, world):
    login(client, world.manager_a)
    assessment = _start(client, world)
    _fill_all(client, world, assessment)
    client.post(f"/assessments/{assessment.id}/submit")
    area = world.sheet.areas[0]
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=_area_data(area, ["0", "0"]))
    page = r.get_data(as_text=True)  # not a 403: the page says why and shows what was typed
    assert r.status_code == 200 and "This self-assessment was submitted; it is read-only now" in page
    client.post("/logout")
    login(client, world.national)
    r = client.post(f"/assessments/{assessment.id}/reopen", data={"reason": ""})
    assert r.status_code == 200 and "This field is required" in r.get_data(as_text=True)
    r = client.post(f"/assessments/{assessment.id}/reopen", data={"reason": "Area B was scored before the visit"})
    assert r.status_code == 302
    db.session.refresh(assessment)
    assert not assessment.is_submitted
    assert assessment.events[-1].action == "reopened"
    assert assessment.events[-1].user_id == world.national.id
    assert "Area B was scored" in client.get(f"/assessments/{assessment.id}").get_data(as_text=True)


def test_score_out_of_range_changes_nothing_and_keeps_typing(client, world):
    login(client, world.staff_a)
    assessment = _start(client, world)
    area = world.sheet.areas[0]
    data = _area_data(area, ["7", "na"], {"A1": "Ghi chú quan trọng", "A2": "Khu vui chơi"})
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=data)
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "A1: choose 0, 1, 2 or 3." in page
    assert "Ghi chú quan trọng" in page and "Khu vui chơi" in page
    scores = db.session.scalars(select(Score).where(Score.assessment_id == assessment.id)).all()
    assert all(s.value is None and not s.not_applicable and s.note == "" for s in scores)


def test_na_where_not_allowed_is_refused(client, world):
    login(client, world.staff_a)
    assessment = _start(client, world)
    area = world.sheet.areas[1]
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=_area_data(area, ["na", "2"]))
    assert r.status_code == 200 and "B1: choose 0, 1, 2 or 3." in r.get_data(as_text=True)


def test_overlong_note_is_refused_with_message(client, world):
    login(client, world.staff_a)
    assessment = _start(client, world)
    area = world.sheet.areas[0]
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=_area_data(area, ["1", "1"], {"A1": "x" * 2500}))
    assert r.status_code == 200 and "longer than 2000 characters" in r.get_data(as_text=True)


def test_one_megabyte_note_gets_413_not_500(client, world):
    login(client, world.staff_a)
    assessment = _start(client, world)
    area = world.sheet.areas[0]
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=_area_data(area, ["1", "1"], {"A1": "x" * 3_000_000}))
    assert r.status_code == 413


def test_stale_save_is_refused_and_nothing_is_lost(client, world, app):
    login(client, world.staff_a)
    assessment = _start(client, world)
    area = world.sheet.areas[0]
    a1 = area.indicators[0]
    old_version = db.session.scalar(select(Score.version).where(Score.assessment_id == assessment.id, Score.indicator_id == a1.id))
    post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=_area_data(area, ["3", "na"], {"A1": "first"}))
    stale = _area_data(area, ["1", "na"], {"A1": "second copy"})
    stale[f"version-{a1.id}"] = str(old_version)
    r = post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=stale)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Someone else changed A1" in page
    assert "second copy" in page and "first" in page
    db.session.expire_all()
    saved = db.session.scalar(select(Score).where(Score.assessment_id == assessment.id, Score.indicator_id == a1.id))
    assert (saved.value, saved.note) == (3, "first")

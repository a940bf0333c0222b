"""Assessors through HTTP: training sessions, participants, certification, calibration."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from shelterassess.assessors import queries, services
from shelterassess.extensions import db
from shelterassess.peer.models import CalibrationAttempt, Certification, TrainingParticipant, TrainingSession
from tests.conftest import login

KITE = "kite-house"
BORDER = "border-reception-centre-9"
#: A training held a month ago: calibration attempts made today count for certification.
TRAINED_ON = dt.date.today() - dt.timedelta(days=30)


def _training(title="Peer assessor training, north", attendees=(), held_on=TRAINED_ON):
    training = services.save_training(db.session, services.TrainingInput(title, held_on, "Hà Nội",
                                                                         "Trainer One, Trainer Two"))
    for user in attendees:
        services.add_participant(db.session, training, user)
    db.session.commit()
    return training


def _page(response) -> str:
    return response.get_data(as_text=True)


def _calibrate(user, slug=KITE, scores=None, at: dt.datetime | None = None) -> CalibrationAttempt:
    """An attempt by ``user`` (the reference answers by default: a pass), submitted now or ``at``."""
    case = queries.practice_case(slug)
    attempt = services.submit_calibration(db.session, user, case, queries.sheet_for(case),
                                          dict(case.reference if scores is None else scores))
    if at is not None:
        attempt.submitted_at = at
    db.session.commit()
    return attempt


def _constant(level: int) -> dict:
    return {key: level for key in queries.practice_sheet().keys}


# -- training sessions ----------------------------------------------------------------------

def test_national_creates_a_training_and_bad_input_keeps_the_typing(client, world):
    login(client, world.national)
    r = client.post("/assessors/trainings/new",
                    data={"title": "", "held_on": "abc", "place": "Nhà văn hóa Lào Cai", "trainers": "Cô Trainer"})
    assert r.status_code == 200
    page = _page(r)
    assert 'value="abc"' in page and "Nhà văn hóa Lào Cai" in page and "Cô Trainer" in page
    assert "Not a valid date value" in page and "This field is required" in page
    assert db.session.scalar(select(func.count(TrainingSession.id))) == 0

    r = client.post("/assessors/trainings/new",
                    data={"title": "Tập huấn đánh giá viên", "held_on": "2027-03-01", "place": "Lào Cai",
                          "trainers": "Trainer One"})
    assert r.status_code == 302
    training = db.session.scalar(select(TrainingSession))
    assert (training.title, training.held_on, training.place) == \
        ("Tập huấn đánh giá viên", dt.date(2027, 3, 1), "Lào Cai")
    assert "Tập huấn đánh giá viên" in _page(client.get("/assessors/trainings"))


def test_national_edits_a_training(client, world):
    training = _training(held_on=dt.date(2027, 3, 1))
    login(client, world.national)
    form = client.get(f"/assessors/trainings/{training.id}/edit")
    assert 'value="2027-03-01"' in _page(form)
    r = client.post(f"/assessors/trainings/{training.id}/edit",
                    data={"title": "Renamed", "held_on": "2027-03-02", "place": "Sa Pa", "trainers": "Trainer Three"})
    assert r.status_code == 302
    db.session.refresh(training)
    assert (training.title, training.held_on, training.trainers) == ("Renamed", dt.date(2027, 3, 2), "Trainer Three")


def test_participants_are_chosen_among_facility_users_added_removed_and_marked(client, world):
    training = _training()
    login(client, world.national)
    page = _page(client.get(f"/assessors/trainings/{training.id}"))
    assert "SH-A · staff.a · staff.a@example.org" in page and "RC-B · manager.b · manager.b@example.org" in page
    assert "national@example.org" not in page and "admin@example.org" not in page

    for user in (world.staff_a, world.staff_b):
        assert client.post(f"/assessors/trainings/{training.id}/participants",
                           data={"user_id": user.id}).status_code == 302
    assert {p.user_id for p in training.participants} == {world.staff_a.id, world.staff_b.id}
    assert all(p.attended for p in training.participants)

    again = client.post(f"/assessors/trainings/{training.id}/participants", data={"user_id": world.staff_a.id})
    assert again.status_code == 200 and "Not a valid choice" in _page(again)

    by_user = {p.user_id: p for p in training.participants}
    r = client.post(f"/assessors/trainings/{training.id}/attendance", data={"attended": [by_user[world.staff_a.id].id]})
    assert r.status_code == 302
    db.session.expire_all()
    assert {p.user_id: p.attended for p in training.participants} == {world.staff_a.id: True, world.staff_b.id: False}

    r = client.post(f"/assessors/trainings/{training.id}/participants/{by_user[world.staff_b.id].id}/remove")
    assert r.status_code == 302
    db.session.expire_all()
    assert [p.user_id for p in training.participants] == [world.staff_a.id]


def test_service_refuses_a_national_team_member_as_participant(world):
    from shelterassess.errors import ValidationFailed

    training = _training()
    with pytest.raises(ValidationFailed):
        services.add_participant(db.session, training, world.national)


# -- certification --------------------------------------------------------------------------

def test_certify_is_refused_with_a_message_for_someone_without_training(client, world):
    _training(attendees=[world.staff_a])
    login(client, world.national)
    r = client.post(f"/assessors/{world.manager_b.id}/certify", data={"note": "Keen"})
    assert r.status_code == 200
    page = _page(r)
    assert "manager.b has not attended any training yet" in page
    assert "Keen" in page  # the typed note is kept
    assert db.session.scalar(select(func.count(Certification.id))) == 0
    assert not queries.is_certified(db.session, world.manager_b.id)


def test_certify_is_refused_when_the_participant_was_absent(client, world):
    training = _training(attendees=[world.staff_b])
    services.record_attendance(db.session, training, set())
    db.session.commit()
    login(client, world.national)
    r = client.post(f"/assessors/{world.staff_b.id}/certify", data={"note": ""})
    assert "has not attended any training yet" in _page(r)


def test_national_certifies_then_revokes_and_the_record_shows_who_and_when(client, world):
    _training(attendees=[world.staff_a])
    _calibrate(world.staff_a, KITE)
    login(client, world.national)
    r = client.post(f"/assessors/{world.staff_a.id}/certify", data={"note": "Both practice cases passed"})
    assert r.status_code == 302
    cert = db.session.scalar(select(Certification))
    assert cert.certified_by_id == world.national.id and cert.certified_at is not None and cert.is_valid
    assert queries.is_certified(db.session, world.staff_a.id)
    assert queries.certified_assessors(db.session) == [world.staff_a]

    listing = _page(client.get("/assessors/"))
    assert "staff.a" in listing and "Peer assessor training, north" in listing
    assert "by national on" in listing

    twice = client.post(f"/assessors/{world.staff_a.id}/certify", data={"note": ""})
    assert "already certified" in _page(twice)

    empty = client.post(f"/assessors/{world.staff_a.id}/revoke", data={"reason": ""})
    assert empty.status_code == 200 and "This field is required" in _page(empty)
    assert queries.is_certified(db.session, world.staff_a.id)

    r = client.post(f"/assessors/{world.staff_a.id}/revoke", data={"reason": "Moved to another sector"})
    assert r.status_code == 302
    db.session.refresh(cert)
    assert cert.revoked_at is not None and cert.revoked_by_id == world.national.id
    assert cert.revoke_reason == "Moved to another sector" and cert.note == "Both practice cases passed"
    assert not queries.is_certified(db.session, world.staff_a.id)
    assert queries.certified_assessors(db.session) == []
    detail = _page(client.get(f"/assessors/{world.staff_a.id}"))
    assert "Revoked by national on" in detail and "Moved to another sector" in detail
    assert "Both practice cases passed" in detail
    assert "Revoked" in _page(client.get("/assessors/"))

    assert client.post(f"/assessors/{world.staff_a.id}/certify", data={"note": "Back"}).status_code == 302
    assert queries.is_certified(db.session, world.staff_a.id)
    assert db.session.scalar(select(func.count(Certification.id))) == 2


def test_a_person_sees_their_own_record_without_management_forms(client, world):
    _training(attendees=[world.staff_a])
    login(client, world.staff_a)
    page = _page(client.get(f"/assessors/{world.staff_a.id}"))
    assert "Peer assessor training, north" in page and "Not certified" in page
    assert "/certify" not in page
    assert client.get(f"/assessors/{world.manager_a.id}").status_code == 404  # as for an id that does not exist


@pytest.mark.parametrize("method, url", [
    ("GET", "/assessors/"), ("GET", "/assessors/trainings"), ("GET", "/assessors/trainings/new"),
    ("POST", "/assessors/trainings/new"), ("GET", "/assessors/trainings/{t}"),
    ("POST", "/assessors/trainings/{t}/edit"), ("POST", "/assessors/trainings/{t}/participants/{p}/remove"),
    ("POST", "/assessors/trainings/{t}/participants"), ("POST", "/assessors/trainings/{t}/attendance"),
    ("POST", "/assessors/{u}/certify"), ("POST", "/assessors/{u}/revoke"),
])
def test_facility_staff_get_403_on_management_routes(client, world, method, url):
    training = _training(attendees=[world.staff_a])
    login(client, world.manager_a)
    url = url.format(t=training.id, u=world.staff_a.id, p=training.participants[0].id)
    response = client.open(url, method=method,
                           data={"user_id": world.staff_a.id, "reason": "x", "title": "x"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count(Certification.id))) == 0
    assert db.session.scalar(select(func.count(TrainingParticipant.id))) == 1


# -- calibration ----------------------------------------------------------------------------

def _form(scores: dict, sheet=None) -> dict:
    """POST data for the calibration form from indicator key -> score (None = N/A)."""
    sheet = sheet or queries.practice_sheet()
    data = {}
    for ind in sheet.indicators:
        if ind.key in scores:
            data[f"score-{ind.code}"] = "na" if scores[ind.key] is None else str(scores[ind.key])
    return data


def _attempt(user) -> CalibrationAttempt:
    return db.session.scalar(select(CalibrationAttempt).where(CalibrationAttempt.user_id == user.id))


def test_calibration_page_shows_the_description_and_every_indicator(client, world):
    login(client, world.staff_a)
    page = _page(client.get(f"/assessors/calibration/{KITE}"))
    assert "Kite House is a fictional shelter" in page
    assert page.count('type="radio" name="score-') == 4 * 58 + 3  # 0..3 everywhere, N/A on three indicators
    assert 'name="score-D6" value="na"' in page and 'name="score-A1" value="na"' not in page


def test_calibration_in_vietnamese(client_vi, world):
    login(client_vi, world.staff_a)
    page = _page(client_vi.get(f"/assessors/calibration/{KITE}"))
    assert "Nhà Cánh Diều là một nhà tạm lánh giả định" in page


def test_submitting_the_reference_gives_full_agreement_and_kappa_one(client, world):
    case = queries.practice_case(KITE)
    login(client, world.staff_b)
    r = client.post(f"/assessors/calibration/{KITE}", data=_form(case.reference))
    assert r.status_code == 302
    attempt = _attempt(world.staff_b)
    assert attempt.scores == dict(case.reference)
    page = _page(client.get(r.headers["Location"]))
    assert '<td class="num" id="exact">100.0%</td>' in page
    assert '<td class="num" id="within-one">100.0%</td>' in page
    assert '<td class="num" id="kappa">1</td>' in page
    assert "Passed." in page and "None: every score is within one point" in page


def test_scores_shifted_by_one_are_all_within_one_but_fail_on_kappa(client, world):
    case = queries.practice_case(BORDER)
    shifted = {k: None if v is None else (v + 1 if v < 3 else v - 1) for k, v in case.reference.items()}
    login(client, world.manager_a)
    r = client.post(f"/assessors/calibration/{BORDER}", data=_form(shifted))
    page = _page(client.get(r.headers["Location"]))
    assert '<td class="num" id="exact">0.0%</td>' in page
    assert '<td class="num" id="within-one">100.0%</td>' in page
    assert '<td class="num" id="kappa">0.45</td>' in page
    assert "Not passed yet." in page and "The weighted kappa is too low: 0.45; at least 0.60 is needed." in page
    assert "Agreement within one point is too low" not in page


def test_large_differences_are_listed_with_the_reference_descriptor(client, world):
    """56 scored pairs (D6 and H6 are N/A), A4 and G3 answered 3 against 1: 54/56 = 96.4 % exact."""
    case = queries.practice_case(KITE)
    login(client, world.staff_a)
    answers = {**case.reference, "facilities.lighting": 3, "staffing.supervision": 3}
    r = client.post(f"/assessors/calibration/{KITE}", data=_form(answers))
    page = _page(client.get(r.headers["Location"]))
    assert '<td class="num" id="exact">96.4%</td>' in page
    assert "Some areas are lit, but paths to toilets or entrances are dark." in page
    assert "Supervision happens only after problems arise." in page


def test_the_rationale_of_each_reference_is_shown_after_the_attempt_never_before(client, world):
    case = queries.practice_case(KITE)
    login(client, world.staff_a)
    before = _page(client.get(f"/assessors/calibration/{KITE}"))
    assert case.rationale["facilities.lighting"]["en"] not in before and "Why the reference" not in before
    answers = {**case.reference, "facilities.lighting": 3}
    page = _page(client.get(client.post(f"/assessors/calibration/{KITE}", data=_form(answers)).headers["Location"]))
    large = page.split("Differences of two points or more")[1].split("All indicators")[0]
    assert "Why the reference" in large and "The house is lit but the path to the back bathroom has no lamp" in large
    every = page.split("All indicators")[1]
    assert every.count('<td class="rationale">') == len(queries.sheet_for(case).indicators)
    assert "Only adult women live here and every bedroom and bathroom door bolts from inside: 3." in every


def test_a_v2_practice_case_is_scored_on_score_sheet_v2(client, world):
    case = next(c for c in queries.practice_cases() if c.sheet_version == 2)
    sheet = queries.sheet_for(case)
    login(client, world.staff_a)
    assert f"({len(sheet.indicators)} in all)" in _page(client.get(f"/assessors/calibration/{case.slug}"))
    r = client.post(f"/assessors/calibration/{case.slug}", data=_form(case.reference, sheet))
    page = _page(client.get(r.headers["Location"]))
    assert "Passed." in page and '<td class="num" id="exact">100.0%</td>' in page
    assert case.rationale[sheet.indicators[0].key]["en"] in page


def test_failing_attempt(client, world):
    case = queries.practice_case("border-reception-centre-9")
    opposite = {k: None if v is None else 3 - v for k, v in case.reference.items()}
    login(client, world.staff_a)
    r = client.post("/assessors/calibration/border-reception-centre-9", data=_form(opposite))
    assert "Not passed yet." in _page(client.get(r.headers["Location"]))


def test_incomplete_submission_keeps_the_typing_and_says_what_is_missing(client, world):
    login(client, world.staff_a)
    r = client.post(f"/assessors/calibration/{KITE}",
                    data={"score-A1": "2", "score-D6": "na", "score-B1": "na"})
    assert r.status_code == 200
    page = _page(r)
    assert "55 indicators are not scored yet (A2, A3," in page
    assert 'name="score-A1" value="2" checked' in page and 'name="score-D6" value="na" checked' in page
    assert "Choose a score for A2." in page
    assert _attempt(world.staff_a) is None


def test_na_where_not_allowed_is_refused(client, world):
    case = queries.practice_case(KITE)
    login(client, world.staff_a)
    r = client.post(f"/assessors/calibration/{KITE}", data={**_form(case.reference), "score-B1": "na"})
    assert r.status_code == 200 and "B1: choose 0, 1, 2 or 3." in _page(r)
    assert _attempt(world.staff_a) is None


def test_attempts_are_seen_by_the_trainee_and_the_national_team_only(client, world):
    case = queries.practice_case(KITE)
    sheet = queries.sheet_for(case)
    attempt = services.submit_calibration(db.session, world.staff_a, case, sheet, dict(case.reference))
    db.session.commit()
    url = f"/assessors/calibration/attempts/{attempt.id}"
    login(client, world.staff_b)
    assert client.get(url).status_code == 404
    assert "You have not scored a practice case yet." in _page(client.get("/assessors/calibration"))
    client.post("/logout")
    login(client, world.national)
    assert client.get(url).status_code == 200
    record = _page(client.get(f"/assessors/{world.staff_a.id}"))
    assert "Kite House" in record and "100.0%" in record
    client.post("/logout")
    login(client, world.staff_a)
    assert client.get(url).status_code == 200
    assert "Kite House" in _page(client.get("/assessors/calibration"))


def test_unknown_practice_case_is_404(client, world):
    login(client, world.staff_a)
    assert client.get("/assessors/calibration/no-such-case").status_code == 404


def test_admin_cannot_calibrate(client, world):
    login(client, world.admin)
    assert client.get("/assessors/calibration").status_code == 403


def test_navigation_links(client, world):
    login(client, world.national)
    assert 'href="/assessors/"' in _page(client.get("/"))
    client.post("/logout")
    login(client, world.staff_a)
    page = _page(client.get("/"))
    assert 'href="/assessors/calibration"' in page and 'href="/assessors/"' not in page


# -- calibration discriminates ----------------------------------------------------------------

def test_the_reference_passes_and_the_page_shows_both_figures_with_their_thresholds(client, world):
    attempt = _calibrate(world.staff_a)
    login(client, world.staff_a)
    page = _page(client.get(f"/assessors/calibration/attempts/{attempt.id}"))
    assert "Passed." in page and "(85% needed)" in page and "(0.60 needed)" in page
    assert "at least 85% needed" in page and "at least 0.60 needed" in page


@pytest.mark.parametrize("slug, level", [(KITE, 2), (KITE, 1), (BORDER, 1)])
def test_the_same_level_everywhere_fails_and_the_page_says_it_is_the_kappa(client, world, slug, level):
    """These constant answers are within one point of at least 85 % of the reference scores."""
    login(client, world.staff_a)
    r = client.post(f"/assessors/calibration/{slug}", data=_form(_constant(level)))
    page = _page(client.get(r.headers["Location"]))
    assert "Not passed yet." in page and "Passed." not in page
    assert "The weighted kappa is too low: 0; at least 0.60 is needed." in page
    assert "Agreement within one point is too low" not in page
    assert '<td id="within-one-threshold">at least 85% needed <span class="badge open">reached</span>' in page
    assert '<td id="kappa-threshold">at least 0.60 needed <span class="badge flag">not reached</span>' in page


def test_a_low_within_one_agreement_is_named_as_the_reason(client, world):
    case = queries.practice_case(BORDER)
    opposite = {k: None if v is None else 3 - v for k, v in case.reference.items()}
    login(client, world.staff_a)
    r = client.post(f"/assessors/calibration/{BORDER}", data=_form(opposite))
    page = _page(client.get(r.headers["Location"]))
    assert "Agreement within one point is too low:" in page and "; 85% are needed." in page
    assert "The weighted kappa is too low" in page


def test_the_thresholds_come_from_the_configuration(client, world, app, monkeypatch):
    case = queries.practice_case(BORDER)
    shifted = {k: None if v is None else (v + 1 if v < 3 else v - 1) for k, v in case.reference.items()}
    attempt = _calibrate(world.staff_a, BORDER, shifted)  # within one 100 %, kappa 0.45
    login(client, world.staff_a)
    url = f"/assessors/calibration/attempts/{attempt.id}"
    assert "Not passed yet." in _page(client.get(url))
    monkeypatch.setitem(app.config, "CALIBRATION_MIN_KAPPA", 0.4)
    page = _page(client.get(url))
    assert "Passed." in page and "(0.40 needed)" in page
    monkeypatch.setitem(app.config, "CALIBRATION_MIN_WITHIN_ONE", 100.5)
    assert "Not passed yet." in _page(client.get(url))


def test_the_shipped_defaults_are_85_and_060():
    from shelterassess.config import DefaultConfig

    assert (DefaultConfig.CALIBRATION_MIN_WITHIN_ONE, DefaultConfig.CALIBRATION_MIN_KAPPA) == (85, 0.60)


# -- certification needs a passed calibration since the last training ------------------------

def _certify(client, user, **data):
    return client.post(f"/assessors/{user.id}/certify", data={"note": "", **data})


def test_certify_is_refused_without_a_calibration_attempt_since_the_training(client, world):
    _training("Peer assessor training, north", attendees=[world.staff_a])
    login(client, world.national)
    r = _certify(client, world.staff_a, note="Keen")
    assert r.status_code == 200
    page = _page(r)
    assert "staff.a has no calibration attempt since their last training (Peer assessor training, north," in page
    assert "Keen" in page
    assert 'name="override_reason"' in page
    assert not queries.is_certified(db.session, world.staff_a.id)


def test_certify_is_refused_when_the_attempts_since_the_training_failed(client, world):
    _training(attendees=[world.staff_a])
    _calibrate(world.staff_a, KITE, _constant(2))
    login(client, world.national)
    page = _page(_certify(client, world.staff_a))
    assert "The calibration attempt of staff.a since their last training" in page
    assert ("did not pass: it needs at least 85% agreement within one point and a weighted kappa of at least 0.60"
            in page)
    _calibrate(world.staff_a, BORDER, _constant(1))
    page = _page(_certify(client, world.staff_a))
    assert "None of the 2 calibration attempts of staff.a since their last training" in page
    assert not queries.is_certified(db.session, world.staff_a.id)


def test_a_pass_before_the_last_training_does_not_count(client, world):
    _training("First training", attendees=[world.staff_a], held_on=TRAINED_ON - dt.timedelta(days=100))
    _calibrate(world.staff_a, at=dt.datetime.combine(TRAINED_ON - dt.timedelta(days=50), dt.time(3),
                                                     tzinfo=dt.timezone.utc))
    _training("Refresher training", attendees=[world.staff_a])
    login(client, world.national)
    page = _page(_certify(client, world.staff_a))
    assert "staff.a has no calibration attempt since their last training (Refresher training," in page
    assert not queries.is_certified(db.session, world.staff_a.id)


def test_the_day_of_an_attempt_is_the_day_in_hanoi(client, world):
    """16:30 UTC the day before the training is 23:30 in Hà Nội, still the day before: it does
    not count. 23:30 UTC the day before is 06:30 on the training day in Hà Nội: it counts."""
    _training(attendees=[world.staff_a])
    day_before = TRAINED_ON - dt.timedelta(days=1)
    _calibrate(world.staff_a, at=dt.datetime.combine(day_before, dt.time(16, 30), tzinfo=dt.timezone.utc))
    login(client, world.national)
    assert "has no calibration attempt since their last training" in _page(_certify(client, world.staff_a))
    _calibrate(world.staff_a, at=dt.datetime.combine(day_before, dt.time(23, 30), tzinfo=dt.timezone.utc))
    assert _certify(client, world.staff_a).status_code == 302
    assert queries.is_certified(db.session, world.staff_a.id)


def test_certify_with_a_passed_attempt_since_the_training(client, world):
    _training(attendees=[world.staff_a])
    _calibrate(world.staff_a, KITE, _constant(2))
    _calibrate(world.staff_a, BORDER)
    login(client, world.national)
    detail = _page(client.get(f"/assessors/{world.staff_a.id}"))
    assert "a passed calibration attempt since the last training" in detail and 'name="override_reason"' not in detail
    r = _certify(client, world.staff_a, override_reason="typed although not needed")
    assert r.status_code == 302
    cert = db.session.scalar(select(Certification))
    assert cert.is_valid and cert.override_reason == ""  # no exception was needed


def test_the_national_team_overrides_with_a_recorded_reason(client, world):
    _training(attendees=[world.staff_a])
    login(client, world.national)
    detail = _page(client.get(f"/assessors/{world.staff_a.id}"))
    assert '<dd id="calibration-rule"><span class="badge flag">not met</span>' in " ".join(detail.split()).replace(
        "> <", "><")
    assert 'name="override_reason"' in detail

    short = _certify(client, world.staff_a, override_reason="  paper  ")
    assert short.status_code == 200
    assert "Write at least 10 characters: why is staff.a certified without a passed calibration?" in _page(short)
    assert 'paper' in _page(short)
    assert not queries.is_certified(db.session, world.staff_a.id)

    reason = "Calibrated on paper at the training; the tablet was broken."
    r = _certify(client, world.staff_a, note="Senior social worker", override_reason=reason)
    assert r.status_code == 302
    cert = db.session.scalar(select(Certification))
    assert cert.override_reason == reason and cert.note == "Senior social worker"
    detail = _page(client.get(f"/assessors/{world.staff_a.id}"))
    assert "Certified without a passed calibration since the last training. Reason:" in detail and reason in detail
    assert "certified by exception" in detail


def test_an_absent_participant_cannot_be_certified_even_with_an_override(client, world):
    training = _training(attendees=[world.staff_b])
    services.record_attendance(db.session, training, set())
    db.session.commit()
    _calibrate(world.staff_b)
    login(client, world.national)
    r = _certify(client, world.staff_b, override_reason="Long experience as a peer assessor")
    assert "has not attended any training yet" in _page(r)
    assert not queries.is_certified(db.session, world.staff_b.id)


# -- every attempt is listed ------------------------------------------------------------------

def test_the_assessor_list_and_record_show_every_attempt(client, world):
    _training(attendees=[world.staff_a])
    failed = _calibrate(world.staff_a, KITE, _constant(2))
    passed = _calibrate(world.staff_a, BORDER)
    case = queries.practice_case(BORDER)
    shifted = _calibrate(world.staff_a, BORDER, {k: None if v is None else (v + 1 if v < 3 else v - 1)
                                                 for k, v in case.reference.items()})
    login(client, world.national)
    listing = " ".join(_page(client.get("/assessors/")).split())
    for attempt in (failed, passed, shifted):
        assert f'/assessors/calibration/attempts/{attempt.id}"' in listing
    assert "within one 100.0%, kappa 0 <span class=\"badge flag\">failed</span>" in listing
    assert "within one 100.0%, kappa 1 <span class=\"badge open\">passed</span>" in listing
    assert "within one 100.0%, kappa 0.45 <span class=\"badge flag\">failed</span>" in listing
    assert "passed since last training" in listing

    record = _page(client.get(f"/assessors/{world.staff_a.id}"))
    table = record[record.index('<table id="attempts">'):]
    table = table[:table.index("</table>")]
    assert table.count("<tr>") == 1 + 3
    assert table.count("failed</span>") == 2 and table.count("passed</span>") == 1
    assert '<td class="num">0.45</td>' in table and "Kite House" in table


def test_an_undefined_kappa_shows_as_a_dash_and_fails(client, world):
    """Kappa is undefined when both sides used one single level (comparisons/domain.py): it fails."""
    from dataclasses import replace

    from flask import render_template
    from flask_login import login_user

    attempt = _calibrate(world.staff_a, KITE, _constant(2))
    outcome = queries.outcome(attempt)
    agreement = replace(outcome.result.agreement, kappa=None)
    undefined = replace(outcome, result=replace(outcome.result, agreement=agreement),
                        verdict=replace(outcome.verdict, kappa=None))
    assert not undefined.passed
    with client.application.test_request_context(headers={"Accept-Language": "en"}):
        login_user(world.staff_a)
        page = render_template("assessors/result.html", attempt=attempt, case=queries.practice_case(KITE),
                               outcome=undefined, labels=services.threshold_labels())
    assert '<td class="num" id="kappa">–</td>' in page
    assert "The weighted kappa cannot be computed (–)" in page

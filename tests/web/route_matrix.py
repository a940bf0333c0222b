"""Every route × every role: the expected HTTP status.

``tests/web/test_permission_matrix.py`` runs each case for each role against a
fresh ``world`` (the world after the case's ``setup``, restored from a snapshot for
each role) and fails when a route of the app has no case here. Add a case
for every new route (append to CASES; one ``Case`` per endpoint and method).

``url`` and ``data`` are functions of the ``world`` namespace from conftest.
Roles: anonymous, staff_a, manager_a, staff_b, manager_b, national, admin.
Facility A is the one whose objects the URLs point at (unless said otherwise).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from tests.conftest import PASSWORD

ROLES = ("anonymous", "staff_a", "manager_a", "staff_b", "manager_b", "national", "admin")
LOGIN = 302  # anonymous users are sent to the login page


def only(*allowed: str, ok: int = 200, deny: int = 403, anonymous: int = LOGIN) -> dict[str, int]:
    """``ok`` for the roles named, ``deny`` for the other logged-in roles."""
    expect = {role: (ok if role in allowed else deny) for role in ROLES}
    expect["anonymous"] = ok if "anonymous" in allowed else anonymous
    return expect


LOGGED_IN = ("staff_a", "manager_a", "staff_b", "manager_b", "national", "admin")
FACILITY_ROLES = ("staff_a", "manager_a", "staff_b", "manager_b")


@dataclass
class Case:
    endpoint: str
    method: str
    url: Callable
    expect: dict[str, int]
    data: Callable = field(default=lambda w: {})
    setup: Callable | None = None  # setup(world) -> None, run before the request (e.g. create an assessment)


def _self_assessment(w):
    from shelterassess.assessments.services import start_assessment

    if not hasattr(w, "assessment_a"):
        w.assessment_a = start_assessment(__import__("shelterassess.extensions").extensions.db.session, w.staff_a, w.facility_a, w.round)
    return w.assessment_a


def _submitted_assessment(w):
    from shelterassess.assessments.models import AssessmentStatus

    a = _self_assessment(w)
    a.status = AssessmentStatus.SUBMITTED.value
    return a


def _area(w):
    return w.sheet.areas[0]


def _area_fields(w):
    """The fields a browser always sends with the area form (an empty draft: notes blank, version 1)."""
    return {name: value for i in _area(w).indicators for name, value in ((f"note-{i.id}", ""), (f"version-{i.id}", "1"))}


def _reconcile_fields(w):
    """The fields a browser always sends with the reconciliation form (nothing agreed yet, version 1)."""
    return {f"{name}-{i.id}": value for i in w.sheet.indicators
            for name, value in (("agreed", ""), ("reason", ""), ("version", "1"))}


CASES: list[Case] = [
    # main and auth
    Case("main.dashboard", "GET", lambda w: "/", only(*LOGGED_IN)),
    Case("main.health", "GET", lambda w: "/health", only("anonymous", *LOGGED_IN)),
    Case("auth.login", "GET", lambda w: "/login", {**only("anonymous", ok=200), **{r: 302 for r in LOGGED_IN}}),
    Case("auth.login", "POST", lambda w: "/login", {**only("anonymous", ok=200), **{r: 302 for r in LOGGED_IN}},
         data=lambda w: {"email": "nobody@example.org", "password": "wrong password"}),
    Case("auth.logout", "POST", lambda w: "/logout", only("anonymous", *LOGGED_IN, ok=302)),
    Case("auth.activate", "GET", lambda w: "/activate/not-a-valid-token", only("anonymous", *LOGGED_IN, ok=404)),
    Case("auth.activate", "POST", lambda w: "/activate/not-a-valid-token", only("anonymous", *LOGGED_IN, ok=404)),
    Case("auth.change_password", "GET", lambda w: "/account/password", only(*LOGGED_IN)),
    Case("auth.change_password", "POST", lambda w: "/account/password", only(*LOGGED_IN),
         data=lambda w: {"current_password": "wrong", "new_password": "x", "confirm": "y"}),
    Case("auth.set_language", "POST", lambda w: "/language", only("anonymous", *LOGGED_IN, ok=302),
         data=lambda w: {"locale": "en", "next": "/"}),
    # two-factor login (issue 11): without a pending second step /login/code sends everyone away
    Case("auth.login_code", "GET", lambda w: "/login/code", only("anonymous", *LOGGED_IN, ok=302)),
    Case("auth.login_code", "POST", lambda w: "/login/code", only("anonymous", *LOGGED_IN, ok=302),
         data=lambda w: {"code": "123456"}),
    Case("auth.two_factor_setup", "GET", lambda w: "/account/two-factor/setup", only(*LOGGED_IN)),
    Case("auth.two_factor_setup", "POST", lambda w: "/account/two-factor/setup", only(*LOGGED_IN),
         data=lambda w: {"code": "not a code"}),  # wrong code: the page again with the message
    Case("auth.two_factor", "GET", lambda w: "/account/two-factor", only(*LOGGED_IN)),
    # not enrolled: back to the setup / two-factor page
    Case("auth.two_factor_regenerate", "POST", lambda w: "/account/two-factor/recovery-codes",
         only(*LOGGED_IN, ok=302), data=lambda w: {"regenerate-code": "123456"}),
    Case("auth.two_factor_disable", "POST", lambda w: "/account/two-factor/disable",
         only(*LOGGED_IN, ok=302), data=lambda w: {"disable-code": "123456"}),
    # rounds
    Case("rounds.index", "GET", lambda w: "/rounds/", only(*FACILITY_ROLES, "national")),
    Case("rounds.create", "GET", lambda w: "/rounds/new", only("national")),
    Case("rounds.create", "POST", lambda w: "/rounds/new", only("national"), data=lambda w: {"name": "", "sheet": w.sheet.id}),
    Case("rounds.open_", "POST", lambda w: f"/rounds/{w.round.id}/open", only("national", ok=302)),
    Case("rounds.close", "POST", lambda w: f"/rounds/{w.round.id}/close", only("national", ok=302)),
    # self-assessments
    Case("assessments.national", "GET", lambda w: "/assessments/", only("national")),
    Case("assessments.start", "POST", lambda w: "/assessments/start",
         {**only("staff_a", "manager_a", "staff_b", "manager_b", ok=302), "national": 400, "admin": 400},
         data=lambda w: {"round_id": w.round.id}),
    Case("assessments.overview", "GET", lambda w: f"/assessments/{_self_assessment(w).id}",
         only("staff_a", "manager_a", "national", deny=404), setup=_self_assessment),
    Case("assessments.fill_area", "GET", lambda w: f"/assessments/{_self_assessment(w).id}/areas/{_area(w).id}",
         only("staff_a", "manager_a", "national", deny=404), setup=_self_assessment),
    Case("assessments.fill_area", "POST", lambda w: f"/assessments/{_self_assessment(w).id}/areas/{_area(w).id}",
         {**only("staff_a", "manager_a", ok=302, deny=404), "national": 403}, setup=_self_assessment,
         data=_area_fields),
    Case("assessments.submit", "POST", lambda w: f"/assessments/{_self_assessment(w).id}/submit",
         {**only("manager_a", ok=302, deny=404), "staff_a": 403, "national": 403}, setup=_self_assessment),
    Case("assessments.reopen", "GET", lambda w: f"/assessments/{_submitted_assessment(w).id}/reopen",
         {**only("national", deny=404), "staff_a": 403, "manager_a": 403}, setup=_submitted_assessment),
    Case("assessments.reopen", "POST", lambda w: f"/assessments/{_submitted_assessment(w).id}/reopen",
         {**only("national", ok=302, deny=404), "staff_a": 403, "manager_a": 403}, setup=_submitted_assessment,
         data=lambda w: {"reason": "Scores entered before the visit"}),
    Case("assessments.results", "GET", lambda w: f"/assessments/{_self_assessment(w).id}/results",
         only("staff_a", "manager_a", "national", deny=404), setup=_self_assessment),
    # exports (issue 13): the page's permission
    Case("assessments.results_csv", "GET", lambda w: f"/assessments/{_self_assessment(w).id}/results.csv",
         only("staff_a", "manager_a", "national", deny=404), setup=_self_assessment),
    Case("assessments.results_xlsx", "GET", lambda w: f"/assessments/{_self_assessment(w).id}/results.xlsx",
         only("staff_a", "manager_a", "national", deny=404), setup=_self_assessment),
    Case("assessments.national_csv", "GET", lambda w: "/assessments/export.csv?kind=peer&status=submitted",
         only("national"), setup=_self_assessment),
    Case("assessments.national_xlsx", "GET", lambda w: f"/assessments/export.xlsx?round={w.round.id}",
         only("national"), setup=_self_assessment),
    # reports
    Case("reports.assessment_pdf", "GET", lambda w: f"/reports/assessments/{_self_assessment(w).id}.pdf",
         only("staff_a", "manager_a", "national", deny=404), setup=_self_assessment),
    Case("reports.blank_sheet", "GET", lambda w: f"/reports/facilities/{w.facility_a.id}/rounds/{w.round.id}/blank.pdf",
         only("staff_a", "manager_a", "national", deny=404)),
]


def _facility_form(w, code: str) -> dict:
    return {"code": code, "name": "Nhà tạm lánh", "type": "shelter", "province_id": w.facility_a.province_id,
            "capacity": 12, "active": "y", "address": "", "phone": ""}


CASES += [
    # facilities
    Case("facilities.index", "GET", lambda w: "/facilities/", only(*LOGGED_IN)),
    Case("facilities.detail", "GET", lambda w: f"/facilities/{w.facility_a.id}", only(*LOGGED_IN)),
    Case("facilities.create", "GET", lambda w: "/facilities/new", only("admin")),
    Case("facilities.create", "POST", lambda w: "/facilities/new", only("admin", ok=302),
         data=lambda w: _facility_form(w, "SH-NEW")),
    Case("facilities.edit", "GET", lambda w: f"/facilities/{w.facility_a.id}/edit", only("admin")),
    Case("facilities.edit", "POST", lambda w: f"/facilities/{w.facility_a.id}/edit", only("admin", ok=302),
         data=lambda w: _facility_form(w, "SH-A")),
]


CASES += [
    # user administration
    Case("users.index", "GET", lambda w: "/admin/users/", only("admin")),
    Case("users.create", "GET", lambda w: "/admin/users/new", only("admin")),
    Case("users.create", "POST", lambda w: "/admin/users/new", only("admin"),
         data=lambda w: {"email": "new.person@example.org", "display_name": "New person", "role": "national_team",
                         "facility": ""}),
    Case("users.activation_link", "POST", lambda w: f"/admin/users/{w.staff_a.id}/activation-link", only("admin")),
    Case("users.deactivate", "POST", lambda w: f"/admin/users/{w.staff_a.id}/deactivate", only("admin", ok=302)),
    Case("users.activate", "POST", lambda w: f"/admin/users/{w.staff_a.id}/activate", only("admin", ok=302)),
    Case("users.detail", "GET", lambda w: f"/admin/users/{w.staff_a.id}", only("admin")),
    Case("users.reset_two_factor", "POST", lambda w: f"/admin/users/{w.staff_a.id}/two-factor/reset",
         only("admin", ok=302), data=lambda w: {"reason": "Lost phone"}),  # not enrolled: refused with a message
]


def _practice(w, published=False):
    """A local practice observed in facility A (a draft unless ``published``)."""
    from shelterassess.cases.models import LocalPractice, PracticeStatus
    from shelterassess.extensions import db

    name = "practice_published" if published else "practice_draft"
    if not hasattr(w, name):
        texts = {f"{f}_{lang}": f"{f} {lang}" for f in ("title", "summary", "what_was_done", "results", "lessons")
                 for lang in ("vi", "en")}
        practice = LocalPractice(facility_id=w.facility_a.id, consent_given=True, created_by_id=w.national.id,
                                 status=(PracticeStatus.PUBLISHED if published else PracticeStatus.DRAFT).value, **texts)
        db.session.add(practice)
        db.session.flush()
        setattr(w, name, practice)
    return getattr(w, name)


def _practice_form(w):
    return {"facility_id": w.facility_a.id, "title_vi": "Sổ tay nội quy tích cực", "title_en": "", "version": ""}


CASES += [
    # case library
    Case("cases.index", "GET", lambda w: "/cases/?q=tham+van&pillar=protection", only(*LOGGED_IN)),
    Case("cases.coverage", "GET", lambda w: "/cases/coverage", only(*LOGGED_IN)),
    Case("cases.case", "GET", lambda w: "/cases/shelter-self-improvement-vietnam", only(*LOGGED_IN)),
    Case("cases.case_pdf", "GET", lambda w: "/cases/winari-ecuador.pdf?lang=vi", only(*LOGGED_IN)),
    Case("cases.practice", "GET", lambda w: f"/cases/practices/{_practice(w, published=True).id}", only(*LOGGED_IN),
         setup=lambda w: _practice(w, published=True)),
    Case("cases.practice", "GET", lambda w: f"/cases/practices/{_practice(w).id}", only("national", deny=404),
         setup=_practice),
    Case("cases.new_practice", "GET", lambda w: "/cases/practices/new", only("national")),
    Case("cases.new_practice", "POST", lambda w: "/cases/practices/new", only("national", ok=302), data=_practice_form),
    Case("cases.edit_practice", "GET", lambda w: f"/cases/practices/{_practice(w).id}/edit", only("national"),
         setup=_practice),
    Case("cases.edit_practice", "POST", lambda w: f"/cases/practices/{_practice(w).id}/edit", only("national", ok=302),
         setup=_practice, data=_practice_form),
    Case("cases.publish_practice", "POST", lambda w: f"/cases/practices/{_practice(w).id}/publish",
         only("national", ok=302), setup=_practice),
]


def _draft_sheet(w):
    """A draft copy of the published sheet (admins may edit, publish and delete it)."""
    from shelterassess.extensions import db
    from shelterassess.scoresheets.services import create_draft_copy

    if not hasattr(w, "draft_sheet"):
        w.draft_sheet = create_draft_copy(db.session, w.sheet)
    return w.draft_sheet


def _draft_indicator_edit_url(w):
    return f"/scoresheets/indicators/{_draft_sheet(w).indicators[0].id}/edit"


CASES += [
    # score sheets
    Case("scoresheets.index", "GET", lambda w: "/scoresheets/", only(*LOGGED_IN)),
    Case("scoresheets.detail", "GET", lambda w: f"/scoresheets/{w.sheet.id}", only(*LOGGED_IN)),
    Case("scoresheets.copy", "POST", lambda w: f"/scoresheets/{w.sheet.id}/copy", only("admin", ok=302)),
    Case("scoresheets.edit_indicator", "GET", lambda w: _draft_indicator_edit_url(w), only("admin"), setup=_draft_sheet),
    Case("scoresheets.edit_indicator", "POST", lambda w: _draft_indicator_edit_url(w), only("admin"), setup=_draft_sheet,
         data=lambda w: {"text_vi": "", "text_en": "Still typing"}),
    Case("scoresheets.publish", "POST", lambda w: f"/scoresheets/{_draft_sheet(w).id}/publish", only("admin", ok=302),
         setup=_draft_sheet),
    Case("scoresheets.delete", "POST", lambda w: f"/scoresheets/{_draft_sheet(w).id}/delete", only("admin", ok=302),
         setup=_draft_sheet),
]


def _team(w):
    """Team Alpha: staff_a and manager_a (lead) of facility A, assigned to facility B with a planned visit."""
    import datetime as dt

    from tests.team_fixtures import make_team

    if not hasattr(w, "team"):
        w.team = make_team(w, [w.staff_a, w.manager_a], lead=w.manager_a, facility=w.facility_b,
                           visit=dt.date(2027, 5, 2))
    return w.team


def _team_form(w):
    return {"name": "Alpha 2", "members": [w.staff_a.id, w.manager_a.id], "lead_id": w.manager_a.id}


CASES += [
    # peer teams, assignments and visits
    Case("teams.index", "GET", lambda w: f"/teams/?round={w.round.id}", only("national"), setup=_team),
    Case("teams.mine", "GET", lambda w: "/teams/mine", only(*FACILITY_ROLES), setup=_team),
    Case("teams.visits", "GET", lambda w: "/teams/visits", only(*FACILITY_ROLES, "national"), setup=_team),
    Case("teams.detail", "GET", lambda w: f"/teams/{_team(w).id}", only("staff_a", "manager_a", "national", deny=404),
         setup=_team),
    Case("teams.create", "GET", lambda w: f"/teams/new?round={w.round.id}", only("national")),
    Case("teams.create", "POST", lambda w: "/teams/new", only("national"),
         data=lambda w: {"round_id": w.round.id, "name": "", "lead_id": ""}),
    Case("teams.edit", "GET", lambda w: f"/teams/{_team(w).id}/edit", only("national"), setup=_team),
    Case("teams.edit", "POST", lambda w: f"/teams/{_team(w).id}/edit", only("national", ok=302), setup=_team,
         data=_team_form),
    Case("teams.delete", "POST", lambda w: f"/teams/{_team(w).id}/delete", only("national", ok=302), setup=_team),
    Case("teams.assign", "GET", lambda w: f"/teams/{_team(w).id}/assign", only("national"), setup=_team),
    Case("teams.assign", "POST", lambda w: f"/teams/{_team(w).id}/assign", only("national"), setup=_team,
         data=lambda w: {"facility_id": w.facility_b.id, "planned_visit_on": "2027-06-01"}),
    Case("teams.delete_assignment", "POST", lambda w: f"/teams/assignments/{_team(w).assignments[0].id}/delete",
         only("national", ok=302), setup=_team),
    Case("teams.visit", "GET", lambda w: f"/teams/assignments/{_team(w).assignments[0].id}/visit", only("national"),
         setup=_team),
    Case("teams.visit", "POST", lambda w: f"/teams/assignments/{_team(w).assignments[0].id}/visit",
         only("national", ok=302), setup=_team, data=lambda w: {"planned_visit_on": "2027-05-09"}),
]


def _training(w):
    """A training session that staff_a attended (so staff_a may be certified)."""
    import datetime as dt

    from shelterassess.assessors.services import TrainingInput, add_participant, save_training
    from shelterassess.extensions import db

    if not hasattr(w, "training"):
        w.training = save_training(db.session, TrainingInput("Peer assessor training", dt.date(2027, 3, 1),
                                                             "Hà Nội", "Trainer One"))
        w.participant_a = add_participant(db.session, w.training, w.staff_a)
    return w.training


#: The training of ``_training`` lies ahead, so no calibration attempt can follow it yet.
OVERRIDE_REASON = "Calibrated on paper during the training"


def _certification(w):
    from shelterassess.assessors.services import certify
    from shelterassess.extensions import db

    _training(w)
    if not hasattr(w, "certification_a"):
        w.certification_a = certify(db.session, w.national, w.staff_a, override_reason=OVERRIDE_REASON)
    return w.certification_a


def _calibration_attempt(w):
    """staff_a's attempt at the first practice case."""
    from shelterassess.assessors import queries, services
    from shelterassess.extensions import db

    if not hasattr(w, "attempt_a"):
        case = queries.practice_cases()[0]
        w.attempt_a = services.submit_calibration(db.session, w.staff_a, case, queries.sheet_for(case),
                                                  dict(case.reference))
    return w.attempt_a


def _training_form(w):
    return {"title": "Calibration day", "held_on": "2027-04-02", "place": "Lào Cai", "trainers": "Trainer Two"}


CASES += [
    # assessors: records, certification, training sessions, calibration
    Case("assessors.index", "GET", lambda w: "/assessors/", only("national"), setup=_training),
    Case("assessors.detail", "GET", lambda w: f"/assessors/{w.staff_a.id}", only("staff_a", "national", deny=404),
         setup=_certification),
    Case("assessors.certify", "POST", lambda w: f"/assessors/{w.staff_a.id}/certify", only("national", ok=302),
         setup=_training, data=lambda w: {"note": "Passed both practice cases", "override_reason": OVERRIDE_REASON}),
    Case("assessors.revoke", "POST", lambda w: f"/assessors/{w.staff_a.id}/revoke", only("national", ok=302),
         setup=_certification, data=lambda w: {"reason": "Left the facility"}),
    Case("assessors.trainings", "GET", lambda w: "/assessors/trainings", only("national"), setup=_training),
    Case("assessors.new_training", "GET", lambda w: "/assessors/trainings/new", only("national")),
    Case("assessors.new_training", "POST", lambda w: "/assessors/trainings/new", only("national", ok=302),
         data=_training_form),
    Case("assessors.training", "GET", lambda w: f"/assessors/trainings/{_training(w).id}", only("national"),
         setup=_training),
    Case("assessors.edit_training", "GET", lambda w: f"/assessors/trainings/{_training(w).id}/edit",
         only("national"), setup=_training),
    Case("assessors.edit_training", "POST", lambda w: f"/assessors/trainings/{_training(w).id}/edit",
         only("national", ok=302), setup=_training, data=_training_form),
    Case("assessors.add_participant", "POST", lambda w: f"/assessors/trainings/{_training(w).id}/participants",
         only("national", ok=302), setup=_training, data=lambda w: {"user_id": w.staff_b.id}),
    Case("assessors.remove_participant", "POST",
         lambda w: f"/assessors/trainings/{_training(w).id}/participants/{w.participant_a.id}/remove",
         only("national", ok=302), setup=_training),
    Case("assessors.attendance", "POST", lambda w: f"/assessors/trainings/{_training(w).id}/attendance",
         only("national", ok=302), setup=_training, data=lambda w: {"attended": [w.participant_a.id]}),
    Case("assessors.calibration", "GET", lambda w: "/assessors/calibration", only(*FACILITY_ROLES, "national"),
         setup=_calibration_attempt),
    Case("assessors.calibrate", "GET", lambda w: "/assessors/calibration/kite-house",
         only(*FACILITY_ROLES, "national")),
    Case("assessors.calibrate", "POST", lambda w: "/assessors/calibration/kite-house",
         only(*FACILITY_ROLES, "national"), data=lambda w: {"score-A1": "2"}),
    Case("assessors.attempt", "GET", lambda w: f"/assessors/calibration/attempts/{_calibration_attempt(w).id}",
         only("staff_a", "national", deny=404), setup=_calibration_attempt),
]


def _comparison(released: bool = False):
    """Facility A self, North team (manager_b lead, staff_b) peer and agreed, all submitted."""
    def setup(w):
        from tests.comparisons_fixtures import matrix_setup, matrix_setup_released

        (matrix_setup_released if released else matrix_setup)(w)

    return setup


def _comparison_url(w, suffix: str = "") -> str:
    return f"/comparisons/facilities/{w.facility_a.id}/rounds/{w.round.id}{suffix}"


CASES += [
    # comparisons: blind until the team's own peer assessment is submitted; facility after release
    Case("comparisons.index", "GET", lambda w: "/comparisons/", only("national")),
    Case("comparisons.facility", "GET", _comparison_url,
         only("staff_b", "manager_b", "national", deny=404), setup=_comparison()),
    Case("comparisons.facility", "GET", _comparison_url,
         only(*FACILITY_ROLES, "national", deny=404), setup=_comparison(released=True)),
    Case("comparisons.facility_pdf", "GET", lambda w: _comparison_url(w, ".pdf"),
         only("staff_b", "manager_b", "national", deny=404), setup=_comparison()),
    Case("comparisons.national", "GET", lambda w: f"/comparisons/rounds/{w.round.id}/national?anonymised=1&sort=area-A",
         only("national"), setup=_comparison()),
    Case("comparisons.national_pdf", "GET", lambda w: f"/comparisons/rounds/{w.round.id}/national.pdf",
         only("national"), setup=_comparison()),
    Case("comparisons.national_csv", "GET", lambda w: f"/comparisons/rounds/{w.round.id}/national.csv?sort=area-A",
         only("national"), setup=_comparison()),
    Case("comparisons.national_xlsx", "GET",
         lambda w: f"/comparisons/rounds/{w.round.id}/national.xlsx?anonymised=1&sort=overall&order=desc",
         only("national"), setup=_comparison()),
    Case("comparisons.agreement_csv", "GET", lambda w: f"/comparisons/rounds/{w.round.id}/agreement.csv",
         only("national"), setup=_comparison()),
    Case("comparisons.agreement_xlsx", "GET", lambda w: f"/comparisons/rounds/{w.round.id}/agreement.xlsx?anonymised=1",
         only("national"), setup=_comparison()),
    Case("comparisons.trends", "GET", lambda w: f"/comparisons/facilities/{w.facility_a.id}/trends",
         only("staff_a", "manager_a", "national", deny=404), setup=_comparison(released=True)),
]


def _peer(name):
    """Peer scoring states from tests/peer_scoring_fixtures.py: team 1 (lead manager_b, member staff_b)
    assesses facility A."""
    from tests import peer_scoring_fixtures as pf

    def build(w):
        if name == "team":
            return pf.team_one(w)
        if name == "draft":
            return pf.draft_peer(w)
        if name == "self_and_draft":
            if not hasattr(w, "self_a"):
                w.self_a = pf.self_assessment(w)
            return pf.draft_peer(w)
        if name == "ready":
            return pf.ready_to_reconcile(w)
        if name == "finalised":
            return pf.finalised_agreed(w)
        if name == "released":
            return pf.released(w)
        raise KeyError(name)
    return build


def _peer_assignment(w):
    from tests import peer_scoring_fixtures as pf

    return pf.assignment_of(_peer("team")(w), w.facility_a)


TEAM_1 = ("staff_b", "manager_b")

CASES += [
    # peer scoring, reconciliation and release (facility A assessed by team 1 of facility B's users)
    Case("peer.index", "GET", lambda w: "/peer/", only(*FACILITY_ROLES, "national"), setup=_peer("draft")),
    Case("peer.start", "POST", lambda w: f"/peer/assignments/{_peer_assignment(w).id}/start",
         {**only(*TEAM_1, ok=302, deny=404), "national": 403}, setup=_peer("team")),
    Case("peer.overview", "GET", lambda w: f"/peer/assessments/{_peer('draft')(w).id}",
         only(*TEAM_1, "national", deny=404), setup=_peer("draft")),
    Case("peer.fill_area", "GET", lambda w: f"/peer/assessments/{_peer('draft')(w).id}/areas/{_area(w).id}",
         only(*TEAM_1, "national", deny=404), setup=_peer("draft")),
    Case("peer.fill_area", "POST", lambda w: f"/peer/assessments/{_peer('draft')(w).id}/areas/{_area(w).id}",
         {**only(*TEAM_1, ok=302, deny=404), "national": 403}, setup=_peer("draft"), data=_area_fields),
    Case("peer.submit", "POST", lambda w: f"/peer/assessments/{_peer('draft')(w).id}/submit",
         {**only("manager_b", ok=422, deny=404), "staff_b": 403, "national": 403}, setup=_peer("draft")),
    Case("peer.self_assessment", "GET", lambda w: f"/peer/assessments/{_peer('self_and_draft')(w).id}/self-assessment",
         only("national", deny=404), setup=_peer("self_and_draft")),
    Case("peer.self_assessment", "GET", lambda w: f"/peer/assessments/{_peer('ready')(w).id}/self-assessment",
         only(*TEAM_1, "national", deny=404), setup=_peer("ready")),
    Case("peer.reconcile", "GET", lambda w: f"/peer/reconcile/{w.facility_a.id}/{w.round.id}",
         only("manager_b", "national", deny=404), setup=_peer("ready")),
    Case("peer.reconcile", "GET", lambda w: f"/peer/reconcile/{w.facility_a.id}/{w.round.id}",
         only("national", deny=404), setup=_peer("self_and_draft")),
    Case("peer.reconcile", "POST", lambda w: f"/peer/reconcile/{w.facility_a.id}/{w.round.id}",
         {**only("manager_b", ok=302, deny=404), "national": 403}, setup=_peer("ready"), data=_reconcile_fields),
    Case("peer.finalise", "POST", lambda w: f"/peer/reconcile/{w.facility_a.id}/{w.round.id}/finalise",
         {**only("manager_b", ok=302, deny=404), "national": 403}, setup=_peer("ready")),
    Case("peer.results", "GET", lambda w: f"/peer/results/{w.facility_a.id}/{w.round.id}",
         only(*TEAM_1, "national", deny=404), setup=_peer("ready")),
    Case("peer.results", "GET", lambda w: f"/peer/results/{w.facility_a.id}/{w.round.id}",
         only(*FACILITY_ROLES, "national", deny=404), setup=_peer("released")),
    Case("peer.reopen_agreed", "GET", lambda w: f"/peer/reconcile/{w.facility_a.id}/{w.round.id}/reopen",
         only("national"), setup=_peer("released")),
    Case("peer.reopen_agreed", "POST", lambda w: f"/peer/reconcile/{w.facility_a.id}/{w.round.id}/reopen",
         only("national", ok=302), setup=_peer("released"), data=lambda w: {"reason": "A score was mistyped"}),
    Case("release.round_", "GET", lambda w: f"/peer/release/rounds/{w.round.id}", only("national"),
         setup=_peer("finalised")),
    Case("release.release", "POST", lambda w: f"/peer/release/rounds/{w.round.id}/release",
         only("national", ok=302), setup=_peer("finalised"), data=lambda w: {"facility_ids": [w.facility_a.id]}),
    Case("release.withdraw", "POST", lambda w: f"/peer/release/rounds/{w.round.id}/withdraw",
         only("national", ok=302), setup=_peer("released"),
         data=lambda w: {"reason": "Agreed scores to be checked", "facility_ids": [w.facility_a.id]}),
    Case("teams.withdraw_assignment", "GET", lambda w: f"/teams/assignments/{_peer_assignment(w).id}/withdraw",
         only("national"), setup=_peer("draft")),
    Case("teams.withdraw_assignment", "POST", lambda w: f"/teams/assignments/{_peer_assignment(w).id}/withdraw",
         only("national", ok=302), setup=_peer("draft"), data=lambda w: {"reason": "The team could not travel"}),
]


def _plan(state):
    """Facility A's improvement plan (tests/plan_fixtures.py): drafted by team 1's lead (manager_b) from
    the finalised agreed result, in ``state``: agreed (no plan yet), draft, complete (draft ready to
    share), shared, accepted, in_progress, dropped (a draft whose first action is dropped)."""
    def build(w):
        from tests import plan_fixtures as plf

        builders = {"agreed": plf.weak_agreed, "draft": plf.draft_plan, "complete": plf.complete_plan,
                    "shared": plf.shared_plan, "accepted": plf.accepted_plan, "in_progress": plf.in_progress_plan,
                    "dropped": plf.dropped_action}
        return builders[state](w)
    return build


def _plan_url(suffix=""):
    return lambda w: f"/plans/{w.plan.id}{suffix}"


def _action_url(suffix, index=0):
    return lambda w: f"/plans/actions/{w.plan.actions[index].id}{suffix}"


def _edited_action(w):
    from tests import plan_fixtures as plf

    return plf.action_form(w, w.plan.actions[0], description="Code every file and lock the cabinet")


PLAN_AUTHORS = ("manager_b", "national")
FACILITY_A = ("staff_a", "manager_a")
_FACILITY_PLAN = lambda w: f"/plans/facilities/{w.facility_a.id}/rounds/{w.round.id}"  # noqa: E731
_BY_MANAGER_A = {"staff_a": 403, "manager_b": 403, "national": 403}

CASES += [
    # improvement plans (issue 8): team 1's lead (manager_b) and the national team draft; facility A sees
    # the plan once shared, its manager decides, its staff and manager (and the lead) report progress
    Case("plans.index", "GET", lambda w: "/plans/", only(*FACILITY_ROLES, "national"), setup=_plan("draft")),
    Case("plans.overview", "GET", lambda w: f"/plans/rounds/{w.round.id}?status=accepted", only("national"),
         setup=_plan("accepted")),
    Case("plans.actions_csv", "GET", lambda w: f"/plans/actions.csv?round={w.round.id}", only("national"),
         setup=_plan("accepted")),
    Case("plans.actions_xlsx", "GET", lambda w: "/plans/actions.xlsx", only("national"), setup=_plan("accepted")),
    Case("plans.facility_plan", "GET", _FACILITY_PLAN, only(*PLAN_AUTHORS, *FACILITY_A, deny=404),
         setup=_plan("agreed")),
    Case("plans.facility_plan", "GET", _FACILITY_PLAN,
         {**only(*FACILITY_A, deny=404), "manager_b": 302, "national": 302}, setup=_plan("draft")),
    Case("plans.create", "POST", lambda w: _FACILITY_PLAN(w) + "/create",
         {**only(*PLAN_AUTHORS, ok=302, deny=404), "staff_a": 403, "manager_a": 403}, setup=_plan("agreed")),
    Case("plans.plan", "GET", _plan_url(), only(*PLAN_AUTHORS, deny=404), setup=_plan("draft")),
    Case("plans.plan", "GET", _plan_url(), only(*PLAN_AUTHORS, *FACILITY_A, deny=404), setup=_plan("shared")),
    Case("plan_actions.plan_history", "GET", _plan_url("/history"), only(*PLAN_AUTHORS, deny=404), setup=_plan("draft")),
    Case("plan_actions.plan_history", "GET", _plan_url("/history?page=2"), only(*PLAN_AUTHORS, *FACILITY_A, deny=404),
         setup=_plan("shared")),
    Case("plan_actions.action_history", "GET", _action_url("/history"), only(*PLAN_AUTHORS, deny=404),
         setup=_plan("draft")),
    Case("plan_actions.action_history", "GET", _action_url("/history?notes_page=2"),
         only(*PLAN_AUTHORS, *FACILITY_A, deny=404), setup=_plan("accepted")),
    Case("plans.plan_pdf", "GET", _plan_url(".pdf?lang=vi"), only(*PLAN_AUTHORS, *FACILITY_A, deny=404),
         setup=_plan("shared")),
    Case("plans.plan_pdf", "GET", _plan_url(".pdf"), only(*PLAN_AUTHORS, deny=404), setup=_plan("draft")),
    Case("plans.share", "POST", _plan_url("/share"), only(*PLAN_AUTHORS, ok=302, deny=404), setup=_plan("complete")),
    Case("plans.accept", "POST", _plan_url("/accept"), {**only("manager_a", ok=302, deny=404), **_BY_MANAGER_A},
         setup=_plan("shared")),
    Case("plans.return_", "GET", _plan_url("/return"), {**only("manager_a", deny=404), **_BY_MANAGER_A},
         setup=_plan("shared")),
    Case("plans.return_", "POST", _plan_url("/return"), {**only("manager_a", ok=302, deny=404), **_BY_MANAGER_A},
         setup=_plan("shared"), data=lambda w: {"comment": "Action 2 needs a named counsellor"}),
    Case("plans.start", "POST", _plan_url("/start"), {**only("manager_a", ok=302, deny=404), **_BY_MANAGER_A},
         setup=_plan("accepted")),
    Case("plans.close", "POST", _plan_url("/close"),
         {**only("national", ok=302, deny=404), "staff_a": 403, "manager_a": 403, "manager_b": 403},
         setup=_plan("in_progress")),
    Case("plans.reopen", "GET", _plan_url("/reopen"),
         {**only("national", deny=404), "staff_a": 403, "manager_a": 403, "manager_b": 403}, setup=_plan("accepted")),
    Case("plans.reopen", "POST", _plan_url("/reopen"),
         {**only("national", ok=302, deny=404), "staff_a": 403, "manager_a": 403, "manager_b": 403},
         setup=_plan("accepted"), data=lambda w: {"reason": "The province funds action 1 directly"}),
    Case("plan_actions.new_action", "GET", _plan_url("/actions/new"), only(*PLAN_AUTHORS, deny=404),
         setup=_plan("draft")),
    Case("plan_actions.new_action", "POST", _plan_url("/actions/new"), only(*PLAN_AUTHORS, ok=302, deny=404),
         setup=_plan("draft"), data=lambda w: __import__("tests.plan_fixtures").plan_fixtures.action_form(w)),
    Case("plan_actions.edit_action", "GET", _action_url("/edit"), only(*PLAN_AUTHORS, deny=404), setup=_plan("draft")),
    Case("plan_actions.edit_action", "POST", _action_url("/edit"), only(*PLAN_AUTHORS, ok=302, deny=404),
         setup=_plan("draft"), data=_edited_action),
    Case("plan_actions.drop_action", "GET", _action_url("/drop"), only(*PLAN_AUTHORS, deny=404), setup=_plan("draft")),
    Case("plan_actions.drop_action", "POST", _action_url("/drop"), only(*PLAN_AUTHORS, ok=302, deny=404),
         setup=_plan("draft"), data=lambda w: {"drop_reason": "The province already pays for this"}),
    Case("plan_actions.restore_action", "POST", _action_url("/restore"), only(*PLAN_AUTHORS, ok=302, deny=404),
         setup=_plan("dropped")),
    Case("plan_actions.move_action", "POST", _action_url("/move"), only(*PLAN_AUTHORS, ok=302, deny=404),
         setup=_plan("draft"), data=lambda w: {"direction": "down"}),
    Case("plan_actions.merge", "GET", _plan_url("/merge"), only(*PLAN_AUTHORS, deny=404), setup=_plan("draft")),
    Case("plan_actions.merge", "POST", _plan_url("/merge"), only(*PLAN_AUTHORS, ok=302, deny=404),
         setup=_plan("draft"), data=lambda w: {"action_ids": [w.plan.actions[0].id, w.plan.actions[2].id]}),
    Case("plan_actions.progress", "GET", _action_url("/progress"),
         {**only(*FACILITY_A, "manager_b", deny=404), "national": 403}, setup=_plan("accepted")),
    Case("plan_actions.progress", "POST", _action_url("/progress"),
         {**only(*FACILITY_A, "manager_b", ok=302, deny=404), "national": 403}, setup=_plan("accepted"),
         data=lambda w: {"noted_on": "", "note": "The locks are ordered", "status": "in_progress"}),
]


def _follow_up(name):
    """Follow-up states from tests/followup_fixtures.py: facility A's accepted plan, visited by team 1
    (manager_b leads, staff_b)."""
    from tests import followup_fixtures as ff

    def build(w):
        if name == "plan":
            ff.plan_a(w)
            from tests import peer_scoring_fixtures as pf

            return pf.team_one(w)
        if name == "visit":
            return ff.visit_a(w)
        if name == "recorded":
            visit = ff.visit_a(w)
            if visit.status == "planned":
                ff.record(w, visit)
            return visit
        if name == "submitted":
            return ff.submitted_visit(w)
        raise KeyError(name)
    return build


def _visit_url(suffix: str = ""):
    def url(w):
        from tests import followup_fixtures as ff

        return f"/follow-ups/{ff.visit_a(w).id}{suffix}"
    return url


def _plan_schedule_url(w):
    from tests import followup_fixtures as ff

    return f"/follow-ups/plans/{ff.plan_a(w).id}/schedule"


def _schedule_form(w):
    import datetime as dt

    from tests import followup_fixtures as ff

    return {"team_id": w.team_one.id, "planned_on": (ff.today() + dt.timedelta(days=7)).isoformat()}


def _visit_form(w):
    from tests import followup_fixtures as ff

    return ff.visit_form(w, ff.visit_a(w))


def _today_form(w):
    from tests import followup_fixtures as ff

    return {"visited_on": ff.today().isoformat()}


def _skill_id(w):
    from tests import followup_fixtures as ff

    return ff.skill().id


def _training_needs_setup(w):
    from tests import followup_fixtures as ff

    ff.plan_a(w)


def _training_needs_form(w):
    from tests import followup_fixtures as ff

    return {"action_ids": [ff.action(w, 3).id], "training_id": 0, "title": "Follow-up training: confidentiality",
            "held_on": "2027-09-01", "place": "Hà Nội", "trainers": "Trainer Three"}


TEAM_1_AND_A = ("staff_a", "manager_a", "staff_b", "manager_b")

CASES += [
    # follow-up visits (issue 8): team 1 visits facility A; facility A sees the results once submitted
    Case("followups.index", "GET", lambda w: "/follow-ups/", only(*FACILITY_ROLES, "national"),
         setup=_follow_up("submitted")),
    Case("followups.schedule", "GET", _plan_schedule_url, only("national"), setup=_follow_up("plan")),
    Case("followups.schedule", "POST", _plan_schedule_url, only("national", ok=302), setup=_follow_up("plan"),
         data=_schedule_form),
    Case("followups.visit", "GET", _visit_url(), only(*TEAM_1, "national", deny=404), setup=_follow_up("visit")),
    Case("followups.visit", "POST", _visit_url(), {**only(*TEAM_1, ok=302, deny=404), "national": 403},
         setup=_follow_up("visit"), data=_visit_form),
    Case("followups.submit", "POST", _visit_url("/submit"),
         {**only("manager_b", ok=302, deny=404), "staff_b": 403, "national": 403}, setup=_follow_up("recorded"),
         data=_today_form),
    Case("followups.reopen", "GET", _visit_url("/reopen"), only("national"), setup=_follow_up("submitted")),
    Case("followups.reopen", "POST", _visit_url("/reopen"), only("national", ok=302), setup=_follow_up("submitted"),
         data=lambda w: {"reason": "A score was typed on the wrong line"}),
    Case("followups.results", "GET", _visit_url("/results"), only(*TEAM_1, "national", deny=404),
         setup=_follow_up("visit")),
    Case("followups.results", "GET", _visit_url("/results"), only(*TEAM_1_AND_A, "national", deny=404),
         setup=_follow_up("submitted")),
    Case("followups.results_pdf", "GET", _visit_url(".pdf?lang=vi"), only(*TEAM_1_AND_A, "national", deny=404),
         setup=_follow_up("submitted")),
    Case("followups.compliance", "GET", lambda w: f"/follow-ups/compliance?round={w.round.id}", only("national"),
         setup=_follow_up("submitted")),
    # training needs and skills
    Case("training_needs.index", "GET", lambda w: "/training-needs/", only("national"), setup=_training_needs_setup),
    Case("training_needs.needs_csv", "GET", lambda w: "/training-needs/needs.csv", only("national"),
         setup=_training_needs_setup),
    Case("training_needs.needs_xlsx", "GET", lambda w: "/training-needs/needs.xlsx", only("national"),
         setup=_training_needs_setup),
    Case("training_needs.schedule", "GET", lambda w: f"/training-needs/skills/{_skill_id(w)}/training",
         only("national"), setup=_training_needs_setup),
    Case("training_needs.schedule", "POST", lambda w: f"/training-needs/skills/{_skill_id(w)}/training",
         only("national", ok=302), setup=_training_needs_setup, data=_training_needs_form),
    Case("training_needs.skills", "GET", lambda w: "/training-needs/skills", only("admin", "national"),
         setup=_training_needs_setup),
    Case("training_needs.new_skill", "GET", lambda w: "/training-needs/skills/new", only("admin", "national")),
    Case("training_needs.new_skill", "POST", lambda w: "/training-needs/skills/new", only("admin", "national", ok=302),
         data=lambda w: {"name_vi": "Kỹ năng hòa giải", "name_en": "Mediation", "active": "y"}),
    Case("training_needs.edit_skill", "GET", lambda w: f"/training-needs/skills/{_skill_id(w)}/edit",
         only("admin", "national"), setup=_skill_id),
    Case("training_needs.edit_skill", "POST", lambda w: f"/training-needs/skills/{_skill_id(w)}/edit",
         only("admin", "national", ok=302), setup=_skill_id,
         data=lambda w: {"name_vi": "Bảo mật", "name_en": "Confidentiality"}),
]

CASES += [
    # national workshop pack (issue 9): the national team only. No setup: the national team gets the pack of a
    # round without results (every section's empty case); the filled pack is tested in test_workshop_pack.py.
    Case("workshop.pack", "GET", lambda w: f"/workshop/rounds/{w.round.id}", only("national")),
    Case("workshop.pack_pdf", "GET", lambda w: f"/workshop/rounds/{w.round.id}/pack.pdf?lang=vi&anonymised=1",
         only("national")),
    Case("workshop.pack_xlsx", "GET", lambda w: f"/workshop/rounds/{w.round.id}/pack.xlsx?lang=en",
         only("national")),
]


def _funding(stage: str):
    """Setup: the funding round of tests/funding_fixtures.py at ``stage`` (round, proposal, scenario, approved)."""
    def setup(w):
        from shelterassess.extensions import db
        from shelterassess.funding import services as funding_services
        from tests import funding_fixtures as fnf

        {"round": fnf.funding_round, "proposal": fnf.proposal, "approved": fnf.approved,
         "scenario": fnf.proposal}[stage](w)
        if stage == "scenario" and not hasattr(w, "scenario"):
            w.scenario = funding_services.save_scenario(db.session, w.national, w.funding_round, "By capacity",
                                                        funding_services.ParametersInput("10", True, {}))
    return setup


def _fund_url(suffix: str = ""):
    return lambda w: f"/funding/{w.funding_round.id}{suffix}"


def _fund_line_url(w):
    from tests import funding_fixtures as fnf

    return f"/funding/{w.funding_round.id}/lines/{fnf.line(w, 'SH-A', 'capacity_building').id}/adjust"


def _fund_apart_url(w):
    from tests import funding_fixtures as fnf

    return f"/funding/{w.funding_round.id}/apart/{fnf.apart_c(w).id}/add"


def _fund_round_form(w):
    return {"name": "Improvement fund 2028", "round_id": w.round.id, "budget": "20.000.000",
            "rounding_unit": "1.000.000", "red_flag_weight": "10"}


FACILITY_A_OR_NATIONAL = ("staff_a", "manager_a", "national")

CASES += [
    # fund allocation (issue 9): the national team manages; facility A sees its own allocation once approved
    Case("funding.index", "GET", lambda w: "/funding/", only(*FACILITY_ROLES, "national"), setup=_funding("approved")),
    Case("funding.create", "GET", lambda w: "/funding/new", only("national")),
    Case("funding.create", "POST", lambda w: "/funding/new", only("national", ok=302), data=_fund_round_form),
    Case("funding.funding_round", "GET", _fund_url(), only("national"), setup=_funding("proposal")),
    Case("funding.history", "GET", _fund_url("/history"), only("national"), setup=_funding("proposal")),
    Case("funding.history", "GET", _fund_url("/history?page=2"), only("national"), setup=_funding("approved")),
    Case("funding.edit", "GET", _fund_url("/edit"), only("national"), setup=_funding("proposal")),
    Case("funding.edit", "POST", _fund_url("/edit"), only("national", ok=302), setup=_funding("proposal"),
         data=lambda w: {**_fund_round_form(w), "name": "Improvement fund 2027 (revised)"}),
    Case("funding.approve", "POST", _fund_url("/approve"), only("national", ok=302), setup=_funding("proposal")),
    Case("funding.reopen", "GET", _fund_url("/reopen"), only("national"), setup=_funding("approved")),
    Case("funding.reopen", "POST", _fund_url("/reopen"), only("national", ok=302), setup=_funding("approved"),
         data=lambda w: {"reason": "A plan was accepted late"}),
    Case("funding.export_csv", "GET", _fund_url("/allocation.csv"), only("national"), setup=_funding("proposal")),
    Case("funding.export_xlsx", "GET", _fund_url("/allocation.xlsx"), only("national"), setup=_funding("proposal")),
    Case("funding.facility", "GET", lambda w: f"/funding/{w.funding_round.id}/facilities/{w.facility_a.id}",
         only(*FACILITY_A_OR_NATIONAL, deny=404), setup=_funding("approved")),
    Case("funding.facility", "GET", lambda w: f"/funding/{w.funding_round.id}/facilities/{w.facility_a.id}",
         only("national", deny=404), setup=_funding("proposal")),
    Case("funding.letter", "GET", lambda w: f"/funding/{w.funding_round.id}/facilities/{w.facility_a.id}/letter.pdf"
         "?lang=vi", only(*FACILITY_A_OR_NATIONAL, deny=404), setup=_funding("approved")),
    Case("funding.letter", "GET", lambda w: f"/funding/{w.funding_round.id}/facilities/{w.facility_a.id}/letter.pdf",
         only("national", deny=404), setup=_funding("proposal")),
    Case("funding_proposal.compute", "POST", _fund_url("/proposal"), only("national", ok=302), setup=_funding("round")),
    Case("funding_proposal.new_scenario", "GET", _fund_url("/scenarios/new"), only("national"),
         setup=_funding("proposal")),
    Case("funding_proposal.new_scenario", "POST", _fund_url("/scenarios/new"), only("national", ok=302),
         setup=_funding("proposal"), data=lambda w: {"name": "No red flag weight", "red_flag_weight": "0"}),
    Case("funding_proposal.compare", "GET", _fund_url("/compare"), only("national"), setup=_funding("scenario")),
    Case("funding_proposal.adopt", "POST", lambda w: f"/funding/{w.funding_round.id}/scenarios/{w.scenario.id}/adopt",
         only("national", ok=302), setup=_funding("scenario")),
    Case("funding_proposal.delete_scenario", "POST",
         lambda w: f"/funding/{w.funding_round.id}/scenarios/{w.scenario.id}/delete", only("national", ok=302),
         setup=_funding("scenario")),
    Case("funding_proposal.adjust", "GET", _fund_line_url, only("national"), setup=_funding("proposal")),
    Case("funding_proposal.adjust", "POST", _fund_line_url, only("national", ok=302), setup=_funding("proposal"),
         data=lambda w: {"amount": "2.000.000", "reason": "Training paid by the province"}),
    Case("funding_proposal.add_facility", "GET", _fund_apart_url, only("national"), setup=_funding("proposal")),
    Case("funding_proposal.add_facility", "POST", _fund_apart_url, only("national", ok=302), setup=_funding("proposal"),
         data=lambda w: {"reason": "Agreed result reopened for a typing error only"}),
]


def _toolkit(name):
    """Visit-toolkit states from tests/toolkit_fixtures.py: team 1 (manager_b lead, staff_b) visits
    facility A; staff_b records an escalation about facility A."""
    from tests import toolkit_fixtures as tf

    return {"team": tf.team, "assignment": tf.assignment, "escalation": tf.escalation, "acted": tf.acted,
            "closed": tf.closed}[name]


def _escalation_url(suffix: str = "", state: str = "escalation"):
    return lambda w: f"/toolkit/escalations/{_toolkit(state)(w).id}{suffix}"


def _escalation_form(w):
    import datetime as dt

    yesterday = dt.date.today() - dt.timedelta(days=1)  # never "in the future" in the app's time zone
    return {"category": "detention", "facility_id": w.facility_a.id, "seen_on": yesterday.isoformat(),
            "description": "A night guard locks the girls' dormitory from outside after 21:00.",
            "immediate_action": "Told the manager."}


#: Escalations are seen by the national team and the person who recorded them (staff_b), never
#: by the facility (staff_a, manager_a) nor the recorder's team lead (manager_b).
RECORDER = ("staff_b",)

CASES += [
    # visit toolkit (issue 10): team 1 (staff_b, manager_b) visits facility A
    Case("toolkit.index", "GET", lambda w: "/toolkit/", only(*TEAM_1, "national"), setup=_toolkit("team")),
    Case("toolkit.protocol", "GET", lambda w: "/toolkit/protocols/interview", only(*TEAM_1, "national"),
         setup=_toolkit("team")),
    Case("toolkit.protocols_pdf", "GET", lambda w: "/toolkit/protocols.pdf?lang=vi&part=undertaking",
         only(*TEAM_1, "national"), setup=_toolkit("team")),
    Case("toolkit.visit", "GET", lambda w: f"/toolkit/visits/{_toolkit('assignment')(w).id}",
         only(*TEAM_1, "national", deny=404), setup=_toolkit("team")),
    Case("toolkit.visit_pdf", "GET",
         lambda w: f"/toolkit/visits/{_toolkit('assignment')(w).id}.pdf?lang=en&part=agenda",
         only(*TEAM_1, "national", deny=404), setup=_toolkit("team")),
    # escalated concerns: national team and the recorder only; other facilities and roles 404
    Case("toolkit.escalations", "GET", lambda w: "/toolkit/escalations", only(*FACILITY_ROLES, "national"),
         setup=_toolkit("escalation")),
    Case("toolkit.new_escalation", "GET", lambda w: "/toolkit/escalations/new", only(*TEAM_1, "national"),
         setup=_toolkit("team")),
    Case("toolkit.new_escalation", "POST", lambda w: "/toolkit/escalations/new",
         only(*TEAM_1, "national", ok=302), setup=_toolkit("team"), data=_escalation_form),
    Case("toolkit.escalation", "GET", _escalation_url(), only(*RECORDER, "national", deny=404),
         setup=_toolkit("escalation")),
    Case("toolkit.acknowledge", "POST", _escalation_url("/acknowledge"),
         {**only("national", ok=302, deny=404), "staff_b": 403}, setup=_toolkit("escalation")),
    Case("toolkit.record_action", "POST", _escalation_url("/actions"),
         {**only("national", ok=302, deny=404), "staff_b": 403}, setup=_toolkit("escalation"),
         data=lambda w: {"action-text": "Phoned the provincial social protection office."}),
    Case("toolkit.add_information", "POST", _escalation_url("/information"),
         {**only(*RECORDER, ok=302, deny=404), "national": 403}, setup=_toolkit("escalation"),
         data=lambda w: {"information-text": "The lock is a padlock on the outside of the door."}),
    Case("toolkit.close", "POST", _escalation_url("/close", "acted"),
         {**only("national", ok=302, deny=404), "staff_b": 403}, setup=_toolkit("acted"),
         data=lambda w: {"close-text": "The province inspected; the lock was removed."}),
    Case("toolkit.reopen", "POST", _escalation_url("/reopen", "closed"),
         {**only("national", ok=302, deny=404), "staff_b": 403}, setup=_toolkit("closed"),
         data=lambda w: {"reopen-text": "The lock is back, the next team reports."}),
]

# -- score sheet version 2: the crosswalk page (readable by everyone logged in, like the sheet) --
CASES += [
    Case("scoresheets.crosswalk", "GET", lambda w: f"/scoresheets/{w.sheet.id}/crosswalk", only(*LOGGED_IN)),
]

# -- ODK (issue 13): the XLSForm of a published version (whoever may read the sheet), and the
# import into a draft self-assessment (the facility's own users; read-only to the national team)
CASES += [
    Case("odk.export_xlsform", "GET", lambda w: f"/scoresheets/{w.sheet.id}/xlsform.xlsx", only(*LOGGED_IN)),
    Case("odk.import_submission", "GET", lambda w: f"/assessments/{_self_assessment(w).id}/odk-import",
         {**only("staff_a", "manager_a", deny=404), "national": 403}, setup=_self_assessment),
    Case("odk.import_submission", "POST", lambda w: f"/assessments/{_self_assessment(w).id}/odk-import",
         {**only("staff_a", "manager_a", deny=404), "national": 403}, setup=_self_assessment),
    # a peer draft (team 1 assesses facility A): the team imports; facility A's own staff get 404
    Case("odk.import_submission", "GET", lambda w: f"/assessments/{_peer('draft')(w).id}/odk-import",
         {**only("staff_b", "manager_b", deny=404), "national": 403}, setup=_peer("draft")),
    Case("odk.import_submission", "POST", lambda w: f"/assessments/{_peer('draft')(w).id}/odk-import",
         {**only("staff_b", "manager_b", deny=404), "national": 403}, setup=_peer("draft")),
    # team 1's submitted peer assessment, after release to facility A: still 404 for facility A
    Case("odk.import_submission", "GET", lambda w: f"/assessments/{_peer('ready')(w).id}/odk-import",
         {**only("staff_b", "manager_b", deny=404), "national": 403}, setup=_peer("released")),
]

# -- audit trail (issue 11): read only, the national team and administrators --------------------
CASES += [
    Case("audit.index", "GET", lambda w: "/audit/?action=login&page=2", only("national", "admin")),
    Case("audit.export_csv", "GET", lambda w: "/audit/events.csv?outcome=failure", only("national", "admin")),
]


# -- paper round trip (issue 13): whoever may edit the self-assessment; read-only national team gets 403 --
def _paper_entries(w):
    """Facility A's self-assessment with two agreeing paper entries (staff_a, manager_a)."""
    from shelterassess.paper import domain, services as paper

    a = _self_assessment(w)
    if not paper.entries(__import__("shelterassess.extensions").extensions.db.session, a):
        db_session = __import__("shelterassess.extensions").extensions.db.session
        answers = {i.id: domain.PaperAnswer(2) for i in w.sheet.indicators}
        paper.save_entry(db_session, w.staff_a, a, 1, paper.expected_code(a), answers)
        paper.save_entry(db_session, w.manager_a, a, 2, paper.expected_code(a), answers)
    return a


def _paper_entry_form(w):
    from shelterassess.paper import services as paper

    a = _self_assessment(w)
    return {"check_code": paper.expected_code(a), "entry_number": "1",
            **{f"score-{i.id}": "2" for i in w.sheet.indicators}, **{f"note-{i.id}": "" for i in w.sheet.indicators}}


_PAPER = {**only("staff_a", "manager_a", deny=404), "national": 403}
CASES += [
    Case("paper.sheet", "GET", lambda w: f"/paper/assessments/{_self_assessment(w).id}", _PAPER,
         setup=_self_assessment),
    Case("paper.entry", "GET", lambda w: f"/paper/assessments/{_self_assessment(w).id}/entry", _PAPER,
         setup=_self_assessment),
    Case("paper.entry", "POST", lambda w: f"/paper/assessments/{_self_assessment(w).id}/entry",
         {**only("staff_a", "manager_a", ok=302, deny=404), "national": 403}, setup=_self_assessment,
         data=_paper_entry_form),
    Case("paper.resolve", "GET", lambda w: f"/paper/assessments/{_paper_entries(w).id}/resolve", _PAPER,
         setup=_paper_entries),
    Case("paper.resolve", "POST", lambda w: f"/paper/assessments/{_paper_entries(w).id}/resolve",
         {**only("staff_a", "manager_a", ok=302, deny=404), "national": 403}, setup=_paper_entries),
]


# -- paper round trip of a follow-up visit: whoever may record its results (team 1); the national
#    team reads the visit (403 on the paper pages) and may print its blank sheet --
def _paper_visit(w):
    from shelterassess.paper.sheets import PaperSheet
    from tests import followup_fixtures as ff

    return PaperSheet.of_visit(ff.visit_a(w))


def _paper_visit_entries(w):
    """Team 1's visit of facility A with two agreeing paper entries (staff_b, manager_b)."""
    from shelterassess.extensions import db
    from shelterassess.paper import domain, services as paper

    sheet = _paper_visit(w)
    if not paper.entries(db.session, sheet):
        answers = {i.id: domain.PaperAnswer(2) for i in sheet.indicators()}
        paper.save_entry(db.session, w.staff_b, sheet, 1, sheet.expected_code, answers)
        paper.save_entry(db.session, w.manager_b, sheet, 2, sheet.expected_code, answers)
    return sheet.visit


def _paper_visit_form(w):
    sheet = _paper_visit(w)
    return {"check_code": sheet.expected_code, "entry_number": "1",
            **{f"score-{i.id}": "2" for i in sheet.indicators()}, **{f"note-{i.id}": "" for i in sheet.indicators()}}


def _paper_visit_url(suffix: str = ""):
    return lambda w: f"/paper/visits/{_paper_visit(w).visit.id}{suffix}"


_PAPER_VISIT = {**only(*TEAM_1, deny=404), "national": 403}
CASES += [
    Case("paper.visit_sheet", "GET", _paper_visit_url(), _PAPER_VISIT, setup=_follow_up("visit")),
    Case("paper.visit_entry", "GET", _paper_visit_url("/entry"), _PAPER_VISIT, setup=_follow_up("visit")),
    Case("paper.visit_entry", "POST", _paper_visit_url("/entry"), {**only(*TEAM_1, ok=302, deny=404), "national": 403},
         setup=_follow_up("visit"), data=_paper_visit_form),
    Case("paper.visit_resolve", "GET", _paper_visit_url("/resolve"), _PAPER_VISIT, setup=_paper_visit_entries),
    Case("paper.visit_resolve", "POST", _paper_visit_url("/resolve"),
         {**only(*TEAM_1, ok=302, deny=404), "national": 403}, setup=_paper_visit_entries),
    Case("paper.visit_blank_sheet", "GET", _paper_visit_url("/blank.pdf?lang=vi"),
         only(*TEAM_1, "national", deny=404), setup=_follow_up("visit")),
]

# -- JSON API (issue 13): a session cookie never opens /api/v1 (tokens only: tests/web/test_api.py
#    runs the roles with tokens); the OpenAPI document is public; every user manages own API tokens --
NO_COOKIE = {role: 401 for role in ROLES}
CASES += [
    Case("api.openapi", "GET", lambda w: "/api/v1/openapi.json", only("anonymous", *LOGGED_IN)),
    Case("api.facilities", "GET", lambda w: "/api/v1/facilities", NO_COOKIE),
    Case("api.facility", "GET", lambda w: f"/api/v1/facilities/{w.facility_a.id}", NO_COOKIE),
    Case("api.rounds", "GET", lambda w: "/api/v1/rounds", NO_COOKIE),
    Case("api.round_detail", "GET", lambda w: f"/api/v1/rounds/{w.round.id}", NO_COOKIE),
    Case("api.score_sheets", "GET", lambda w: "/api/v1/score-sheets", NO_COOKIE),
    Case("api.score_sheet", "GET", lambda w: f"/api/v1/score-sheets/{w.sheet.id}", NO_COOKIE),
    Case("api.assessments", "GET", lambda w: "/api/v1/assessments", NO_COOKIE),
    Case("api.assessment", "GET", lambda w: f"/api/v1/assessments/{_self_assessment(w).id}", NO_COOKIE,
         setup=_self_assessment),
    Case("api.save_area", "PUT", lambda w: f"/api/v1/assessments/{_self_assessment(w).id}/areas/{_area(w).id}",
         NO_COOKIE, setup=_self_assessment),
    Case("api_tokens.index", "GET", lambda w: "/account/tokens/", only(*LOGGED_IN)),
    Case("api_tokens.index", "POST", lambda w: "/account/tokens/", only(*LOGGED_IN),
         data=lambda w: {"name": "matrix", "lifetime": "30", "password": PASSWORD}),
    Case("api_tokens.revoke", "POST", lambda w: "/account/tokens/999999/revoke", only(*LOGGED_IN, ok=302)),
]

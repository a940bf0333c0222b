"""Issue 11 probe: every field of the plan, follow-up, funding and training-need forms (and the paper,
ODK and API-token forms added since) receives 2**63, a NUL byte and a control character, one field
at a time, on top of what the page itself would send. None of it may give a 500 (PostgreSQL
refuses NUL in text and integers beyond its columns; those used to surface as 500s).

The forms are read from the pages themselves (their ``<form method="post">`` fields and values),
so a field added later is probed without touching this file."""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from shelterassess.extensions import db
from tests import followup_fixtures as ff
from tests import funding_fixtures as fuf
from tests import peer_scoring_fixtures as pf
from tests import plan_fixtures as plf
from tests.conftest import login

#: In this order: a value the page refuses leaves the state as it was for the next one.
BAD_VALUES = {"nul": "7\x00", "control": "Tên\x01 A", "bigint": str(2**63), "superscript": "²"}
SKIPPED = {"csrf_token", "confirm_identifying"}


class _Forms(HTMLParser):
    """The POST forms of a page: ``[(action path, [(name, value), ...]), ...]`` as a browser would send
    them (checked boxes and radios, each select's selected option or its first one, textareas)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, bool] | None = None
        self._textarea: str | None = None
        self._text = ""
        #: Names of boxes and radios the page left unticked, by form index: probed too.
        self.unchecked: dict[int, set[str]] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._fields = []
            self.forms.append((urlsplit(a.get("action") or "").path, self._fields))
        if self._fields is None or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self.unchecked.setdefault(len(self.forms) - 1, set()).add(a["name"])
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self._fields.append((a["name"], a.get("value") or ""))
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], [])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._text = ""
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        self._text += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select is not None:
            value, selected = self._option
            self._select[1].append((self._text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            name, options = self._select
            chosen = [v for v, s in options if s] or [v for v, _s in options[:1]]
            self._fields.extend((name, v) for v in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            self._fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None
        elif tag == "form":
            self._fields = None


def _post_forms(client, page: str, first: bool = False) -> list[tuple[str, list[tuple[str, str]], set[str]]]:
    """``(action, fields sent as filled, every probed name)`` of each POST form of the page (none when
    an earlier post changed what the user may do there: the plan was returned...)."""
    r = client.get(page)
    assert r.status_code == 200 or not first, (page, r.status_code)
    if r.status_code != 200:
        return []
    parser = _Forms()
    parser.feed(r.get_data(as_text=True))
    return [(action or urlsplit(page).path, fields,
             ({n for n, _v in fields} | parser.unchecked.get(i, set())) - SKIPPED)
            for i, (action, fields) in enumerate(parser.forms) if action not in ("/logout", "/language")]


def _replaced(fields: list[tuple[str, str]], name: str, value: str) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for key, old in fields:
        data.setdefault(key, []).append(value if key == name else old)
    data.setdefault(name, [value])
    return data


def probe(client, page: str, values: dict[str, str] = BAD_VALUES) -> int:
    """Post every form of ``page`` with each field in turn set to each of ``values`` (the other fields
    as the page filled them, re-read after every post that was taken so that versions stay current);
    fail on a 5xx. Returns how many requests were made."""
    failures, posts = [], 0
    forms = _post_forms(client, page, first=True)
    names = [(index, action, name) for index, (action, _fields, probed) in enumerate(forms) for name in sorted(probed)]
    assert names, f"no form fields found on {page}"
    for index, action, name in names:
        for label, bad in values.items():
            if index >= len(forms) or forms[index][0] != action:
                break  # an earlier post changed the page (the plan was shared...): nothing more to probe here
            r = client.post(action, data=_replaced(forms[index][1], name, bad))
            posts += 1
            if r.status_code >= 500:
                failures.append(f"{action} {name}={label}: {r.status_code}")
            if r.status_code // 100 in (3, 5):
                forms = _post_forms(client, page)  # taken (a redirect), or failed: read the page again
    assert not failures, failures
    return posts


# -- the pages -------------------------------------------------------------------------------------

def _plan_draft(world, client):
    plan = plf.complete_plan(world)
    db.session.commit()
    login(client, world.manager_b)
    return [f"/plans/{plan.id}/actions/new", f"/plans/actions/{plan.actions[0].id}/edit",
            f"/plans/actions/{plan.actions[0].id}/drop", f"/plans/{plan.id}/merge"]


def _plan_accepted(world, client):
    plan = plf.accepted_plan(world)
    db.session.commit()
    login(client, world.manager_a)
    return [f"/plans/actions/{plan.actions[0].id}/progress"]


def _plan_national(world, client):
    shared = plf.shared_plan(world)
    db.session.commit()
    login(client, world.manager_a)
    return [f"/plans/{shared.id}/return"]


def _followup_visit(world, client):
    visit = ff.visit_a(world)
    ff.record(world, visit, results={1: "partly"}, scores={"A1": 1})
    db.session.commit()
    login(client, world.staff_b)
    return [f"/follow-ups/{visit.id}"]


def _followup_schedule(world, client):
    plan = ff.plan_a(world)
    db.session.commit()
    login(client, world.national)
    return [f"/follow-ups/plans/{plan.id}/schedule"]


def _followup_reopen(world, client):
    visit = ff.submitted_visit(world)
    db.session.commit()
    login(client, world.national)
    return [f"/follow-ups/{visit.id}/reopen"]


def _funding_round(world, client):
    fuf.results(world)
    db.session.commit()
    login(client, world.national)
    return ["/funding/new"]


def _funding_proposal(world, client):
    fround = fuf.proposal(world)
    line = fuf.line(world, "SH-A", fuf.CB)
    apart = fuf.apart_c(world)
    db.session.commit()
    login(client, world.national)
    return [f"/funding/{fround.id}/edit", f"/funding/{fround.id}/scenarios/new",
            f"/funding/{fround.id}/lines/{line.id}/adjust", f"/funding/{fround.id}/apart/{apart.id}/add"]


def _funding_approved(world, client):
    fround = fuf.approved(world)
    db.session.commit()
    login(client, world.national)
    return [f"/funding/{fround.id}/reopen"]


def _training_needs(world, client):
    ff.plan_a(world)
    skill = ff.skill()
    db.session.commit()
    login(client, world.national)
    return ["/training-needs/skills/new", f"/training-needs/skills/{skill.id}/edit",
            f"/training-needs/skills/{skill.id}/training"]


def _paper_and_odk(world, client):
    from shelterassess.assessments import services as assessments

    assessment = assessments.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    login(client, world.staff_a)
    return [f"/paper/assessments/{assessment.id}/entry"]


def _paper_visit(world, client):
    visit = ff.visit_a(world)
    db.session.commit()
    login(client, world.staff_b)
    return [f"/paper/visits/{visit.id}/entry"]


def _account_tokens(world, client):
    login(client, world.manager_a)
    return ["/account/tokens/"]


def _self_area(world, client):
    from shelterassess.assessments import services as assessments

    own = assessments.start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    login(client, world.staff_a)
    return [f"/assessments/{own.id}/areas/{world.sheet.areas[0].id}"]


def _peer_area(world, client):
    peer = pf.draft_peer(world)
    db.session.commit()
    login(client, world.manager_b)
    return [f"/peer/assessments/{peer.id}/areas/{world.sheet.areas[0].id}"]


def _facility_edit(world, client):
    login(client, world.admin)
    return [f"/facilities/{world.facility_a.id}/edit"]


def _case_practice(world, client):
    login(client, world.national)
    return ["/cases/practices/new"]


PAGES = {
    "plan-draft": _plan_draft, "plan-accepted": _plan_accepted, "plan-shared": _plan_national,
    "follow-up-visit": _followup_visit, "follow-up-schedule": _followup_schedule,
    "follow-up-reopen": _followup_reopen, "funding-new": _funding_round, "funding-proposal": _funding_proposal,
    "funding-approved": _funding_approved, "training-needs": _training_needs, "paper": _paper_and_odk,
    "paper-visit": _paper_visit, "api-tokens": _account_tokens,
}


def _reconcile(world, client):
    pf.ready_to_reconcile(world)
    db.session.commit()
    login(client, world.manager_b)
    return [f"/peer/reconcile/{world.facility_a.id}/{world.round.id}"]


def _case_practice_edit(world, client):
    from shelterassess.cases import services as cases

    practice = cases.create_practice(db.session, world.national, cases.PracticeInput(
        facility_id=world.facility_a.id, texts={"title_vi": "Góc đọc sách", "title_en": "A reading corner"},
        consent_given=False))
    db.session.commit()
    login(client, world.national)
    return [f"/cases/practices/{practice.id}/edit"]


def _teams(world, client):
    from tests.team_fixtures import make_team

    team = make_team(world, [world.staff_a, world.manager_a], lead=world.manager_a, facility=world.facility_b)
    db.session.commit()
    login(client, world.national)
    return [f"/teams/new?round={world.round.id}", f"/teams/{team.id}/edit", f"/teams/{team.id}/assign"]


def _escalation(world, client):
    pf.team_one(world)
    db.session.commit()
    login(client, world.national)
    return ["/toolkit/escalations/new"]


PAGES.update({"self-area": _self_area, "peer-area": _peer_area, "facility-edit": _facility_edit,
              "case-practice": _case_practice, "case-practice-edit": _case_practice_edit,
              "reconcile": _reconcile, "teams": _teams, "escalation": _escalation})


@pytest.mark.parametrize("case", list(PAGES))
def test_no_form_field_gives_a_500_for_a_huge_number_a_nul_or_a_control_character(client, world, case):
    pages = PAGES[case](world, client)
    assert sum(probe(client, page) for page in pages) > 0


def test_no_cell_of_an_odk_export_gives_a_500_for_a_huge_number_a_nul_or_a_control_character(client, world):
    """The ODK import takes a file, not fields: each cell of the facility's row gets each bad value."""
    from tests.web import test_odk as odk

    login(client, world.staff_a)
    assessment = odk._draft(world)
    row = odk._submission(world, odk._fields(odk._xlsform(client, world)))
    failures = []
    for column in row:
        for label, bad in BAD_VALUES.items():
            r = odk._upload(client, assessment, odk._central_csv([{**row, column: bad}]))
            if r.status_code >= 500:
                failures.append(f"{column}={label}: {r.status_code}")
    assert not failures, failures
    r = client.post(f"/assessments/{assessment.id}/odk-import", data={"payload": BAD_VALUES["nul"]})
    assert r.status_code == 400

"""Score sheet version 2 in the app: loading, red-flag levels end to end, the crosswalk page,
draft copies, and facility trends across rounds on different versions (through the crosswalk).

Mini sheets (tests/fixtures/mini_sheet.yaml v1 and mini_sheet_v2.yaml v2), hand computations:

* v1 round, self-assessment A1 3, A2 N/A, B1 1, B2 3: stored A 100.0 %, B 66.7 %, overall 83.3 %.
* v2 round, self-assessment A1 1, A2 0, A3 2, B1 1, B2 2, B3 0, C1 3: stored A 3/9 = 33.3 %,
  B 3/9 = 33.3 %, C 100.0 %, overall 55.6 %; B1 (critical, red flag at <= 1) scored 1 is a red flag.
* Comparable through the crosswalk: A1 (reworded), B1 (same), B2 (reworded). Area A on A1 only,
  B on B1 and B2, C nothing. v1: A 100.0 %, B 66.7 %, overall 83.3 %; v2: A 33.3 %, B 50.0 %,
  overall 41.7 %.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from shelterassess.assessments.models import AssessmentKind
from shelterassess.errors import ValidationFailed
from shelterassess.extensions import db
from shelterassess.rounds import services as rounds
from shelterassess.scoresheets import queries, services
from shelterassess.scoresheets.crosswalk import problems
from shelterassess.scoresheets.models import ScoreSheetVersion
from tests.comparisons_fixtures import scored
from tests.conftest import FIXTURES, login
from tests.web.test_comparisons import get, rows

V1_SCORES = {"A1": 3, "A2": "na", "B1": 1, "B2": 3}
V2_SCORES = {"A1": 1, "A2": 0, "A3": 2, "B1": 1, "B2": 2, "B3": 0, "C1": 3}


@pytest.fixture
def two_versions(world):
    w = world
    w.sheet2 = services.load_sheet(db.session, services.read_sheet_file(FIXTURES / "mini_sheet_v2.yaml"))
    w.round2 = rounds.create_round(db.session, "2028 national round", w.sheet2)
    rounds.open_round(db.session, w.round2)
    db.session.commit()
    return w


# -- loading ------------------------------------------------------------------------------------

def test_the_standard_versions_load_once_with_every_new_field(app_ctx):
    v2 = services.load_standard_sheets(db.session)
    again = services.load_standard_sheets(db.session)
    db.session.commit()
    assert again.id == v2.id and v2.version == 2 and v2.is_published
    assert db.session.scalar(select(func.count(ScoreSheetVersion.id))) == 2
    v1 = queries.version_of(db.session, "standard", 1)
    assert v1.crosswalk_from_version is None and all(i.red_flag_at == 0 for i in v1.indicators)
    by_key = {i.key: i for i in v2.indicators}
    stay = by_key["participation.voluntary-stay"]
    assert stay.critical and stay.red_flag_at == 1 and stay.critical_reason_vi and stay.critical_reason_en
    assert stay.crosswalk_relation == "reworded" and stay.predecessor_keys == ["participation.voluntary-stay"]
    schooling = by_key["services.schooling"]
    assert schooling.na_allowed and schooling.na_rule_en.startswith("N/A")
    assert schooling.crosswalk_relation == "split" and schooling.predecessor_keys == ["services.education-vocational"]
    assert by_key["safety.risk-assessment-plan"].checklist["file_sample"]["size"] == 5
    assert v2.crosswalk_from_version == 1 and v2.retired_keys == []
    assert problems(queries.crosswalk_of(v2), [i.key for i in v1.indicators]) == []


def test_a_red_flag_level_other_than_0_or_1_is_refused_in_a_sheet_file(app_ctx):
    data = services.read_sheet_file(FIXTURES / "mini_sheet_v2.yaml")
    data["version"] = 7
    data["areas"][1]["indicators"][0]["red_flag_at"] = 2
    with pytest.raises(ValueError, match="red_flag_at"):
        services.load_sheet(db.session, data)


# -- red flags at the indicator's level -----------------------------------------------------------

def test_a_critical_indicator_at_its_level_is_a_red_flag_on_the_results(client, two_versions):
    w = two_versions
    assessment = scored(w, w.manager_a, w.facility_a, w.round2, AssessmentKind.SELF, V2_SCORES)
    db.session.commit()
    assert assessment.red_flag_count == 1  # B1 scored 1, its red flag is at <= 1; C1 (at 0) scored 3
    login(client, w.national)
    html = get(client, f"/assessments/{assessment.id}/results")
    flags = re.search(r'id="flags-h".*?</section>', html, re.S).group(0)
    assert "B1" in flags and "C1" not in flags


def test_version_1_keeps_flagging_at_0_only(client, world):
    w = world
    assessment = scored(w, w.manager_a, w.facility_a, w.round, AssessmentKind.SELF, V1_SCORES)
    db.session.commit()
    assert assessment.red_flag_count == 0  # B1 is critical in v1 too, but scored 1


# -- the score-sheet pages ------------------------------------------------------------------------

def test_the_sheet_page_shows_levels_reasons_na_rules_checklists_and_the_crosswalk(client, two_versions):
    w = two_versions
    login(client, w.staff_a)
    html = get(client, f"/scoresheets/{w.sheet2.id}")
    assert "red flag at 1 or below" in html and "Reason at 1." in html
    assert "N/A: no children." in html
    assert "Evidence checklist" in html and "The file cabinet" in html
    assert f"/scoresheets/{w.sheet2.id}/crosswalk" in html
    assert "/crosswalk" not in get(client, f"/scoresheets/{w.sheet.id}")  # v1: no crosswalk


def test_the_crosswalk_page_both_ways(client, two_versions):
    w = two_versions
    login(client, w.staff_b)
    html = get(client, f"/scoresheets/{w.sheet2.id}/crosswalk")
    later = rows(html, "crosswalk-later")
    assert [r.split()[0] for r in later] == ["A1", "A2", "A3", "B1", "B2", "B3", "C1"]
    assert "Reworded" in later[0] and "Split" in later[1] and "Same" in later[3] and "New" in later[6]
    earlier = rows(html, "crosswalk-earlier")
    assert earlier[1].startswith("A2") and "A2 (Split), A3 (Split)" in earlier[1]
    assert "Comparable with version 1" in html and "3 / 7" in html
    assert "The crosswalk has problems" not in html
    assert "states no crosswalk" in get(client, f"/scoresheets/{w.sheet.id}/crosswalk")
    get(client, "/scoresheets/99999/crosswalk", 404)


def test_the_vietnamese_crosswalk_page_uses_the_sheet_texts(client_vi, two_versions):
    w = two_versions
    login(client_vi, w.staff_a)
    html = get(client_vi, f"/scoresheets/{w.sheet2.id}/crosswalk")
    assert "Không gian cho trẻ em" in html and '<html lang="vi">' in html


# -- draft copies -----------------------------------------------------------------------------------

def test_a_draft_copy_starts_as_same_and_editing_its_wording_makes_it_reworded(two_versions):
    w = two_versions
    draft = services.create_draft_copy(db.session, w.sheet2)
    assert draft.crosswalk_from_version == 2 and draft.retired_keys == []
    b1 = next(i for i in draft.indicators if i.code == "B1")
    assert (b1.crosswalk_relation, b1.predecessor_keys, b1.red_flag_at) == ("same", ["confidentiality.coded-files"], 1)
    services.update_indicator(db.session, b1, {"guidance_en": "Look again."})
    assert b1.crosswalk_relation == "same"  # guidance is not wording of the requirement
    services.update_indicator(db.session, b1, {"text_en": "Every file carries a code only."})
    assert b1.crosswalk_relation == "reworded"
    with pytest.raises(ValidationFailed):
        services.update_indicator(db.session, b1, {"red_flag_at": 2})
    services.update_indicator(db.session, b1, {"critical": False, "red_flag_at": 1})
    assert b1.red_flag_at == 0
    assert problems(queries.crosswalk_of(draft), [i.key for i in w.sheet2.indicators]) == []


def test_the_indicator_form_saves_the_red_flag_level_and_reason(client, two_versions):
    w = two_versions
    draft = services.create_draft_copy(db.session, w.sheet2)
    db.session.commit()
    c1 = next(i for i in draft.indicators if i.code == "C1")
    login(client, w.admin)
    form = {f"level{n}_{lang}": f"L{n} {lang}" for n in range(4) for lang in ("vi", "en")}
    form.update(text_vi="Lối thoát", text_en="Exits", critical="y", red_flag_at="1",
                critical_reason_vi="Vì sao", critical_reason_en="Why", evidence=["observation"])
    assert client.post(f"/scoresheets/indicators/{c1.id}/edit", data=form).status_code == 302
    db.session.refresh(c1)
    assert (c1.red_flag_at, c1.critical_reason_en, c1.crosswalk_relation) == (1, "Why", "reworded")


# -- trends across versions ---------------------------------------------------------------------------

def test_trends_across_versions_compare_through_the_crosswalk(client, two_versions):
    w = two_versions
    scored(w, w.manager_a, w.facility_a, w.round, AssessmentKind.SELF, V1_SCORES)
    scored(w, w.manager_a, w.facility_a, w.round2, AssessmentKind.SELF, V2_SCORES)
    db.session.commit()
    login(client, w.national)
    html = get(client, f"/comparisons/facilities/{w.facility_a.id}/trends")
    assert "Compared through the crosswalk" in html
    assert "on the 3 of 7 indicators of version 2" in html
    assert rows(html, "trend-table") == [
        "2027 national round Self-assessment v1 100.0% 66.7% – 83.3%",
        "2028 national round Self-assessment v2 33.3% 50.0% – 41.7%",
    ]
    assert "(1/3)" in html and "(2/3)" in html and "(0/1)" in html
    assert "Not comparable at all: C. Safety." in html
    assert rows(html, "trend-table-v1") == ["2027 national round Self-assessment 100.0% 66.7% 83.3%"]
    assert rows(html, "trend-table-v2") == ["2028 national round Self-assessment 33.3% 33.3% 100.0% 55.6%"]
    left_out = rows(html, "not-compared")
    assert "v2 A2 Space for children split from version 1" in left_out
    assert "v2 B3 Phones are locked new in version 2" in left_out
    assert "v1 A2 Play space for children now A2, A3 in version 2" in left_out
    assert html.count("<svg") == 1
    assert f"/scoresheets/{w.sheet2.id}/crosswalk" in html


def test_trends_on_one_version_are_unchanged(client, two_versions):
    w = two_versions
    scored(w, w.manager_a, w.facility_a, w.round2, AssessmentKind.SELF, V2_SCORES)
    db.session.commit()
    login(client, w.national)
    html = get(client, f"/comparisons/facilities/{w.facility_a.id}/trends")
    assert "Compared through the crosswalk" not in html
    assert rows(html, "trend-table") == ["2028 national round Self-assessment 33.3% 33.3% 100.0% 55.6%"]


def test_trends_between_the_standard_versions(client, app_ctx):
    from tests.conftest import build_world

    w = build_world(sheet_file=None)  # standard v1
    v2 = services.load_standard_sheets(db.session)
    round2 = rounds.create_round(db.session, "2028 national round", v2)
    rounds.open_round(db.session, round2)
    every = {ind.code: 2 for ind in w.sheet.indicators}
    scored(w, w.manager_a, w.facility_a, w.round, AssessmentKind.SELF, every)
    scored(w, w.manager_a, w.facility_a, round2, AssessmentKind.SELF, {ind.code: 3 for ind in v2.indicators})
    db.session.commit()
    login(client, w.national)
    html = get(client, f"/comparisons/facilities/{w.facility_a.id}/trends")
    table = rows(html, "trend-table")
    assert table[0].endswith(" ".join(["66.7%"] * 10)) and table[1].endswith(" ".join(["100.0%"] * 10))
    assert "on the 52 of 73 indicators of version 2" in html
    assert "(6/8)" in html  # area A: A5 split, A8 new

"""The shipped standard score sheet v2: structure, bilingual text, the revised critical set with
its red-flag levels, N/A rules, evidence checklists, sources and the balance of evidence."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from shelterassess.scoresheets.models import CROSSWALK_RELATIONS, EVIDENCE_SOURCES, RED_FLAG_LEVELS

DATA = Path(__file__).resolve().parents[2] / "shelterassess" / "scoresheets" / "data"
AREA_ORDER = ["facilities", "safety", "services", "case-management", "confidentiality", "participation",
              "staffing", "referral", "management"]
VIETNAMESE_MARKS = set("ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ")
LANGS = ("vi", "en")
#: The limits of the indicator form, so that a draft copied from v2 can be edited and saved.
TEXT_MAX, GUIDANCE_MAX, DESCRIPTOR_MAX = 500, 1000, 500


def _load(name):
    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


SHEET = _load("standard_v2.yaml")
INDICATORS = [ind for area in SHEET["areas"] for ind in area["indicators"]]
BY_KEY = {ind["key"]: ind for ind in INDICATORS}
IDS = [ind["code"] for ind in INDICATORS]


def _pair(value) -> bool:
    return isinstance(value, dict) and set(value) >= set(LANGS) and all(
        isinstance(value[lang], str) and value[lang].strip() for lang in LANGS)


def _bilingual_texts(node, path=""):
    if isinstance(node, dict):
        if set(LANGS) <= set(node) and all(isinstance(node[k], str) for k in LANGS):
            return [(path, node)]
        return [found for key, value in node.items() for found in _bilingual_texts(value, f"{path}.{key}")]
    if isinstance(node, list):
        return [found for i, value in enumerate(node) for found in _bilingual_texts(value, f"{path}[{i}]")]
    return []


# -- structure -----------------------------------------------------------------------------------

def test_identity_and_crosswalk_header():
    assert SHEET["key"] == "standard" and SHEET["version"] == 2
    assert _pair(SHEET["title"]) and _pair(SHEET["description"])
    assert SHEET["crosswalk"]["from_version"] == 1


def test_nine_areas_in_the_v1_order_so_area_trends_line_up():
    assert [area["key"] for area in SHEET["areas"]] == AREA_ORDER
    for area in SHEET["areas"]:
        assert 5 <= len(area["indicators"]) <= 11, area["key"]
        assert all(ind["code"].startswith(area["code"]) for ind in area["indicators"])
        assert area["sources"], area["key"]


def test_codes_and_keys_are_unique():
    for values in ([i["code"] for i in INDICATORS], [i["key"] for i in INDICATORS]):
        assert len(values) == len(set(values)), sorted(v for v in values if values.count(v) > 1)


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_four_level_descriptors_in_both_languages(ind):
    assert sorted(ind["levels"]) == [0, 1, 2, 3]
    for level in range(4):
        assert _pair(ind["levels"][level]), (ind["code"], level)
        assert all(len(ind["levels"][level][lang]) <= DESCRIPTOR_MAX for lang in LANGS)
    assert _pair(ind["text"]) and all(len(ind["text"][lang]) <= TEXT_MAX for lang in LANGS)
    assert _pair(ind["guidance"]) and all(len(ind["guidance"][lang]) <= GUIDANCE_MAX for lang in LANGS)


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_levels_are_distinct(ind):
    for lang in LANGS:
        texts = [ind["levels"][level][lang] for level in range(4)]
        assert len(set(texts)) == 4, (ind["code"], lang)


def test_every_text_is_nfc_and_the_languages_are_not_mixed_up():
    texts = _bilingual_texts(SHEET)
    assert len(texts) > 73 * 8
    for path, pair in texts:
        for lang in LANGS:
            assert unicodedata.is_normalized("NFC", pair[lang]), f"{path}.{lang}"
    vi_plain = [pair["vi"] for _, pair in texts if not VIETNAMESE_MARKS & set(pair["vi"].lower())]
    assert len(vi_plain) <= len(texts) // 20, vi_plain[:5]
    en_marked = [pair["en"] for _, pair in texts if VIETNAMESE_MARKS & set(pair["en"].lower())]
    assert len(en_marked) <= len(texts) // 50, en_marked[:5]


# -- wording the review asked for ------------------------------------------------------------------

def _english(ind):
    return " ".join([ind["text"]["en"], ind["guidance"]["en"], *(ind["levels"][lv]["en"] for lv in range(4))])


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_gender_neutral(ind):
    """A facility may serve men and boys: no "her", "she", "each woman", "mother with"."""
    assert not re.search(r"\b(she|her|hers|herself)\b|each woman|mother with", _english(ind), re.I), ind["code"]
    assert not re.search(r"mỗi phụ nữ|mẹ cùng con", " ".join(
        [ind["text"]["vi"], *(ind["levels"][lv]["vi"] for lv in range(4))]), re.I), ind["code"]


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_descriptors_use_defined_quantities(ind):
    """No "most", "regularly", "many", "few", "often", "usually": levels say how many or how often."""
    for level in range(4):
        assert not re.search(r"\b(most|mostly|regular|regularly|many|few|often|usually)\b",
                             ind["levels"][level]["en"], re.I), (ind["code"], level)


# -- critical set and red-flag levels ----------------------------------------------------------------

@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_critical_indicators_state_their_level_and_reason(ind):
    assert isinstance(ind["critical"], bool) and isinstance(ind["na_allowed"], bool)
    if ind["critical"]:
        assert ind["red_flag_at"] in RED_FLAG_LEVELS, ind["code"]
        assert _pair(ind["critical_reason"]), ind["code"]
        mentioned = str(ind["red_flag_at"])
        assert mentioned in ind["critical_reason"]["en"] and mentioned in ind["critical_reason"]["vi"], ind["code"]
    else:
        assert "red_flag_at" not in ind and "critical_reason" not in ind, ind["code"]


def test_the_critical_set_covers_the_real_harms():
    critical = {key for key, ind in BY_KEY.items() if ind["critical"]}
    assert {
        "services.non-conditional-assistance",  # v1 C3's unconditional help
        "confidentiality.consent-to-share", "confidentiality.safe-interviews", "confidentiality.images-policy",
        "case-management.intake-protocol",  # consent at admission
        "safety.child-safeguarding", "case-management.age-presumption",
        "safety.emergency-procedures",  # physical safety (v1 B6)
        "participation.voluntary-stay", "participation.non-punitive-rules", "participation.money-documents",
        "services.medical-consent", "safety.crisis-self-harm", "staffing.code-of-conduct",
    } <= critical
    assert 12 <= len(critical) <= 20


@pytest.mark.parametrize("key", ["participation.voluntary-stay", "participation.non-punitive-rules"])
def test_a_punitive_lock_in_scored_1_raises_a_flag(key):
    ind = BY_KEY[key]
    assert ind["critical"] and ind["red_flag_at"] == 1
    assert re.search(r"lock|confine|isolation", ind["levels"][0]["en"] + ind["critical_reason"]["en"], re.I)


def test_level_0_of_the_v1_two_condition_descriptors_is_one_condition():
    """v1 E1/E2 needed "named AND on open shelves" at 0, so a facility could fit no level."""
    for key in ("confidentiality.coded-files", "confidentiality.locked-storage"):
        level0 = BY_KEY[key]["levels"][0]["en"]
        assert " and " not in level0, (key, level0)


# -- N/A ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_na_rules(ind):
    if ind["na_allowed"]:
        assert _pair(ind["na_rule"]), ind["code"]
        assert ind["na_rule"]["en"].startswith("N/A"), ind["code"]
    else:
        assert "na_rule" not in ind, ind["code"]


def test_children_clauses_allow_na_or_apply_to_every_facility():
    """Indicators about children are N/A where no child stays; the presumption of minority applies to all."""
    for key in ("safety.child-safeguarding", "services.schooling", "services.children-space",
                "case-management.child-best-interests"):
        assert BY_KEY[key]["na_allowed"], key
        assert "child" in BY_KEY[key]["na_rule"]["en"], key
    assert not BY_KEY["case-management.age-presumption"]["na_allowed"]


def test_short_stay_centres_have_na_where_stays_are_too_short():
    short = {key for key, ind in BY_KEY.items() if ind.get("na_allowed") and "short-stay" in ind["na_rule"]["en"]}
    assert {"services.learning-and-training", "case-management.individual-plan", "participation.shared-decisions",
            "referral.transitional-housing"} <= short


def test_transitional_housing_na_no_longer_swallows_level_0():
    """v1 H5: N/A "where the shelter neither provides nor links" made level 0 impossible."""
    ind = BY_KEY["referral.transitional-housing"]
    assert "neither provides nor" in ind["levels"][0]["en"]
    assert "neither" not in ind["na_rule"]["en"]


# -- evidence, checklist, sources -----------------------------------------------------------------------

@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_evidence_sources_and_checklist(ind):
    assert ind["evidence"] and set(ind["evidence"]) <= set(EVIDENCE_SOURCES), ind["code"]
    checklist = ind["checklist"]
    assert set(checklist) == {"documents", "file_sample", "ask", "observe"}, ind["code"]
    for kind in ("documents", "ask", "observe"):
        assert isinstance(checklist[kind], list) and all(_pair(item) for item in checklist[kind]), (ind["code"], kind)
    sample = checklist["file_sample"]
    assert sample is None or (_pair(sample) and isinstance(sample["size"], int) and 1 <= sample["size"] <= 10)
    assert checklist["documents"] or sample or checklist["ask"] or checklist["observe"], ind["code"]
    if "resident_interview" in ind["evidence"] or "staff_interview" in ind["evidence"]:
        assert checklist["ask"], ind["code"]
    if "observation" in ind["evidence"]:
        assert checklist["observe"], ind["code"]


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_file_samples_match_the_descriptors(ind):
    """An indicator whose levels count sampled files names the sample in its checklist."""
    levels = " ".join(ind["levels"][lv]["en"] for lv in range(4))
    if re.search(r"\b5 (sampled )?files\b|1–4 of (the )?5\b|None of the 5\b|All 5\b", levels):
        assert ind["checklist"]["file_sample"], ind["code"]


def test_every_cited_source_is_listed_in_sources_md():
    listed = set(re.findall(r"^\| (S\d+)(?: †)? \|", (DATA / "SOURCES.md").read_text(encoding="utf-8"), re.M))
    cited = {s for ind in INDICATORS for s in ind["sources"]} | {s for a in SHEET["areas"] for s in a["sources"]}
    assert all(ind["sources"] for ind in INDICATORS)
    assert cited <= listed, sorted(cited - listed)


def test_evidence_balance_uses_residents_and_staff_not_only_documents():
    """The v1 review: 50 of 58 indicators needed documents and only 19 used residents' views."""
    n = len(INDICATORS)
    residents = sum("resident_interview" in ind["evidence"] for ind in INDICATORS)
    people = sum(bool({"resident_interview", "staff_interview"} & set(ind["evidence"])) for ind in INDICATORS)
    documents_only = [ind["code"] for ind in INDICATORS if ind["evidence"] == ["document_review"]]
    assert residents >= 0.45 * n
    assert people >= 0.9 * n
    assert len(documents_only) <= 5, documents_only


# -- the missing aspects of the review are there ------------------------------------------------------

@pytest.mark.parametrize("key", [
    "participation.non-discrimination", "facilities.disability-access", "safety.child-safeguarding",
    "case-management.age-presumption", "participation.non-punitive-rules", "participation.money-documents",
    "case-management.identity-documents", "services.non-conditional-assistance", "services.medical-consent",
    "safety.crisis-self-harm", "referral.family-assessment", "confidentiality.data-retention",
    "confidentiality.phones-messaging", "staffing.gender-choice",
])
def test_the_missing_aspects_are_indicators(key):
    assert key in BY_KEY


def test_non_discrimination_names_the_groups():
    text = BY_KEY["participation.non-discrimination"]["text"]["en"]
    for group in ("sex", "gender identity", "sexual orientation", "ethnicity", "HIV", "disability", "sex work"):
        assert group in text, group


def test_no_duplicated_indicators_of_v1():
    """v1 D5/H3 (closure vs reintegration) are merged; E4/H2 no longer both score consent."""
    assert BY_KEY["referral.exit-plan"]["crosswalk"]["relation"] == "merged"
    assert "consent" not in BY_KEY["referral.directory-consent"]["text"]["en"].lower()


@pytest.mark.parametrize("ind", INDICATORS, ids=IDS)
def test_crosswalk_entry_shape(ind):
    crosswalk = ind["crosswalk"]
    assert crosswalk["relation"] in CROSSWALK_RELATIONS
    assert isinstance(crosswalk["from"], list)
    assert _pair(crosswalk["note"]), ind["code"]

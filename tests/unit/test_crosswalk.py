"""The crosswalk between standard score sheet versions 1 and 2, and the crosswalk rules."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from shelterassess.scoresheets.crosswalk import COMPARABLE, Crosswalk, Link, comparable_across, problems

DATA = Path(__file__).resolve().parents[2] / "shelterassess" / "scoresheets" / "data"


def _load(name):
    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


V1, V2 = _load("standard_v1.yaml"), _load("standard_v2.yaml")
V1_KEYS = [ind["key"] for area in V1["areas"] for ind in area["indicators"]]
V2_INDICATORS = [ind for area in V2["areas"] for ind in area["indicators"]]


def _crosswalk(sheet) -> Crosswalk:
    links = tuple(Link(ind["key"], ind["crosswalk"]["relation"], tuple(ind["crosswalk"]["from"]))
                  for area in sheet["areas"] for ind in area["indicators"])
    retired = {item["key"]: item["note"] for item in sheet["crosswalk"]["retired"]}
    return Crosswalk(sheet["crosswalk"]["from_version"], links, retired)


CW = _crosswalk(V2)


# -- the shipped crosswalk -----------------------------------------------------------------------

def test_every_v1_key_is_mapped_or_retired_and_the_crosswalk_is_valid():
    assert problems(CW, V1_KEYS) == []
    mapped = {key for link in CW.links for key in link.predecessors}
    assert set(V1_KEYS) == mapped | set(CW.retired)


def test_retired_keys_give_a_reason_in_both_languages():
    for item in V2["crosswalk"]["retired"]:
        assert item["note"]["vi"].strip() and item["note"]["en"].strip(), item["key"]


def test_a_key_is_kept_exactly_when_the_indicator_is_comparable():
    v1 = set(V1_KEYS)
    for link in CW.links:
        assert (link.key in v1) == (link.relation in COMPARABLE), link.key


def test_every_v2_indicator_states_its_relation_and_predecessors():
    assert all(ind["crosswalk"]["relation"] for ind in V2_INDICATORS)
    relations = {ind["crosswalk"]["relation"] for ind in V2_INDICATORS}
    assert {"reworded", "split", "merged", "new"} <= relations


@pytest.mark.parametrize("v1_key,relation,successors", [
    ("services.legal-aid", "split", {"services.legal-information", "services.non-conditional-assistance"}),
    ("services.education-vocational", "split", {"services.learning-and-training", "services.schooling"}),
    ("case-management.case-closure", "merged", {"referral.exit-plan"}),
    ("referral.reintegration-plan", "merged", {"referral.exit-plan"}),
])
def test_the_review_findings_are_mapped(v1_key, relation, successors):
    found = CW.successors()[v1_key]
    assert {link.key for link in found} == successors
    assert any(link.relation == relation for link in found)


def test_comparable_keys_between_v1_and_v2():
    keys = comparable_across([CW], [i["key"] for i in V2_INDICATORS], V1_KEYS)
    assert keys == CW.comparable_keys()
    assert "facilities.disability-access" not in keys  # new
    assert "services.legal-aid" not in keys  # split
    assert "participation.voluntary-stay" in keys  # reworded


# -- the rules ---------------------------------------------------------------------------------

def _cw(*links, retired=()):
    return Crosswalk(1, tuple(Link(*link) for link in links), {key: "" for key in retired})


def test_problems_of_a_valid_small_crosswalk():
    cw = _cw(("a", "same", ("a",)), ("b", "reworded", ("b",)), ("c1", "split", ("c",)), ("c2", "split", ("c",)),
             ("de", "merged", ("d", "e")), ("f", "new", ()), retired=("g",))
    assert problems(cw, ["a", "b", "c", "d", "e", "g"]) == []


@pytest.mark.parametrize("links,retired,earlier,message", [
    ((("a", "same", ("a",)),), (), ["a", "b"], "b: neither mapped nor retired"),
    ((("a", "same", ("a",)),), ("a",), ["a"], "a: both mapped and retired"),
    ((("a", "same", ("a",)),), ("z",), ["a"], "z: retired but not in the earlier version"),
    ((("a2", "reworded", ("a",)),), (), ["a"], "must keep its predecessor's key a"),
    ((("a", "split", ("a",)), ("a2", "split", ("a",))), (), ["a"], "must not reuse a key"),
    ((("a1", "split", ("a",)),), (), ["a"], "nothing else takes a part of it"),
    ((("ab", "merged", ("a",)),), (), ["a"], "merged needs at least 2 predecessor(s)"),
    ((("x", "new", ("a",)),), (), ["a"], "new needs none predecessor(s)"),
    ((("a", "same", ("a",)), ("a2", "merged", ("a", "b"))), (), ["a", "b"], "a is also claimed by a2"),
    ((("a", "same", ("q",)),), ("a",), ["a"], "predecessor q is not in the earlier version"),
    ((("a", "copied", ("a",)),), (), ["a"], "unknown relation"),
])
def test_problems_found(links, retired, earlier, message):
    found = problems(_cw(*links, retired=retired), earlier)
    assert any(message in p for p in found), found


def test_comparable_across_a_chain_of_versions():
    v2 = _cw(("a", "same", ("a",)), ("b", "reworded", ("b",)), ("c2", "new", ()))
    v3 = _cw(("a", "reworded", ("a",)), ("b1", "split", ("b",)), ("b2", "split", ("b",)), ("c2", "same", ("c2",)))
    assert comparable_across([v2, v3], ["a", "b1", "b2", "c2"], ["a", "b", "c"]) == {"a"}
    assert comparable_across([v3], ["a", "b1", "b2", "c2"], ["a", "b", "c2"]) == {"a", "c2"}
    assert comparable_across([], ["a", "b"], ["a", "b"]) == {"a", "b"}

"""Reading the body of an area save through the API (shelterassess/api/inputs.py): pure, no app."""
import pytest

from shelterassess.api.inputs import MAX_ANSWERS, parse_area_body


def _answer(**changes):
    return {"indicator_id": 7, "value": 2, "not_applicable": False, "evidence": ["observation"], "note": " ok \r\n",
            "version": 3, **changes}


def test_a_well_formed_body_becomes_answer_inputs():
    items, confirmed, errors = parse_area_body({"answers": [_answer(), _answer(indicator_id=8, value=None,
                                                                               not_applicable=True, evidence=[])],
                                                "confirm_identifying": True}, 2000)
    assert errors == [] and confirmed is True
    assert [(i.indicator_id, i.value, i.not_applicable, i.evidence, i.note, i.version) for i in items] == [
        (7, 2, False, ("observation",), "ok", 3), (8, None, True, (), "ok", 3)]


def test_integral_floats_count_as_integers_but_booleans_do_not():
    items, _confirmed, errors = parse_area_body({"answers": [_answer(indicator_id=7.0, value=1.0)]}, 2000)
    assert errors == [] and items[0].indicator_id == 7 and items[0].value == 1
    _items, _confirmed, errors = parse_area_body({"answers": [_answer(value=True, version=False)]}, 2000)
    assert {f for f, _m in errors} == {"answers[0].value", "answers[0].version"}


@pytest.mark.parametrize(("body", "field"), [
    (None, "body"),
    ([], "body"),
    ({}, "answers"),
    ({"answers": []}, "answers"),
    ({"answers": [_answer()] * (MAX_ANSWERS + 1)}, "answers"),
    ({"answers": [_answer()], "extra": 1}, "extra"),
    ({"answers": [_answer()], "confirm_identifying": "yes"}, "confirm_identifying"),
    ({"answers": ["A1=2"]}, "answers[0]"),
    ({"answers": [{k: v for k, v in _answer().items() if k != "note"}]}, "answers[0].note"),
    ({"answers": [_answer(value=4)]}, "answers[0].value"),
    ({"answers": [_answer(value=-1)]}, "answers[0].value"),
    ({"answers": [_answer(value=2, not_applicable=True)]}, "answers[0].value"),
    ({"answers": [_answer(not_applicable="no")]}, "answers[0].not_applicable"),
    ({"answers": [_answer(evidence="observation")]}, "answers[0].evidence"),
    ({"answers": [_answer(evidence=["observation", "observation"])]}, "answers[0].evidence"),
    ({"answers": [_answer(evidence=[{"a": 1}])]}, "answers[0].evidence"),
    ({"answers": [_answer(note="\x00")]}, "answers[0].note"),
    ({"answers": [_answer(note="\ud800")]}, "answers[0].note"),
    ({"answers": [_answer(note="x" * 11)]}, "answers[0].note"),
    ({"answers": [_answer(version=0)]}, "answers[0].version"),
    ({"answers": [_answer(version=2**31)]}, "answers[0].version"),
    ({"answers": [_answer(indicator_id=2**63)]}, "answers[0].indicator_id"),
    ({"answers": [_answer(), _answer()]}, "answers[1].indicator_id"),
])
def test_bad_bodies_name_the_field(body, field):
    _items, _confirmed, errors = parse_area_body(body, 10)
    assert field in [f for f, _m in errors], errors


def test_a_long_note_counts_line_breaks_once_and_ignores_surrounding_spaces():
    _items, _c, errors = parse_area_body({"answers": [_answer(note="  " + "a\r\n" * 5 + "  ")]}, 10)
    assert errors == []

"""The XLSForm rows of a score sheet and the reading of ODK Central / KoboToolbox exports (pure)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from pyxform.xls2xform import convert

from shelterassess.odk.domain import (
    LABEL_EN, LABEL_VI, AreaText, FormError, IndicatorText, SheetText, build_xlsform, display_team_code, form_id,
    form_version, team_code, team_code_matches,
)
from shelterassess.odk.submissions import (
    MAX_ROWS, FileRefused, choose_submission, column_map, parse_submissions, read_rows,
)
from shelterassess.odk.xlsx import xlsform_bytes

DATA = Path(__file__).resolve().parents[2] / "shelterassess" / "scoresheets" / "data"


def _sheet(rounds=((4, "2027 round"),)) -> SheetText:
    return SheetText("mini", 1, "Bộ tiêu chí", "Score sheet", rounds=rounds, areas=(
        AreaText("facilities", "A", "Cơ sở vật chất", "Facilities", (
            IndicatorText("facilities.sleeping", "A1", "Phòng ngủ", "Bedrooms", False),
            IndicatorText("facilities.children", "A2", "Khu vui chơi", "Play space", True))),
    ))


def _from_yaml(path: Path) -> SheetText:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return SheetText(data["key"], data["version"], data["title"]["vi"], data["title"]["en"], rounds=((1, "R"),),
                     areas=tuple(AreaText(a["key"], a["code"], a["title"]["vi"], a["title"]["en"], tuple(
                         IndicatorText(i["key"], i["code"], i["text"]["vi"], i["text"]["en"], bool(i.get("na_allowed")),
                                       tuple((lv["vi"], lv["en"]) for _n, lv in sorted((i.get("levels") or {}).items())))
                         for i in a["indicators"])) for a in data["areas"]))


def test_rows_one_group_per_area_and_three_fields_per_indicator():
    form = build_xlsform(_sheet())
    types = [(r["type"], r["name"]) for r in form.survey]
    assert types[:6] == [("begin group", "visit"), ("text", "facility_code"),
                         ("select_one assessment_kind", "assessment_kind"), ("text", "team_code"),
                         ("select_one round", "round"), ("end group", "visit")]
    team = next(r for r in form.survey if r["name"] == "team_code")
    assert team["relevant"] == "${assessment_kind} = 'peer'" and team["required"] == "yes"
    assert [c["name"] for c in form.choices if c["list_name"] == "assessment_kind"] == ["self", "peer"]
    assert ("calculate", "sheet_version") in types
    assert types[-8:] == [("begin group", "facilities"), ("select_one score", "facilities.sleeping"),
                          ("select_multiple evidence", "facilities.sleeping_evidence"),
                          ("text", "facilities.sleeping_note"), ("select_one score_na", "facilities.children"),
                          ("select_multiple evidence", "facilities.children_evidence"),
                          ("text", "facilities.children_note"), ("end group", "facilities")]
    a1 = next(r for r in form.survey if r["name"] == "facilities.sleeping")
    assert a1[LABEL_VI] == "A1. Phòng ngủ" and a1[LABEL_EN] == "A1. Bedrooms"
    assert [c["name"] for c in form.choices if c["list_name"] == "score_na"] == ["0", "1", "2", "3", "na"]
    assert [c["name"] for c in form.choices if c["list_name"] == "score"] == ["0", "1", "2", "3"]
    assert form.settings == [{"form_title": "Bộ tiêu chí / Score sheet (v1)", "form_id": "shelterassess_mini_v1",
                              "version": "1.4.2", "default_language": "Vietnamese (vi)"}]


def test_without_rounds_the_round_is_typed():
    sheet = _sheet(rounds=())
    assert ("integer", "round") in [(r["type"], r["name"]) for r in build_xlsform(sheet).survey]
    assert form_version(sheet) == "1.0.2" and form_id(sheet) == "shelterassess_mini_v1"


def test_a_key_that_cannot_be_a_field_name_is_refused():
    bad = SheetText("mini", 1, "t", "t", areas=(AreaText("a", "A", "a", "a", (
        IndicatorText("2 bad key", "A1", "x", "x", False),)),))
    with pytest.raises(FormError):
        build_xlsform(bad)
    twice = SheetText("mini", 1, "t", "t", areas=(AreaText("a", "A", "a", "a", (
        IndicatorText("x", "A1", "x", "x", False), IndicatorText("x", "A2", "x", "x", False))),))
    with pytest.raises(FormError):
        build_xlsform(twice)


@pytest.mark.parametrize("name", ["standard_v1.yaml", "standard_v2.yaml"])
def test_the_shipped_sheets_convert_with_pyxform(name):
    sheet = _from_yaml(DATA / name)
    warnings: list[str] = []
    xform = convert(xlsform_bytes(build_xlsform(sheet)), warnings=warnings).xform
    assert warnings == []
    assert xform.count("_evidence\"") >= len(sheet.indicators)
    assert 'lang="Vietnamese (vi)"' in xform and 'lang="English (en)"' in xform


def _row(sep="-", **cells) -> dict[str, str]:
    row = {f"visit{sep}facility_code": "SH-A", f"visit{sep}round": "4", "sheet_version": "mini:1",
           f"visit{sep}assessment_kind": "self", f"visit{sep}team_code": "",
           f"facilities{sep}facilities.sleeping": "2", f"facilities{sep}facilities.sleeping_evidence": "observation",
           f"facilities{sep}facilities.sleeping_note": " Sạch sẽ ", f"facilities{sep}facilities.children": "na",
           "meta-instanceID": "uuid:1", "KEY": "uuid:1"}
    row.update(cells)
    return row


def test_rows_are_read_whichever_separator_the_export_uses():
    for sep in ("-", "/"):
        [sub] = parse_submissions(_sheet(), [_row(sep)])
        assert (sub.facility_code, sub.round_id, sub.sheet_version, sub.instance_id) == ("SH-A", "4", "mini:1", "uuid:1")
        a1, a2 = sub.answers["facilities.sleeping"], sub.answers["facilities.children"]
        assert (a1.value, a1.not_applicable, a1.evidence, a1.note) == (2, False, ("observation",), "Sạch sẽ")
        assert (a2.value, a2.not_applicable, a2.given) == (None, True, True)
        assert sub.problems == []


def test_per_option_evidence_columns_and_respreadsheeted_numbers():
    row = _row(**{"facilities-facilities.sleeping_evidence": "", "facilities-facilities.sleeping": "3.0",
                  "facilities-facilities.sleeping_evidence/staff_interview": "1",
                  "facilities-facilities.sleeping_evidence/observation": "0"})
    [sub] = parse_submissions(_sheet(), [row])
    assert sub.answers["facilities.sleeping"].value == 3
    assert sub.answers["facilities.sleeping"].evidence == ("staff_interview",)


def test_bad_values_are_problems_of_the_row():
    row = _row(**{"facilities-facilities.sleeping": "Fully", "facilities-facilities.sleeping_evidence": "Observation"})
    [sub] = parse_submissions(_sheet(), [row])
    assert [(p.kind, p.row, p.params["code"]) for p in sub.problems] == [("bad_score", 1, "A1"), ("bad_evidence", 1, "A1")]
    [sub] = parse_submissions(_sheet(), [_row(**{"facilities-facilities.sleeping": "na"})])
    assert [p.kind for p in sub.problems] == ["na_not_allowed"]
    [sub] = parse_submissions(_sheet(), [_row(**{"facilities-facilities.sleeping_note": "x" * 11})], note_max=10)
    assert [p.kind for p in sub.problems] == ["note_too_long"]


def test_choose_refuses_other_versions_facilities_rounds_and_duplicates():
    sheet = _sheet()
    rows = [_row(), _row(sheet_version="mini:2"), _row(**{"visit-facility_code": "RC-B"}), _row(**{"visit-round": "5"})]
    chosen, refused = choose_submission(sheet, parse_submissions(sheet, rows), "sh-a", 4, "self")
    assert chosen.row == 1
    assert [(p.kind, p.row) for p in refused] == [("other_version", 2), ("other_facility", 3), ("other_round", 4)]
    chosen, refused = choose_submission(sheet, parse_submissions(sheet, [_row(), _row()]), "SH-A", 4, "self")
    assert chosen is None and refused[0].kind == "several" and refused[0].params["rows"] == "1, 2"


@pytest.mark.parametrize(("data", "kind"), [
    (b"", "empty"), (b"  \n", "empty"), (b"\xff\xfe\xfa", "encoding"), (b"a\x00b,c\n", "not_table"),
    (b"only_one_column\n1\n", "not_table"), (b"[1, 2]", "json"), (b'{"value": 3}', "json"), (b"{oops", "json"),
    (b"a,b\n", "empty"),
])
def test_unreadable_files(data, kind):
    with pytest.raises(FileRefused) as refused:
        read_rows(data, "x.csv")
    assert refused.value.problem.kind == kind


def test_too_many_rows():
    data = ("a,b\n" + "1,2\n" * (MAX_ROWS + 1)).encode()
    with pytest.raises(FileRefused) as refused:
        read_rows(data, "x.csv")
    assert refused.value.problem.kind == "too_many_rows"


def test_kobo_semicolons_and_central_odata_json():
    rows = read_rows("\ufeffvisit/facility_code;sheet_version\nSH-A;mini:1\n".encode(), "k.csv")
    assert rows == [{"visit/facility_code": "SH-A", "sheet_version": "mini:1"}]
    odata = {"value": [{"__id": "uuid:9", "visit": {"facility_code": "SH-A", "round": 4, "assessment_kind": "self"},
                        "sheet_version": "mini:1",
                        "facilities": {"facilities.sleeping": "1", "facilities.sleeping_evidence": None}}]}
    [row] = read_rows(json.dumps(odata).encode(), "o.json")
    [sub] = parse_submissions(_sheet(), [row])
    assert (sub.instance_id, sub.round_id, sub.answers["facilities.sleeping"].value) == ("uuid:9", "4", 1)


def test_a_file_of_another_form_is_refused():
    with pytest.raises(FileRefused) as refused:
        parse_submissions(_sheet(), [{"a": "1", "b": "2"}])
    assert refused.value.problem.kind == "not_our_form"
    with pytest.raises(FileRefused) as refused:
        parse_submissions(_sheet(), [{"sheet_version": "mini:1", "assessment_kind": "self", "Bedrooms": "2"}])
    assert refused.value.problem.kind == "no_indicator_columns"
    assert column_map(_sheet(), ["data/facilities/facilities.sleeping"]) == {
        "facilities.sleeping": "data/facilities/facilities.sleeping"}


def test_rows_of_another_kind_or_team_and_of_the_older_form_are_refused():
    sheet, code = _sheet(), team_code(7, 4)
    assert len(code) == 6 and code != team_code(8, 4) and code != team_code(7, 5)
    assert team_code_matches(display_team_code(code).lower(), code) and team_code_matches(f" {code[:3]} {code[3:]}", code)
    rows = [_row(), _row(**{"visit-assessment_kind": "peer", "visit-team_code": display_team_code(code).lower()}),
            _row(**{"visit-assessment_kind": "peer", "visit-team_code": team_code(8, 4)}),
            _row(**{"visit-assessment_kind": ""})]
    subs = parse_submissions(sheet, rows)
    chosen, refused = choose_submission(sheet, subs, "SH-A", 4, "peer", code)
    assert chosen.row == 2
    assert [(p.kind, p.row) for p in refused] == [("other_kind", 1), ("other_team", 3), ("no_kind", 4)]
    chosen, refused = choose_submission(sheet, subs, "SH-A", 4, "self")
    assert chosen.row == 1 and [(p.kind, p.row) for p in refused] == [("other_kind", 2), ("other_kind", 3),
                                                                       ("no_kind", 4)]
    old = {k: v for k, v in _row().items() if "assessment_kind" not in k}
    with pytest.raises(FileRefused) as refused_file:
        parse_submissions(sheet, [old])
    assert refused_file.value.problem.kind == "old_form"


def test_a_control_character_in_a_note_is_a_problem_of_the_row():
    for note in ("a\x00b", "bell\x07", "\x9b", "\ud800"):
        [sub] = parse_submissions(_sheet(), [_row(**{"facilities-facilities.sleeping_note": note})])
        assert [p.kind for p in sub.problems] == ["note_control"], repr(note)
    [sub] = parse_submissions(_sheet(), [_row(**{"facilities-facilities.sleeping_note": "a\tb\nc"})])
    assert sub.problems == []

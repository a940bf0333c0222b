"""ODK (issue 13) through HTTP: the XLSForm download converts with pyxform; a submission
exported from ODK Central (CSV, "-" between groups), KoboToolbox (CSV with ";" and "/", or
JSON) goes through the preview into the draft with identical scores; another version,
facility or round, a garbage file, a read-only assessment are refused with a message."""
from __future__ import annotations

import csv
import html
import io
import json
import re
import uuid

import openpyxl
from pyxform.xls2xform import convert
from shelterassess.assessments.models import Assessment, AssessmentStatus
from shelterassess.assessments.services import start_assessment
from shelterassess.extensions import db
from tests.conftest import login

VALUES = {"A1": "2", "A2": "na", "B1": "0", "B2": "3"}
EVIDENCE = {"A1": "observation staff_interview", "A2": "", "B1": "document_review", "B2": "observation"}
NOTES = {"A1": "Phòng ngủ có khóa.\nĐã xem 4 phòng.", "B1": "Hồ sơ ghi tên đầy đủ."}


def _xlsform(client, world) -> bytes:
    response = client.get(f"/scoresheets/{world.sheet.id}/xlsform.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response.data


def _fields(xlsx: bytes) -> list[tuple[str, str, str]]:
    """(group path, field name, type) of every question and calculate in the XLSForm, read back."""
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    rows = list(book["survey"].iter_rows(values_only=True))
    header = rows[0]
    groups, fields = [], []
    for row in rows[1:]:
        item = dict(zip(header, row))
        if item["type"] == "begin group":
            groups.append(item["name"])
        elif item["type"] == "end group":
            groups.pop()
        else:
            fields.append(("/".join(groups), item["name"], item["type"]))
    return fields


def _submission(world, fields, sep="-", facility="SH-A", round_id=None, version=None, values=None, kind="self",
                team="", notes=None) -> dict:
    """One submission as an export's row: each field's column by ``sep``, plus the metadata columns
    (``kind``: the form's assessment_kind; ``team``: its team_code, for a peer team's row)."""
    codes = {ind.key: ind.code for ind in world.sheet.indicators}
    values = values or VALUES
    notes = NOTES if notes is None else notes
    row = {}
    for group, name, type_ in fields:
        column = sep.join(group.split("/") + [name]) if group else name
        key = name.removesuffix("_evidence").removesuffix("_note")
        if name == "facility_code":
            row[column] = facility
        elif name == "round":
            row[column] = str(round_id or world.round.id)
        elif name == "assessment_kind":
            row[column] = kind
        elif name == "team_code":
            row[column] = team
        elif name == "sheet_version":
            row[column] = version or f"{world.sheet.key}:{world.sheet.version}"
        elif name.endswith("_evidence"):
            row[column] = EVIDENCE.get(codes[key], "")
        elif name.endswith("_note"):
            row[column] = notes.get(codes[key], "")
        else:
            row[column] = values.get(codes[name], "")
    return row


def _central_csv(rows: list[dict]) -> bytes:
    header = ["SubmissionDate", *rows[0].keys(), "meta-instanceID", "KEY", "SubmitterName", "FormVersion"]
    out = io.StringIO()
    writer = csv.DictWriter(out, header)
    writer.writeheader()
    for row in rows:
        instance = f"uuid:{uuid.uuid4()}"
        writer.writerow({**row, "SubmissionDate": "2027-03-02T08:15:00.000Z", "meta-instanceID": instance,
                         "KEY": instance, "SubmitterName": "collector1", "FormVersion": "1.1"})
    return out.getvalue().encode("utf-8")


def _kobo_csv(rows: list[dict]) -> bytes:
    header = ["start", "end", *rows[0].keys(), "meta/instanceID", "_id", "_uuid", "_submission_time", "__version__"]
    out = io.StringIO()
    writer = csv.DictWriter(out, header, delimiter=";")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "_uuid": str(uuid.uuid4()), "_id": "7", "__version__": "vQx3"})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _upload(client, assessment, data: bytes, name="export.csv"):
    return client.post(f"/assessments/{assessment.id}/odk-import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def _confirm(client, assessment, preview_page: str, **extra):
    payload = html.unescape(re.search(r'name="payload" value="([^"]*)"', preview_page).group(1))
    return client.post(f"/assessments/{assessment.id}/odk-import", data={"payload": payload, **extra})


def _draft(world) -> Assessment:
    assessment = start_assessment(db.session, world.staff_a, world.facility_a, world.round)
    db.session.commit()
    return assessment


def _scores(assessment) -> dict[str, tuple]:
    from shelterassess.assessments.queries import scores_by_indicator

    db.session.expire_all()
    return {s.indicator.code: (s.value, s.not_applicable, s.evidence_list, s.note)
            for s in scores_by_indicator(db.session, assessment).values()}


def _preview_cell(page: str, code: str) -> str:
    row = re.search(rf'<tr id="odk-{code}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", re.search(r'class="odk-value">(.*?)</td>', row, re.S).group(1)).split())


def test_the_xlsform_converts_with_pyxform_in_both_languages(client, world):
    login(client, world.staff_a)
    warnings: list[str] = []
    xform = convert(_xlsform(client, world), warnings=warnings).xform
    assert 'lang="Vietnamese (vi)"' in xform and 'lang="English (en)"' in xform
    assert "Phòng ngủ riêng tư và an toàn" in xform and "Private, safe bedrooms" in xform
    for ind in world.sheet.indicators:
        path = f"/data/{ind.area.key}/{ind.key}"
        assert f'nodeset="{path}"' in xform and f'nodeset="{path}_evidence"' in xform
        assert f'nodeset="{path}_note"' in xform
    assert re.search(r'<instance id="score_na">.*?<name>na</name>', xform, re.S)
    assert "<name>na</name>" not in re.search(r'<instance id="score">(.*?)</instance>', xform, re.S).group(1)
    assert re.search(rf'id="shelterassess_mini_v1" version="1\.{world.round.id}\.2"', xform)
    assert "<name>self</name>" in xform and "<name>peer</name>" in xform  # assessment_kind's choices
    assert re.search(r'nodeset="/data/visit/assessment_kind"[^>]*required="true\(\)"', xform)
    assert re.search(r'nodeset="/data/visit/team_code"[^>]*relevant=" /data/visit/assessment_kind  = \'peer\'"', xform)
    assert f"'mini:1'" in xform  # the sheet_version calculate
    assert f"<name>{world.round.id}</name>" in xform  # the round to choose


def test_odk_central_csv_round_trips_into_identical_scores(client, world):
    """Scores saved by hand in the area pages and scores imported from the same answers are equal."""
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    page = _upload(client, assessment, _central_csv([_submission(world, fields, "-")])).get_data(as_text=True)
    assert 'id="odk-problems"' not in page, page
    assert [_preview_cell(page, c) for c in ("A1", "A2", "B1", "B2")] == ["2", "N/A", "0", "3"]
    assert "Phòng ngủ có khóa." in page and "Staff interview" in page
    response = _confirm(client, assessment, page)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/assessments/{assessment.id}")
    assert _scores(assessment) == {
        "A1": (2, False, ["observation", "staff_interview"], "Phòng ngủ có khóa.\nĐã xem 4 phòng."),
        "A2": (None, True, [], ""), "B1": (0, False, ["document_review"], "Hồ sơ ghi tên đầy đủ."),
        "B2": (3, False, ["observation"], "")}
    overview = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "4 answers were imported from the ODK submission" in overview


def test_kobo_csv_and_json_exports_import_too(client, world):
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    page = _upload(client, assessment, _kobo_csv([_submission(world, fields, "/")])).get_data(as_text=True)
    assert [_preview_cell(page, c) for c in ("A1", "A2", "B1", "B2")] == ["2", "N/A", "0", "3"]
    other = dict(VALUES, A1="1")
    nested: dict = {"__id": "uuid:1", "__system": {"submissionDate": "2027-03-02"}}
    for column, value in _submission(world, fields, "/", values=other).items():
        target = nested
        *groups, name = column.split("/")
        for group in groups:
            target = target.setdefault(group, {})
        target[name] = value
    page = _upload(client, assessment, json.dumps({"value": [nested]}).encode(), "export.json").get_data(as_text=True)
    assert _preview_cell(page, "A1") == "1"
    assert _confirm(client, assessment, page).status_code == 302
    assert _scores(assessment)["A1"][0] == 1


def test_another_version_facility_or_round_is_refused(client, world):
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    for row, message in (
            (_submission(world, fields, version="mini:2"), "Row 1 answers score-sheet version mini:2, not mini:1"),
            (_submission(world, fields, facility="RC-B"), "Row 1 is for facility RC-B, not SH-A."),
            (_submission(world, fields, round_id=999), "Row 1 is for another assessment round (999)."),
    ):
        page = _upload(client, assessment, _central_csv([row])).get_data(as_text=True)
        assert "Nothing was imported." in page and message in page
        assert 'name="payload"' not in page
    assert all(v == (None, False, [], "") for v in _scores(assessment).values())


def test_the_facilitys_row_is_taken_and_the_others_listed(client, world):
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    data = _central_csv([_submission(world, fields, facility="RC-B"), _submission(world, fields)])
    page = _upload(client, assessment, data).get_data(as_text=True)
    assert "These rows of the file are not imported:" in page and "Row 1 is for facility RC-B" in page
    assert _preview_cell(page, "A1") == "2"
    twice = _central_csv([_submission(world, fields), _submission(world, fields)])
    assert "Rows 1, 2 are all for this facility and round." in _upload(client, assessment, twice).get_data(as_text=True)


def test_garbage_files_get_a_message_and_change_nothing(client, world, monkeypatch):
    monkeypatch.setattr("shelterassess.odk.views.MAX_FILE_BYTES", 4096)  # small bodies stay in memory
    login(client, world.staff_a)
    assessment = _draft(world)
    cases = [
        (b"", "The file is empty."),
        (b"\xff\xfe\x00garbage", "The file is not UTF-8 text."),
        (b"PK\x03\x04 not a csv", "is not a CSV or JSON export"),
        (b"{not json", "The JSON file cannot be read"),
        (b"a,b\n1,2\n", "it is not an export of a ShelterAssess score-sheet form"),
        (b"x" * 4097, "The file is larger than 4 kB."),
    ]
    for data, message in cases:
        response = _upload(client, assessment, data)
        assert response.status_code == 200 and message in response.get_data(as_text=True), message
    no_file = client.post(f"/assessments/{assessment.id}/odk-import", data={}).get_data(as_text=True)
    assert "Choose the CSV or JSON file" in no_file
    forged = client.post(f"/assessments/{assessment.id}/odk-import", data={"payload": "[1"}).get_data(as_text=True)
    assert "This preview can no longer be confirmed" in forged and "Upload the file again." in forged
    assert all(v == (None, False, [], "") for v in _scores(assessment).values())


def test_a_bad_value_in_the_row_is_shown_and_blocks_the_import(client, world):
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    row = _submission(world, fields, values=dict(VALUES, A1="5", B2="na"))
    page = html.unescape(_upload(client, assessment, _central_csv([row])).get_data(as_text=True))
    assert 'Row 1, A1: "5" is not a score (0, 1, 2, 3 or na).' in page
    assert "Row 1, B2: N/A is not allowed for this indicator." in page
    assert 'name="payload"' not in page


def test_identifying_notes_need_the_confirmation(client, world):
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    NOTES_ID = dict(NOTES, B1="Gọi chị Lan số 0912 345 678.")
    row = _submission(world, fields)
    row[next(c for c in row if c.endswith("confidentiality.coded-files_note"))] = NOTES_ID["B1"]
    page = _upload(client, assessment, _central_csv([row])).get_data(as_text=True)
    assert "This note seems to contain" in page
    refused = _confirm(client, assessment, page).get_data(as_text=True)
    assert "Some notes seem to identify a person." in refused
    assert _scores(assessment)["B1"] == (None, False, [], "")
    digest = re.search(r'name="confirm_identifying" value="([^"]+)"', page).group(1)
    assert _confirm(client, assessment, page, confirm_identifying=digest).status_code == 302
    assert _scores(assessment)["B1"][3] == "Gọi chị Lan số 0912 345 678."


def test_a_score_changed_since_the_preview_is_not_overwritten(client, world):
    from tests.area_posts import post_area

    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    page = _upload(client, assessment, _central_csv([_submission(world, fields)])).get_data(as_text=True)
    area = world.sheet.areas[0]
    data = {f"score-{area.indicators[0].id}": "1", f"note-{area.indicators[0].id}": "",
            f"note-{area.indicators[1].id}": ""}
    assert post_area(client, f"/assessments/{assessment.id}/areas/{area.id}", data=data).status_code == 302
    response = _confirm(client, assessment, page, follow_redirects=False)
    assert response.status_code == 302
    assert "since the preview. Nothing was imported" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _scores(assessment)["A1"][0] == 1 and _scores(assessment)["B2"][0] is None


def test_read_only_and_other_facilitys_assessments(client, world):
    assessment = _draft(world)
    login(client, world.staff_b)
    assert client.get(f"/assessments/{assessment.id}/odk-import").status_code == 404
    assessment.status = AssessmentStatus.SUBMITTED.value
    db.session.commit()
    client.post("/logout")
    login(client, world.staff_a)
    page = client.get(f"/assessments/{assessment.id}/odk-import").get_data(as_text=True)
    assert "This self-assessment was submitted; it is read-only now." in page and 'type="file"' not in page
    response = _upload(client, assessment, b"a,b\n1,2\n")
    assert "read-only now" in response.get_data(as_text=True)
    assert all(v == (None, False, [], "") for v in _scores(assessment).values())


def test_links_from_the_sheet_and_the_draft(client, world):
    login(client, world.staff_a)
    assessment = _draft(world)
    assert f"/scoresheets/{world.sheet.id}/xlsform.xlsx" in client.get(f"/scoresheets/{world.sheet.id}").get_data(
        as_text=True)
    assert f"/assessments/{assessment.id}/odk-import" in client.get(f"/assessments/{assessment.id}").get_data(
        as_text=True)


def test_a_draft_sheet_is_not_exported(client, world):
    from shelterassess.scoresheets.services import create_draft_copy

    draft = create_draft_copy(db.session, world.sheet)
    db.session.commit()
    login(client, world.admin)
    response = client.get(f"/scoresheets/{draft.id}/xlsform.xlsx", follow_redirects=True)
    assert "Only a published version can be downloaded as an XLSForm." in response.get_data(as_text=True)


def test_the_standard_sheet_converts_too(client, standard_world):
    login(client, standard_world.staff_a)
    warnings: list[str] = []
    xform = convert(_xlsform(client, standard_world), warnings=warnings).xform
    assert len(re.findall(r'<bind nodeset="[^"]+_evidence"', xform)) == len(standard_world.sheet.indicators)
    assert warnings == []


def test_a_body_over_the_apps_limit_gets_the_message(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    login(client, world.staff_a)
    assessment = _draft(world)
    response = _upload(client, assessment, b"x" * 8192)
    assert response.status_code == 413 and "The file is larger than 1024 kB." in response.get_data(as_text=True)


def test_a_self_assessment_import_refuses_a_peer_teams_row_unseen(client, world):
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    row = _submission(world, fields, kind="peer", team="K7Q-4MZ", values=dict(VALUES, A1="1"),
                      notes={"A1": "Nhóm đánh giá đồng cấp ghi chú riêng"})
    page = html.unescape(_upload(client, assessment, _central_csv([row])).get_data(as_text=True))
    assert "Row 1 is a peer team's visit, not the facility's self-assessment." in page
    assert "Nhóm đánh giá đồng cấp ghi chú riêng" not in page and 'class="odk-value"' not in page
    assert 'name="payload"' not in page
    assert all(v == (None, False, [], "") for v in _scores(assessment).values())


def test_a_row_of_the_older_form_is_refused(client, world):
    """An export of the form before assessment_kind: no such column, or (ODK Central exports every
    version of a form together) a blank one in the old rows."""
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = [f for f in _fields(_xlsform(client, world)) if f[1] not in ("assessment_kind", "team_code")]
    page = _upload(client, assessment, _central_csv([_submission(world, fields)])).get_data(as_text=True)
    assert "The file has no assessment_kind column" in page and "Download the form again" in page
    assert "Phòng ngủ có khóa." not in page and 'name="payload"' not in page
    blank = _submission(world, _fields(_xlsform(client, world)), kind="")
    page = _upload(client, assessment, _central_csv([blank])).get_data(as_text=True)
    assert "Row 1 does not say whether it is the self-assessment or a peer team" in page
    assert "Download the form again" in page and "Phòng ngủ có khóa." not in page
    assert all(v == (None, False, [], "") for v in _scores(assessment).values())


def _signed(app, assessment, user, data) -> str:
    """A payload signed as the server signs it (as if a preview had let it through)."""
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(app.secret_key, salt=f"odk-import:{assessment.id}:{user.id}").dumps(data)


def test_a_tampered_or_hand_made_payload_is_refused(app, client, world):
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    page = _upload(client, assessment, _central_csv([_submission(world, fields)])).get_data(as_text=True)
    payload = html.unescape(re.search(r'name="payload" value="([^"]*)"', page).group(1))
    middle = len(payload) // 3  # inside the signed data (compressed payloads start with ".")
    tampered = payload[:middle] + ("A" if payload[middle] != "A" else "B") + payload[middle + 1:]
    ind = world.sheet.indicators[0]
    hand_made = json.dumps({"assessment": assessment.id, "instance": "", "answers": {ind.key: [3, [], "x", None]}})
    other_user = _signed(app, assessment, world.staff_b, {"assessment": assessment.id, "instance": "",
                                                          "answers": {ind.key: [3, [], "x", None]}})
    for forged in (tampered, hand_made, other_user, ""):
        response = client.post(f"/assessments/{assessment.id}/odk-import", data={"payload": forged})
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and "This preview can no longer be confirmed" in text
        assert "Upload the file again." in text
    assert all(v == (None, False, [], "") for v in _scores(assessment).values())


def test_a_nul_or_control_character_in_a_note_is_refused(app, client, world):
    """In the file (a JSON export may hold "\\u0000"): a problem of the row, no confirmation; in a
    signed payload all the same (every answer is checked again): refused, no 500."""
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    row = _submission(world, fields, notes={"A1": "bad\u0000note", "B1": "bell\u0007"})
    page = _upload(client, assessment, json.dumps([row]).encode(), "export.json").get_data(as_text=True)
    assert "Row 1, A1: the note holds invisible control characters." in page
    assert "Row 1, B1: the note holds invisible control characters." in page and 'name="payload"' not in page
    ind = world.sheet.indicators[0]
    for answer in ([2, [], "bad\u0000note", None], [2, [], "bell\u0007", None], [7, [], "", None],
                   ["na", [], "", None] if not ind.na_allowed else [True, [], "", None], [2, ["gossip"], "", None],
                   [2, [], "x" * 2001, None]):
        payload = _signed(app, assessment, world.staff_a, {"assessment": assessment.id, "instance": "",
                                                           "answers": {ind.key: answer}})
        response = client.post(f"/assessments/{assessment.id}/odk-import", data={"payload": payload})
        assert response.status_code == 200, answer
        assert "The form does not match this score sheet." in response.get_data(as_text=True), answer
    assert all(v == (None, False, [], "") for v in _scores(assessment).values())


def test_an_expired_preview_is_refused(client, world, monkeypatch):
    login(client, world.staff_a)
    assessment = _draft(world)
    fields = _fields(_xlsform(client, world))
    page = _upload(client, assessment, _central_csv([_submission(world, fields)])).get_data(as_text=True)
    monkeypatch.setattr("shelterassess.odk.services.PAYLOAD_MAX_AGE", -1)  # older than allowed
    text = _confirm(client, assessment, page).get_data(as_text=True)
    assert "This preview can no longer be confirmed: it is more than an hour old" in text
    assert all(v == (None, False, [], "") for v in _scores(assessment).values())

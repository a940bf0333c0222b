"""ODK (issue 13) into a peer team's draft peer assessment: the tablets on the visit. The same
page as the self-assessment's (``/assessments/<id>/odk-import``) for the team's members; the
visited facility's own staff and other teams get a 404, the national team a 403; the submission
must be for the visited facility and the round; a submitted peer assessment is read-only."""
from __future__ import annotations

import html
import re

from sqlalchemy import select

from shelterassess.audit.models import AuditEvent
from shelterassess.extensions import db
from shelterassess.odk.domain import display_team_code, team_code
from tests import peer_scoring_fixtures as pf
from tests.conftest import login
from tests.web.test_odk import _central_csv, _confirm, _fields, _preview_cell, _scores, _submission, _upload, _xlsform

EMPTY = (None, False, [], "")
#: What the facility's own (self-assessment) row says: it must never show in a team's preview.
SELF_NOTE = "Ghi chú riêng của cơ sở: 7 phòng"
SELF_VALUES = {"A1": "1", "A2": "1", "B1": "1", "B2": "1"}


def _team_code(peer) -> str:
    return display_team_code(team_code(peer.team_id, peer.round_id))


def _peer_row(world, fields, peer, **kwargs) -> dict:
    """A row of the team's visit: kind peer and the team code shown on its import page."""
    return _submission(world, fields, kind="peer", team=kwargs.pop("team", _team_code(peer)), **kwargs)


def _self_row(world, fields) -> dict:
    return _submission(world, fields, values=SELF_VALUES, notes={"A1": SELF_NOTE})


def _draft(world):
    peer = pf.draft_peer(world)
    db.session.commit()
    return peer


def _now_cell(page: str, code: str) -> str:
    """The preview's "Now" column (the draft's current answer) for ``code``."""
    row = re.search(rf'<tr id="odk-{code}"[^>]*>(.*?)</tr>', page, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", re.findall(r"<td>(.*?)</td>", row, re.S)[0]).split())


def test_odk_central_csv_round_trips_into_the_peer_draft(client, world):
    """The facility's submitted self-assessment stays hidden (blind); the team's answers land in
    its own draft, saved and audited as the peer area pages save them."""
    pf.self_assessment(world)  # A1 = 3: must not show anywhere in the team's preview
    peer = _draft(world)
    login(client, world.staff_b)
    overview = client.get(f"/peer/assessments/{peer.id}").get_data(as_text=True)
    assert f"/assessments/{peer.id}/odk-import" in overview
    form = client.get(f"/assessments/{peer.id}/odk-import").get_data(as_text=True)
    assert "Peer assessment by Team 1: Nhà tạm lánh A" in form and f'href="/peer/assessments/{peer.id}"' in form
    assert f"<code>{_team_code(peer)}</code>" in form
    fields = _fields(_xlsform(client, world))
    typed = _team_code(peer).replace("-", "").lower()  # as an assessor may type it: case and hyphen do not matter
    page = _upload(client, peer, _central_csv([_peer_row(world, fields, peer, team=typed)])).get_data(as_text=True)
    assert 'id="odk-problems"' not in page, page
    assert [_preview_cell(page, c) for c in ("A1", "A2", "B1", "B2")] == ["2", "N/A", "0", "3"]
    assert [_now_cell(page, c) for c in ("A1", "A2", "B1", "B2")] == ["not answered"] * 4
    response = _confirm(client, peer, page)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/peer/assessments/{peer.id}")
    assert _scores(peer) == {
        "A1": (2, False, ["observation", "staff_interview"], "Phòng ngủ có khóa.\nĐã xem 4 phòng."),
        "A2": (None, True, [], ""), "B1": (0, False, ["document_review"], "Hồ sơ ghi tên đầy đủ."),
        "B2": (3, False, ["observation"], "")}
    assert "4 answers were imported from the ODK submission" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == world.staff_b.id,
                                                          AuditEvent.endpoint == "odk.import_submission")).all()
    assert audited, "the import's score changes are in the audit trail"


def test_another_facilitys_submission_is_refused(client, world):
    """The team types its own facility's code (RC-B) by mistake, or another round: nothing saved."""
    peer = _draft(world)
    login(client, world.manager_b)
    fields = _fields(_xlsform(client, world))
    for row, message in ((_peer_row(world, fields, peer, facility="RC-B"), "Row 1 is for facility RC-B, not SH-A."),
                         (_peer_row(world, fields, peer, round_id=999),
                          "Row 1 is for another assessment round (999).")):
        page = _upload(client, peer, _central_csv([row])).get_data(as_text=True)
        assert "Nothing was imported." in page and message in page and 'name="payload"' not in page
    assert all(v == EMPTY for v in _scores(peer).values())


def test_the_visited_facilitys_staff_and_other_teams_get_404(client, world):
    peer = _draft(world)
    pf.team_two(world)
    db.session.commit()
    export = None
    for user in (world.staff_a, world.manager_a, world.staff_c):  # facility A's own staff; team 2
        login(client, user)
        export = export or _central_csv([_peer_row(world, _fields(_xlsform(client, world)), peer)])
        assert client.get(f"/assessments/{peer.id}/odk-import").status_code == 404
        assert _upload(client, peer, export).status_code == 404
        client.post("/logout")
    login(client, world.national)
    assert client.get(f"/assessments/{peer.id}/odk-import").status_code == 403
    assert f"/assessments/{peer.id}/odk-import" not in client.get(f"/peer/assessments/{peer.id}").get_data(
        as_text=True)
    assert all(v == EMPTY for v in _scores(peer).values())


def test_a_submitted_peer_assessment_is_read_only(client, world):
    peer = pf.submitted_peer(world)
    db.session.commit()
    before = _scores(peer)
    login(client, world.staff_b)
    page = client.get(f"/assessments/{peer.id}/odk-import").get_data(as_text=True)
    assert "This peer assessment was submitted; it is read-only now." in page and 'type="file"' not in page
    csv_data = _central_csv([_peer_row(world, _fields(_xlsform(client, world)), peer)])
    response = _upload(client, peer, csv_data)
    assert response.status_code == 200
    assert "This peer assessment was submitted; it is read-only now." in response.get_data(as_text=True)
    assert _scores(peer) == before
    assert f"/assessments/{peer.id}/odk-import" not in client.get(f"/peer/assessments/{peer.id}").get_data(
        as_text=True)


def _refused_blind(page: str, message: str) -> None:
    """The row is refused by name and none of its values shows: no preview, no payload."""
    assert "Nothing was imported." in page and message in page, page
    assert SELF_NOTE not in page and 'id="odk-preview"' not in page and 'class="odk-value"' not in page
    assert 'name="payload"' not in page


def test_the_facilitys_self_assessment_row_is_refused_unseen(client, world):
    """An export of a project the facility also sends to: its self-assessment row is refused
    before any of its values shows; next to the team's own row, only the team's values show."""
    peer = _draft(world)
    login(client, world.staff_b)
    fields = _fields(_xlsform(client, world))
    page = html.unescape(_upload(client, peer, _central_csv([_self_row(world, fields)])).get_data(as_text=True))
    _refused_blind(page, "Row 1 is the facility's self-assessment, not this peer team's visit.")
    both = _central_csv([_self_row(world, fields), _peer_row(world, fields, peer)])
    page = html.unescape(_upload(client, peer, both).get_data(as_text=True))
    assert "Row 1 is the facility's self-assessment, not this peer team's visit." in page
    assert SELF_NOTE not in page
    assert [_preview_cell(page, c) for c in ("A1", "A2", "B1", "B2")] == ["2", "N/A", "0", "3"]  # the team's, not 1s
    assert all(v == EMPTY for v in _scores(peer).values())


def test_another_teams_row_is_refused_unseen(client, world):
    peer = _draft(world)
    team_two = pf.team_two(world)
    db.session.commit()
    other = display_team_code(team_code(team_two.id, peer.round_id))
    login(client, world.staff_b)
    fields = _fields(_xlsform(client, world))
    row = _peer_row(world, fields, peer, team=other, values=SELF_VALUES, notes={"A1": SELF_NOTE})
    page = html.unescape(_upload(client, peer, _central_csv([row])).get_data(as_text=True))
    _refused_blind(page, f"Row 1 is another peer team's visit (team code {other}), not this team's.")
    no_code = _peer_row(world, fields, peer, team="", values=SELF_VALUES, notes={"A1": SELF_NOTE})
    page = html.unescape(_upload(client, peer, _central_csv([no_code])).get_data(as_text=True))
    _refused_blind(page, "Row 1 is another peer team's visit (team code ?), not this team's.")
    assert all(v == EMPTY for v in _scores(peer).values())

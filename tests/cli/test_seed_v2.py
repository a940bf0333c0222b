"""seed-demo publishes score sheet v2 next to v1; the 2027 round uses v2, the 2026 pilot keeps v1,
and SH-SG-01's trends compare the two rounds through the crosswalk."""
import re

from sqlalchemy import select

from shelterassess.auth import totp

from shelterassess.extensions import db
from shelterassess.rounds.models import Round
from shelterassess.scoresheets.models import ScoreSheetVersion
from tests.conftest import login

PASSWORD = "demo-password-2027"


def test_seed_demo_uses_v2_for_2027_and_compares_it_with_the_v1_pilot(app_ctx, runner, monkeypatch, client):
    monkeypatch.setattr("shelterassess.cli.seed.init_database", lambda: None)  # schema exists already in tests
    from shelterassess.facilities.models import Facility
    from shelterassess.facilities.services import load_reference_data

    load_reference_data(db.session)
    db.session.commit()
    for _ in range(2):  # idempotent
        result = runner.invoke(args=["seed-demo", "--password", PASSWORD])
        assert result.exit_code == 0, result.output
    versions = db.session.scalars(select(ScoreSheetVersion).order_by(ScoreSheetVersion.version)).all()
    assert [(v.key, v.version, v.is_published) for v in versions] == [("standard", 1, True), ("standard", 2, True)]
    rounds = {r.name: r for r in db.session.scalars(select(Round))}
    assert rounds["Đợt thí điểm 2026"].sheet.version == 1
    assert rounds["Đợt đánh giá quốc gia 2027"].sheet.version == 2

    facility = db.session.scalar(select(Facility).where(Facility.code == "SH-SG-01"))
    # issue 11: the demo national-team account has two-factor login; its key is printed on its line
    secret = re.search(r"national@demo\.shelterassess\.org .*\| totp: ([A-Z2-7]{32})$", result.output, re.M).group(1)
    login(client, "national@demo.shelterassess.org", PASSWORD)
    assert client.post("/login/code", data={"code": totp.code_at_step(secret, totp.step_at())}).status_code == 302
    response = client.get(f"/comparisons/facilities/{facility.id}/trends")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="trend-table-v1"' in html and 'id="trend-table-v2"' in html and 'id="not-compared"' in html
    assert "Đợt thí điểm 2026" in html and "Đợt đánh giá quốc gia 2027" in html

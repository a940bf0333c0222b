"""The flask CLI: init-db, seed-demo (idempotent), create-user (activation link, no password)."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from shelterassess.assessments.models import Assessment
from shelterassess.auth.models import User
from shelterassess.auth.roles import Role
from shelterassess.extensions import db
from shelterassess.facilities.models import Facility
from shelterassess.scoresheets.models import Indicator


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_demo_is_idempotent_and_prints_accounts(app_ctx, runner, monkeypatch):
    monkeypatch.setattr("shelterassess.cli.seed.init_database", lambda: None)  # schema exists already in tests
    from shelterassess.facilities.services import load_reference_data

    load_reference_data(db.session)
    db.session.commit()
    first = runner.invoke(args=["seed-demo", "--password", "demo-password-2027"])
    assert first.exit_code == 0, first.output
    for role in Role:
        assert role.value in first.output
    assert "national@demo.shelterassess.org" in first.output and "demo-password-2027" in first.output
    totals = (count(User), count(Facility), count(Assessment), count(Indicator))
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert (count(User), count(Facility), count(Assessment), count(Indicator)) == totals
    assert "(unchanged)" in second.output
    # issue 11: national-team and administrator accounts are enrolled in two-factor login and
    # their key is printed on their line; a second run prints the same keys
    keys = dict(re.findall(r"^\s+(\S+@demo\.shelterassess\.org) .*\| totp: ([A-Z2-7]{32})$", first.output, re.M))
    assert set(keys) == {"admin@demo.shelterassess.org", "national@demo.shelterassess.org",
                         "national2@demo.shelterassess.org"}
    assert dict(re.findall(r"^\s+(\S+@demo\.shelterassess\.org) .*\| totp: ([A-Z2-7]{32})$", second.output, re.M)) == keys
    assert all(u.totp_enrolled == (u.email in keys) for u in db.session.scalars(select(User)))
    statuses = set(db.session.scalars(select(Assessment.status)))
    assert statuses == {"draft", "submitted"}
    assert set(db.session.scalars(select(Assessment.kind))) == {"self", "peer", "agreed", "follow_up"}
    from shelterassess.cases.models import LocalPractice
    from shelterassess.peer.models import Certification, PeerTeam
    from shelterassess.rounds.models import Round

    assert count(PeerTeam) == 3 and count(Certification) == 5 and count(LocalPractice) == 1
    assert db.session.scalar(select(func.count()).where(Assessment.released_at.is_not(None))) == 2
    # issue 8: an accepted plan in progress with actions in several states, a draft plan in 2027,
    # and a submitted follow-up visit of the pilot round's plan
    from shelterassess.followups.models import FollowUpVisit
    from shelterassess.plans.models import ImprovementPlan

    plans = {p.round.name: p for p in db.session.scalars(select(ImprovementPlan))}
    pilot, current = plans["Đợt thí điểm 2026"], plans["Đợt đánh giá quốc gia 2027"]
    assert pilot.status == "in_progress" and current.status == "draft"
    assert {a.status for a in pilot.actions} == {"done", "in_progress", "planned", "dropped"}
    assert any(a.due_on < date.today() and a.status == "planned" for a in pilot.actions)  # one is overdue
    assert pilot.actions[0].description.startswith("Đạt mức")  # written in Vietnamese
    assert [v.status for v in db.session.scalars(select(FollowUpVisit))] == ["submitted"]
    assert totals[1] >= 5 and totals[3] >= 45
    # issue 9: the pilot round's approved allocation with one adjustment, a draft funding round for 2027
    from shelterassess.funding.models import AllocationLine, FundingRound

    funds = {f.round.name: f for f in db.session.scalars(select(FundingRound))}
    assert (funds["Đợt thí điểm 2026"].status, funds["Đợt đánh giá quốc gia 2027"].status) == ("approved", "draft")
    assert db.session.scalar(select(func.count()).where(AllocationLine.adjusted_vnd.is_not(None))) == 1


def test_create_user_prints_one_time_link_and_sets_no_password(world, runner, client):
    result = runner.invoke(args=["create-user", "new.staff@example.org", "--role", "facility_staff", "--facility", "sh-a"])
    assert result.exit_code == 0, result.output
    link = re.search(r"http\S+/activate/(\S+)", result.output)
    assert link
    user = db.session.scalar(select(User).where(User.email == "new.staff@example.org"))
    assert user.password_hash is None and user.facility_id == world.facility_a.id
    token = link.group(1)
    assert client.get(f"/activate/{token}").status_code == 200
    r = client.post(f"/activate/{token}", data={"password": "a long new passphrase", "confirm": "a long new passphrase"})
    assert r.status_code == 302
    db.session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
    assert client.get(f"/activate/{token}").status_code == 404  # used once


def test_create_user_with_unknown_facility_fails_cleanly(world, runner):
    result = runner.invoke(args=["create-user", "x@example.org", "--role", "facility_staff", "--facility", "NOPE"])
    assert result.exit_code != 0 and "No facility with code" in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_create_user_staff_without_facility_is_refused(world, runner):
    result = runner.invoke(args=["create-user", "y@example.org", "--role", "facility_manager"])
    assert result.exit_code != 0 and "need a facility" in result.output


def test_init_db_migrates_and_loads_the_standard_sheet(tmp_path):
    from shelterassess import create_app
    from tests.conftest import CHEAP_ARGON2

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PASSWORD_HASH_PARAMS": CHEAP_ARGON2,
                      "DATABASE_URL": "sqlite:///" + str(tmp_path / "fresh.sqlite")})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert count(Indicator) >= 45
        db.engine.dispose()


@pytest.mark.parametrize("password, message", [
    ("short", "at least 12"), ("aaaaaaaaaaaaaa", "one character repeated"), ("password1234", "too common")])
def test_seed_demo_refuses_a_password_that_breaks_the_rules(app_ctx, runner, password, message):
    result = runner.invoke(args=["seed-demo", "--password", password])
    assert result.exit_code == 2 and message in result.output
    assert count(User) == 0  # nothing seeded

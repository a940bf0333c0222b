"""Training needs: the seeded skills, the needs by skill and province, scheduling a follow-up
training that answers them, and the editable skill list."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from shelterassess.extensions import db
from shelterassess.peer.models import TrainingSession
from shelterassess.plans.models import Skill, training_session_action
from shelterassess.training_needs import domain, services
from tests import followup_fixtures as ff
from tests import peer_scoring_fixtures as pf
from tests.conftest import login


def _links() -> set[tuple[int, int]]:
    return set(db.session.execute(select(training_session_action.c.training_id, training_session_action.c.action_id)))


def test_seeding_skills_is_idempotent_and_keeps_edits(app_ctx):
    assert services.seed_skills(db.session) == len(domain.SKILLS)
    counselling = db.session.scalar(select(Skill).where(Skill.key == "counselling-listening"))
    assert counselling.name_vi == "Tham vấn và kỹ năng lắng nghe" and counselling.name_en == "Counselling and listening"
    referral = db.session.scalar(select(Skill).where(Skill.key == "referral"))
    assert "chuyển gửi" in referral.name_vi
    services.save_skill(db.session, services.SkillInput("Tham vấn", "Counselling", active=False), counselling)
    assert services.seed_skills(db.session) == 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Skill.id))) == len(domain.SKILLS)
    assert (counselling.name_vi, counselling.active) == ("Tham vấn", False)


def test_init_db_seeds_the_skills(tmp_path):
    from shelterassess import create_app
    from tests.conftest import CHEAP_ARGON2

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "PASSWORD_HASH_PARAMS": CHEAP_ARGON2,
                      "DATABASE_URL": "sqlite:///" + str(tmp_path / "fresh.sqlite")})
    runner = app.test_cli_runner()
    for _ in range(2):
        assert runner.invoke(args=["init-db"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(func.count(Skill.id))) == len(domain.SKILLS)
        db.session.remove()
        db.engine.dispose()


def test_skill_keys_fold_vietnamese():
    assert domain.slug("Kỹ năng hòa giải, đối thoại") == "ky-nang-hoa-giai-doi-thoai"
    assert domain.unique_key("Mediation", ["mediation", "mediation-2"]) == "mediation-3"


def _cells(row: str) -> list[str]:
    """The numbers of a table row, markup removed."""
    import re

    return [re.sub(r"<[^>]+>", "", c.split("</td>")[0]).strip() for c in row.split('<td class="num">')[1:]]


def _needs_world(world):
    """A: one capacity-building need (confidentiality, Hà Nội). B (Lào Cai): two, one dropped; and a draft plan's need."""
    ff.plan_a(world)
    agreed_b = pf.finalised_agreed(world)  # facility A's; a plan of B only needs an agreed row to point at
    ff.make_plan(world, facility=world.facility_b, agreed=agreed_b, actions=[
        ("Counselling course", ("A1",), 1_000_000, "capacity_building", "planned"),
        ("Second course", ("B1",), 1_000_000, "capacity_building", "dropped"),
        ("New locks", ("B2",), 1_000_000, "facilities_improvement", "planned"),
    ])
    pf.add_facility_c(world)
    ff.make_plan(world, facility=world.facility_c, agreed=agreed_b, status="draft",
                 actions=[("Draft course", ("A1",), 1, "capacity_building", "planned")])


def test_needs_counted_by_skill_and_province(client, world):
    _needs_world(world)
    db.session.commit()
    login(client, world.national)
    html = client.get("/training-needs/").get_data(as_text=True)
    head = html.split('id="needs-table"')[1].split("</thead>")[0]
    assert head.index("Ha Noi") < head.index("Lao Cai") and "Quang Ninh" not in head
    row = html.split("Skill confidentiality")[1].split("</tr>")[0]
    # one need in Hà Nội (A) and one in Lào Cai (B); B's dropped action and C's draft plan are left out
    assert _cells(row) == ["1", "1", "2", "0"]
    assert "Capacity-building actions: 2, of which 0 have a training scheduled" in html


def test_scheduling_a_training_links_the_actions(client, world):
    _needs_world(world)
    db.session.commit()
    skill = ff.skill()
    need = ff.action(world, 3)
    login(client, world.national)
    page = client.get(f"/training-needs/skills/{skill.id}/training").get_data(as_text=True)
    assert "Train staff on private bedrooms" in page and "Counselling course" in page and "Draft course" not in page
    r = client.post(f"/training-needs/skills/{skill.id}/training", data={
        "action_ids": [need.id], "training_id": 0, "title": "Follow-up training: confidentiality",
        "held_on": "2027-09-01", "place": "Hà Nội", "trainers": "Trainer Three"})
    assert r.status_code == 302
    training = db.session.scalar(select(TrainingSession))
    assert _links() == {(training.id, need.id)}
    # the training page lists the needs it answers; the needs page counts the action as answered
    assert "Train staff on private bedrooms" in client.get(f"/assessors/trainings/{training.id}").get_data(as_text=True)
    assert "of which 1 have a training scheduled" in client.get("/training-needs/").get_data(as_text=True)
    # the plan page names it under the action it answers
    plan_page = client.get(f"/plans/{need.plan_id}?action={need.id}").get_data(as_text=True)
    assert re.search(r"Answered by training:.{0,200}Follow-up training: confidentiality", plan_page, re.S)
    # the follow-up visit form shows the training that answers the action
    visit = ff.visit_a(world)
    db.session.commit()
    client.post("/logout")
    login(client, world.staff_b)
    assert "Follow-up training: confidentiality" in client.get(f"/follow-ups/{visit.id}").get_data(as_text=True)


def test_adding_more_needs_to_an_upcoming_training(client, world):
    _needs_world(world)
    db.session.commit()
    skill, first = ff.skill(), ff.action(world, 3)
    training = services.schedule_training(db.session, skill, [first.id], services.assessor_services.TrainingInput(
        "Confidentiality day", ff.today(), "Lào Cai", "Trainer"))
    db.session.commit()
    from shelterassess.training_needs.queries import needs_for_skill

    second = next(line.action for line in needs_for_skill(db.session, skill.id) if line.action.id != first.id)
    login(client, world.national)
    r = client.post(f"/training-needs/skills/{skill.id}/training",
                    data={"action_ids": [first.id, second.id], "training_id": training.id})
    assert r.status_code == 302
    assert _links() == {(training.id, first.id), (training.id, second.id)}


def test_bad_training_requests_change_nothing(client, world):
    _needs_world(world)
    db.session.commit()
    skill = ff.skill()
    login(client, world.national)
    url = f"/training-needs/skills/{skill.id}/training"
    dropped = ff.action(world, 4)
    cases = [
        ({"action_ids": [999999], "training_id": 0, "title": "T", "held_on": "2027-09-01", "place": "P",
          "trainers": "X"}, "not an open capacity-building need"),
        ({"action_ids": [dropped.id], "training_id": 0, "title": "T", "held_on": "2027-09-01", "place": "P",
          "trainers": "X"}, "not an open capacity-building need"),
        ({"training_id": 0, "title": "T", "held_on": "2027-09-01", "place": "P", "trainers": "X"},
         "Choose at least one action"),
        ({"action_ids": [ff.action(world, 3).id], "training_id": 0, "title": "", "place": "", "trainers": ""},
         "Give the training a title"),
        ({"action_ids": [ff.action(world, 3).id], "training_id": 424242}, "Choose a training session from the list"),
    ]
    for data, message in cases:
        r = client.post(url, data=data)
        assert r.status_code == 422 and message in r.get_data(as_text=True), message
    assert db.session.scalar(select(func.count(TrainingSession.id))) == 0 and not _links()


def test_skills_are_added_renamed_and_deactivated(client, world):
    services.seed_skills(db.session)
    db.session.commit()
    login(client, world.admin)
    r = client.post("/training-needs/skills/new", data={"name_vi": "Hòa giải", "name_en": "Mediation", "active": "y"})
    assert r.status_code == 302
    skill = db.session.scalar(select(Skill).where(Skill.key == "mediation"))
    assert skill.active and skill.position == len(domain.SKILLS) + 1
    r = client.post(f"/training-needs/skills/{skill.id}/edit", data={"name_vi": "Hòa giải xung đột",
                                                                     "name_en": "Conflict mediation"})
    assert r.status_code == 302
    db.session.expire_all()
    assert (skill.key, skill.name_en, skill.active) == ("mediation", "Conflict mediation", False)
    duplicate = client.post("/training-needs/skills/new", data={"name_vi": "Khác", "name_en": "Case management"})
    assert duplicate.status_code == 422 and "exists already" in duplicate.get_data(as_text=True)
    empty = client.post("/training-needs/skills/new", data={"name_vi": "", "name_en": ""})
    assert empty.status_code == 422 and "in Vietnamese" in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Skill.id))) == len(domain.SKILLS) + 1

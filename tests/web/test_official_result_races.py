"""The official-result rules hold when requests race, against a served app (threads), on
SQLite and PostgreSQL. Each test widens the window between a service's check and its
commit with a pause, so that without the row locks of ``shelterassess.db.lock_rows`` the
other request would slip in (checked by hand: with ``lock_rows`` a no-op, each test fails)."""
from shelterassess.assessments import peer_queries, release_services
from shelterassess.extensions import db
from tests import peer_scoring_fixtures as pf
from tests.served import Client, pause_after, run_in_window, served  # noqa: F401 (fixture)


def test_reopening_the_self_assessment_while_the_lead_finalises(world, served, monkeypatch):  # noqa: F811
    """Either the finalisation or the reopening wins; never a finalised result whose
    self-assessment was reopened underneath it."""
    pf.ready_to_reconcile(world)
    from shelterassess.assessments import peer_services

    sheet = {i.code: i for i in world.sheet.indicators}
    inputs = [peer_services.AgreedInput(sheet[c].id, v, na, r, None) for c, (v, na, r) in
              {"A1": (2, False, "Seen"), "A2": (None, True, ""), "B1": (3, False, ""), "B2": (2, False, "")}.items()]
    peer_services.save_agreed(db.session, world.manager_b, world.facility_a, world.round, inputs)
    db.session.commit()
    self_id = world.self_a.id
    lead, national = Client(served, world.manager_b), Client(served, world.national)
    reached = pause_after(monkeypatch, peer_queries, "reconciliation_data")  # the finalisation has read the self-assessment
    finalise, reopen = run_in_window(
        lambda: lead.post(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}/finalise"),
        lambda: national.post(f"/assessments/{self_id}/reopen", data={"reason": "A typing error in A1"}),
        reached,
    )
    assert finalise[0] == 302 and reopen[0] in (200, 302), (finalise[0], reopen[0])
    db.session.expire_all()
    agreed, self_a = pf.find_agreed(world), world.self_a
    assert not (agreed.is_submitted and not self_a.is_submitted), "finalised on a reopened self-assessment"
    if agreed.is_submitted:
        assert "cannot be reopened" in reopen[1]


def test_reopening_an_agreed_result_while_it_is_released(world, served, monkeypatch):  # noqa: F811
    """Never an agreed result back in reconciliation that still carries a release date (it
    would be released again, unreviewed, as soon as it is finalised)."""
    agreed = pf.finalised_agreed(world)
    db.session.commit()
    national_1, national_2 = Client(served, world.national), Client(served, world.national)
    reached = pause_after(monkeypatch, release_services, "_record")  # the release has checked "finalised", not yet committed
    release, reopen = run_in_window(
        lambda: national_1.post(f"/peer/release/rounds/{world.round.id}/release",
                                data={"facility_ids": [world.facility_a.id]}),
        lambda: national_2.post(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}/reopen",
                                data={"reason": "A1 was mistyped on the sheet"}),
        reached,
    )
    assert release[0] == 302 and reopen[0] == 302, (release[0], reopen[0])
    db.session.expire_all()
    assert not agreed.is_submitted
    assert agreed.released_at is None
    actions = [e.action for e in agreed.events]
    assert actions[-3:] == ["results_released", "release_withdrawn", "reopened"]


def test_withdrawing_a_team_while_the_lead_finalises(world, served, monkeypatch):  # noqa: F811
    """Never a finalised result that was reconciled with a team withdrawn afterwards."""
    pf.ready_to_reconcile(world)
    team2 = pf.team_two(world)
    pf.peer_assessment(world, team2, pf.PEER_SCORES, submit=True)
    from shelterassess.assessments import peer_services

    sheet = {i.code: i for i in world.sheet.indicators}
    inputs = [peer_services.AgreedInput(sheet[c].id, v, na, r, None) for c, (v, na, r) in
              {"A1": (2, False, "Seen"), "A2": (None, True, ""), "B1": (3, False, ""), "B2": (2, False, "")}.items()]
    peer_services.save_agreed(db.session, world.manager_b, world.facility_a, world.round, inputs)
    db.session.commit()
    assignment = pf.assignment_of(team2, world.facility_a)
    lead, national = Client(served, world.manager_b), Client(served, world.national)
    reached = pause_after(monkeypatch, peer_queries, "reconciliation_data")
    finalise, withdraw = run_in_window(
        lambda: lead.post(f"/peer/reconcile/{world.facility_a.id}/{world.round.id}/finalise"),
        lambda: national.post(f"/teams/assignments/{assignment.id}/withdraw",
                              data={"reason": "The team could not travel"}),
        reached,
    )
    assert finalise[0] == 302 and withdraw[0] in (200, 302), (finalise[0], withdraw[0])
    db.session.expire_all()
    assert pf.find_agreed(world).is_submitted
    assert not assignment.is_withdrawn
    assert "The agreed result of SH-A is finalised" in withdraw[1]

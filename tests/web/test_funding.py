"""Funding rounds through the pages: creating one (clear messages for bad amounts), the proposal with
the figures of tests/funding_fixtures.py, parameters and scenarios, adjustments within the budget,
envelopes and requests, a facility added by hand, approval and reopening, every change recorded."""
from shelterassess.extensions import db
from shelterassess.funding.models import FundingRound
from tests import funding_fixtures as ff
from tests.conftest import login

M = ff.M
CB, FI, OT = ff.CB, ff.FI, ff.OT


def _form(world, **changes):
    data = {"name": "Improvement fund 2027", "round_id": world.round.id, "budget": "10.000.000",
            "rounding_unit": "1.000.000", "red_flag_weight": "10", "envelope_capacity_building": "",
            "envelope_facilities_improvement": "", "envelope_other": ""}
    data.update(changes)
    return data


def _adjust(client, world, code, category, amount, reason="The province pays part of it"):
    line = ff.line(world, code, category)
    return client.post(f"/funding/{world.funding_round.id}/lines/{line.id}/adjust",
                       data={"amount": amount, "reason": reason, "version": line.version})


def test_creating_a_funding_round_refuses_bad_amounts_with_clear_messages(client, world):
    login(client, world.national)
    page = client.post("/funding/new", data=_form(world, budget="2GB", rounding_unit="1,5",
                                                   envelope_other="-5")).get_data(as_text=True)
    assert "Enter a whole number of đồng" in page
    assert "without decimals" in page
    assert "cannot be negative" in page
    assert 'value="2GB"' in page  # what was typed is kept
    page = client.post("/funding/new", data=_form(world, envelope_capacity_building="6.000.000",
                                                   envelope_other="5.000.000")).get_data(as_text=True)
    assert "The envelopes add up to ₫11,000,000, more than the budget of ₫10,000,000." in page
    page = client.post("/funding/new", data=_form(world, rounding_unit="20.000.000")).get_data(as_text=True)
    assert "not more than the budget" in page
    assert db.session.scalar(db.select(db.func.count(FundingRound.id))) == 0
    response = client.post("/funding/new", data=_form(world))
    assert response.status_code == 302
    fround = db.session.scalar(db.select(FundingRound))
    assert (fround.budget_vnd, fround.rounding_unit_vnd, fround.red_flag_weight) == (10 * M, M, 10)
    assert client.post("/funding/new", data=_form(world)).status_code == 200  # the name is taken


def test_the_proposal_follows_the_rule_and_lists_facilities_without_a_result_apart(client, world):
    fround = ff.funding_round(world)
    db.session.commit()
    login(client, world.national)
    assert client.post(f"/funding/{fround.id}/proposal").status_code == 302
    assert ff.amounts(fround) == ff.PROPOSAL
    page = client.get(f"/funding/{fround.id}").get_data(as_text=True)
    assert "Listed apart: no finalised agreed result" in page and "RC-C" in page
    assert "47.50" in page and "25.00" in page  # need weights of A and B
    assert "Allocated ₫10,000,000 of a budget of ₫10,000,000: ₫0 not allocated." in page
    requests = {(f.facility.code, ln.category): ln.request_vnd for f in fround.facilities for ln in f.lines}
    assert requests[("SH-A", OT)] == 0  # the dropped action is not requested
    assert requests[("RC-C", FI)] == 2 * M
    assert [e.action for e in fround.events] == ["created", "proposal"]


def test_capacity_and_envelopes_as_parameters(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    response = client.post(f"/funding/{fround.id}/edit", data=_form(world, use_capacity="y",
                                                                      envelope_other="500.000"))
    assert response.status_code == 302
    # capacity: A 47.5 × 30/25 = 57, B 25 × 20/25 = 20; other has an envelope below one unit: nothing there;
    # the pool (CB + FI, 10 M): A's cap 10, B's 5: 7.40 and 2.60 -> 7 + 1 and 2
    amounts = ff.amounts(fround)
    assert amounts[("RC-B", OT)] == 0
    assert (amounts[("SH-A", CB)] + amounts[("SH-A", FI)], amounts[("RC-B", FI)]) == (8 * M, 2 * M)
    assert fround.events[-1].action == "parameters"


def test_scenarios_side_by_side_then_one_adopted(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    response = client.post(f"/funding/{fround.id}/scenarios/new", data={"name": "No red flag weight",
                                                                        "red_flag_weight": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    scenario = fround.scenarios[0]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    # red flags weigh 0: A 37.5, B 25 -> 6 and 4 units; A: CB 2, FI 4; B: FI 3, other 1
    assert "weight 47.50 → 37.50" in page
    assert "−₫1,000,000" in page and "+₫1,000,000" in page
    assert client.post(f"/funding/{fround.id}/scenarios/{scenario.id}/adopt").status_code == 302
    assert ff.amounts(fround) == {("SH-A", CB): 2 * M, ("SH-A", FI): 4 * M, ("SH-A", OT): 0,
                                  ("RC-B", CB): 0, ("RC-B", FI): 3 * M, ("RC-B", OT): 1 * M}
    assert fround.red_flag_weight == 0 and fround.events[-1].action == "scenario_adopted"


def test_adjustments_stay_within_the_budget_the_request_and_the_envelope(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    page = _adjust(client, world, "RC-B", FI, "3.000.000").get_data(as_text=True)
    assert "This would put the allocation ₫1,000,000 above the budget of ₫10,000,000" in page
    assert 'value="3.000.000"' in page
    assert "Give the reason" in _adjust(client, world, "SH-A", CB, "2.000.000", reason="").get_data(as_text=True)
    assert _adjust(client, world, "SH-A", CB, "2.000.000").status_code == 302
    assert _adjust(client, world, "RC-B", FI, "3.000.000").status_code == 302  # the million freed above
    assert "more than the facility requested" in _adjust(client, world, "RC-B", OT, "3.000.001").get_data(
        as_text=True)
    assert sum(ff.amounts(fround).values()) == 10 * M
    adjusted = [e for e in fround.events if e.action == "adjusted"]
    assert [(e.facility.code, e.category, e.detail, e.reason) for e in adjusted] == [
        ("SH-A", CB, "amount_vnd: 3000000 → 2000000", "The province pays part of it"),
        ("RC-B", FI, "amount_vnd: 2000000 → 3000000", "The province pays part of it")]
    assert all(e.user_id == world.national.id for e in adjusted)
    page = client.get(f"/funding/{fround.id}").get_data(as_text=True)
    assert "Amount adjusted" in page and "The province pays part of it" in page


def test_an_envelope_holds_for_adjustments(client, world):
    ff.funding_round(world, envelopes={FI: "6.000.000"})
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    assert ff.amounts(fround)[("SH-A", FI)] + ff.amounts(fround)[("RC-B", FI)] == 6 * M
    assert _adjust(client, world, "SH-A", CB, "1.000.000").status_code == 302
    page = _adjust(client, world, "RC-B", FI, "4.000.000").get_data(as_text=True)
    assert "above its envelope of ₫6,000,000" in page


def test_a_stale_adjustment_is_refused_with_the_amount_stored_now(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    line = ff.line(world, "SH-A", CB)
    old_version = line.version
    assert _adjust(client, world, "SH-A", CB, "2.000.000").status_code == 302
    page = client.post(f"/funding/{fround.id}/lines/{line.id}/adjust",
                       data={"amount": "1.000.000", "reason": "Another reason entirely", "version": old_version})
    text = page.get_data(as_text=True)
    assert "Someone else changed this funding round" in text and "The amount stored now is ₫2,000,000." in text
    assert ff.amounts(fround)[("SH-A", CB)] == 2 * M


def test_a_facility_without_a_result_gets_money_only_once_added_by_hand(client, world):
    fround = ff.proposal(world)
    c = ff.apart_c(world)
    db.session.commit()
    login(client, world.national)
    assert _adjust(client, world, "SH-A", CB, "1.000.000").status_code == 302  # 2 M free
    page = _adjust(client, world, "RC-C", FI, "2.000.000").get_data(as_text=True)
    assert "has no finalised agreed result. Add it by hand" in page
    assert "Give the reason" in client.post(f"/funding/{fround.id}/apart/{c.id}/add",
                                            data={"reason": ""}).get_data(as_text=True)
    assert client.post(f"/funding/{fround.id}/apart/{c.id}/add",
                       data={"reason": "Result reopened for a typing error only"}).status_code == 302
    assert _adjust(client, world, "RC-C", FI, "2.000.000").status_code == 302
    db.session.expire_all()
    assert sum(ln.amount_vnd for f in fround.facilities for ln in f.lines) == 10 * M
    assert [e.action for e in fround.events][-2:] == ["added_by_hand", "adjusted"]


def test_approval_locks_and_reopening_is_recorded(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    assert client.post(f"/funding/{fround.id}/approve").status_code == 302
    db.session.expire_all()
    assert fround.is_approved and fround.approved_by_id == world.national.id
    line = ff.line(world, "SH-A", CB)
    assert client.post(f"/funding/{fround.id}/lines/{line.id}/adjust",
                       data={"amount": "1", "reason": "Too late now"}).status_code == 403
    assert client.post(f"/funding/{fround.id}/proposal").status_code == 403
    assert "Give the reason" in client.post(f"/funding/{fround.id}/reopen", data={"reason": "x"}).get_data(
        as_text=True)
    assert client.post(f"/funding/{fround.id}/reopen", data={"reason": "A plan was accepted late"}).status_code == 302
    db.session.expire_all()
    assert fround.status == "reopened" and fround.events[-1].reason == "A plan was accepted late"
    assert _adjust(client, world, "SH-A", CB, "2.000.000").status_code == 302  # editable again


def test_computing_again_clears_the_adjustments_and_records_them(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    assert _adjust(client, world, "SH-A", CB, "2.000.000").status_code == 302
    assert client.post(f"/funding/{fround.id}/proposal").status_code == 302
    assert ff.amounts(fround) == ff.PROPOSAL
    assert [e.action for e in fround.events] == ["created", "proposal", "adjusted", "proposal", "adjustment_cleared"]
    cleared = fround.events[-1]
    assert (cleared.action, cleared.detail, cleared.reason) == (
        "adjustment_cleared", "amount_vnd: 2000000 → ", "The province pays part of it")


def test_the_facility_sees_its_allocation_the_actions_and_the_reasons(client, world):
    fround = ff.proposal(world)
    db.session.commit()
    login(client, world.national)
    reason = "Counselling course paid by UNICEF"
    assert _adjust(client, world, "SH-A", CB, "2.000.000", reason=reason).status_code == 302
    assert client.post(f"/funding/{fround.id}/approve").status_code == 302
    client.post("/logout")
    login(client, world.manager_a)
    assert "Improvement fund 2027" in client.get("/funding/").get_data(as_text=True)
    page = client.get(f"/funding/{fround.id}/facilities/{world.facility_a.id}").get_data(as_text=True)
    assert "₫6,000,000" in page  # 2 + 4
    assert "Counselling course paid by UNICEF" in page
    assert "Train staff in counselling" in page and "Repair the bedrooms" in page
    assert "Repaint the hall" not in page  # dropped
    assert "Need weight 47.50 = (100 − 62.5) + 1 red flag × 10" in page
    assert client.get(f"/funding/{fround.id}/facilities/{world.facility_b.id}").status_code == 404
    assert client.get(f"/funding/{fround.id}").status_code == 403


def test_money_per_point_once_follow_up_visits_exist(client, world):
    from shelterassess.funding import services
    from tests import followup_fixtures as fu

    fu.submitted_visit(world)  # facility A (75.0 %): 2 points gained; its plan requests FI 7 M and CB 3 M
    ff.plan(world, world.facility_b, ff.agreed(world, world.facility_b, 75.0), ff.PLANS["RC-B"])  # 8 M, no visit
    fround = services.create_funding_round(db.session, world.national, ff.round_input(world, budget="20.000.000"))
    services.compute_proposal(db.session, world.national, fround)
    db.session.commit()
    login(client, world.national)
    page = client.get(f"/funding/{fround.id}").get_data(as_text=True)
    per_point = page[page.index("Money per point gained at follow-up"):]
    assert "₫5,000,000" in per_point  # A: 10 000 000 allocated ÷ 2 points; nationally the same (B has no visit)
    assert "– <span class=\"muted\">(no follow-up visit submitted yet)</span>" in per_point


def test_every_page_renders_in_vietnamese(client_vi, world):
    fround = ff.approved(world)
    db.session.commit()
    login(client_vi, world.national)
    line = ff.line(world, "SH-A", CB)
    for url in ("/funding/", "/funding/new", f"/funding/{fround.id}", f"/funding/{fround.id}/compare",
                f"/funding/{fround.id}/facilities/{world.facility_a.id}", f"/funding/{fround.id}/reopen"):
        response = client_vi.get(url)
        assert response.status_code == 200, url
        assert 'lang="vi"' in response.get_data(as_text=True)
    page = client_vi.get(f"/funding/{fround.id}").get_data(as_text=True)
    assert "10.000.000" in page and "47,50" in page  # Vietnamese grouping and decimal comma
    assert client_vi.get(f"/funding/{fround.id}/lines/{line.id}/adjust").status_code == 403  # approved: locked
